// Package probe measures what clients of a GSLB name see: which cluster
// answers (Routing) and how long a failover leaves them without an answer
// (Failover). Each request resolves the name afresh and opens a fresh
// connection to the address it got, so every sample follows DNS, which is
// what the scripts it replaces did not do.
package probe

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Target is the URL being probed, split into what resolution and dialing
// need.
type Target struct {
	URL  *url.URL
	Host string // the name to resolve (or an IP literal), without port or brackets
	Port uint16 // explicit in the URL, else 80 or 443 by scheme
}

// ParseTarget parses a probe URL. A bare host name ("app.example.com") is
// taken as http://, as the seed scripts were called that way.
func ParseTarget(raw string) (Target, error) {
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Target{}, fmt.Errorf("probe: url: %w", err)
	}
	var port uint16
	switch u.Scheme {
	case "http":
		port = 80
	case "https":
		port = 443
	default:
		return Target{}, fmt.Errorf("probe: url %q: scheme must be http or https", raw)
	}
	host := u.Hostname()
	if host == "" {
		return Target{}, fmt.Errorf("probe: url %q has no host", raw)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			return Target{}, fmt.Errorf("probe: url %q: bad port %q", raw, p)
		}
		port = uint16(n)
	}
	return Target{URL: u, Host: host, Port: port}, nil
}
