// Package healthcheck runs the active health checks GSLB answers depend
// on: HTTP(S) requests and TCP connects to every target of every routed
// record set, each with its interval, timeout and rise/fall thresholds.
//
// It imports gslb, never the other way round: gslb stays a pure function
// of its inputs, and this package turns a gslb.Set's settings into running
// checks and reports their verdicts as gslb.Health.
package healthcheck

import (
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/exodns/exodns/internal/gslb"
)

// Check is one active check of one target.
type Check struct {
	Kind gslb.CheckKind
	// Address is the host:port to connect to: the target IP (or host
	// name, for CNAME targets) and the check's port.
	Address string
	// Host is the Host header and TLS server name of http and https
	// checks; empty sends the address.
	Host string
	Path string
	// Statuses are the healthy HTTP status codes; empty means 200-399.
	Statuses []gslb.StatusRange
	// Body, when set, must occur in the first gslb.BodyLimit bytes of the
	// response body (case-sensitive substring).
	Body string

	Interval time.Duration
	Timeout  time.Duration
	Rise     int
	Fall     int
}

// FromSet builds the check of one target of s, or false when s has no
// check. The Host header defaults to the record's name, which is what the
// backend's ingress routes on (Route 53 would send the IP address).
func FromSet(s gslb.Set, target string) (Check, bool) {
	h := s.Check
	if !h.Enabled() {
		return Check{}, false
	}
	c := Check{
		Kind:    h.Kind,
		Address: net.JoinHostPort(strings.TrimSuffix(target, "."), strconv.Itoa(h.Port)),
		Path:    h.Path, Statuses: h.Statuses, Body: h.Body,
		Interval: h.Interval, Timeout: h.Timeout, Rise: h.Rise, Fall: h.Fall,
	}
	if c.Kind != gslb.CheckTCP {
		c.Host = h.Host
		if c.Host == "" {
			c.Host = strings.ToLower(strings.TrimSuffix(s.Name, "."))
		}
	}
	return c, true
}

// ChecksFor returns every check the sets need, keyed by Check.ID. Targets
// that several names share with identical settings share one check.
func ChecksFor(sets []gslb.Set) map[string]Check {
	out := make(map[string]Check)
	for _, s := range sets {
		for _, t := range s.Targets {
			if c, ok := FromSet(s, t); ok {
				out[c.ID()] = c
			}
		}
	}
	return out
}

// ID names the check by everything it does, so equal checks share an ID
// and a changed check gets a new one. It reads like a URL
// (http://app.example.com@192.0.2.10:80/healthz), followed by a short
// hash of the settings a URL does not show.
func (c Check) ID() string {
	var b strings.Builder
	b.WriteString(string(c.Kind))
	b.WriteString("://")
	if c.Host != "" {
		b.WriteString(c.Host)
		b.WriteByte('@')
	}
	b.WriteString(c.Address)
	b.WriteString(c.Path)
	h := fnv.New32a()
	fmt.Fprintf(h, "%v|%q|%d|%d|%d|%d", c.Statuses, c.Body, c.Interval, c.Timeout, c.Rise, c.Fall)
	fmt.Fprintf(&b, "#%08x", h.Sum32())
	return b.String()
}

// equal reports whether two checks do the same thing.
func (c Check) equal(o Check) bool {
	return c.Kind == o.Kind && c.Address == o.Address && c.Host == o.Host && c.Path == o.Path &&
		slices.Equal(c.Statuses, o.Statuses) && c.Body == o.Body && c.Interval == o.Interval &&
		c.Timeout == o.Timeout && c.Rise == o.Rise && c.Fall == o.Fall
}

// validate refuses checks that cannot run; gslb.Parse never produces one,
// but a Check can also be built by hand.
func (c Check) validate() error {
	switch {
	case c.Kind != gslb.CheckHTTP && c.Kind != gslb.CheckHTTPS && c.Kind != gslb.CheckTCP:
		return fmt.Errorf("kind %q is not http, https or tcp", c.Kind)
	case c.Address == "":
		return errors.New("no address")
	case c.Interval <= 0 || c.Timeout <= 0:
		return errors.New("interval and timeout must be positive")
	case c.Rise < 1 || c.Fall < 1:
		return errors.New("rise and fall must be at least 1")
	}
	if _, _, err := net.SplitHostPort(c.Address); err != nil {
		return fmt.Errorf("address %q: %w", c.Address, err)
	}
	return nil
}

// statusOK reports whether an HTTP status code counts as healthy.
func (c Check) statusOK(code int) bool {
	return gslb.HealthCheck{Statuses: c.Statuses}.StatusOK(code)
}
