package webhook

import (
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
)

// The protocol's constants, as upstream external-dns defines them.
const (
	// MediaType is the Content-Type and Accept of every message.
	MediaType = "application/external.dns.webhook+json;version=1"
	// PathNegotiate, PathRecords and PathAdjust are the routes.
	PathNegotiate = "/"
	PathRecords   = "/records"
	PathAdjust    = "/adjustendpoints"
)

// Filter is the domain filter a webhook server announces on GET /: the
// current shape ({"include","exclude"} or {"regexInclude","regexExclude"})
// and the older {"filters"}, which meant include.
type Filter struct {
	Include      []string `json:"include,omitempty"`
	Exclude      []string `json:"exclude,omitempty"`
	RegexInclude string   `json:"regexInclude,omitempty"`
	RegexExclude string   `json:"regexExclude,omitempty"`
	Filters      []string `json:"filters,omitempty"`
}

// FilterOf writes a domain filter in the current shape.
func FilterOf(f endpoint.DomainFilter) Filter {
	out := Filter{Include: f.Include, Exclude: f.Exclude}
	if f.RegexInclude != nil {
		out.RegexInclude = f.RegexInclude.String()
	}
	if f.RegexExclude != nil {
		out.RegexExclude = f.RegexExclude.String()
	}
	return out
}

// DomainFilter reads the announced filter.
func (f Filter) DomainFilter() (endpoint.DomainFilter, error) {
	include := append(append([]string{}, f.Include...), f.Filters...)
	df, err := endpoint.NewDomainFilter(include, f.Exclude, "", "")
	if err != nil {
		return df, err
	}
	for _, r := range []struct {
		src string
		dst **regexp.Regexp
	}{{f.RegexInclude, &df.RegexInclude}, {f.RegexExclude, &df.RegexExclude}} {
		if r.src == "" {
			continue
		}
		re, err := regexp.Compile(r.src)
		if err != nil {
			return df, fmt.Errorf("regex %q: %w", r.src, err)
		}
		*r.dst = re
	}
	return df, nil
}

// DecodeChanges reads a POST /records body. Go's JSON decoding matches
// keys without regard to case, so both the current lowercase keys
// ("create", "updateOld", ...) and the capitalised keys of older clients
// ("Create", "UpdateOld", ...) land; an update list of uneven length is
// refused.
func DecodeChanges(data []byte) (*plan.Changes, error) {
	var c plan.Changes
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, err
	}
	if len(c.UpdateOld) != len(c.UpdateNew) {
		return nil, fmt.Errorf("%d updateOld and %d updateNew", len(c.UpdateOld), len(c.UpdateNew))
	}
	for _, list := range [][]*endpoint.Endpoint{c.Create, c.UpdateOld, c.UpdateNew, c.Delete} {
		for _, e := range list {
			if e == nil {
				return nil, fmt.Errorf("a null endpoint")
			}
		}
	}
	return &c, nil
}

// Refusals is the body of a 422 answer to POST /records from an exodns
// webhook server: the changes its provider refused, and how many it
// applied. Clients that do not know it see a failed request, as for any
// status other than 204.
type Refusals struct {
	Applied int          `json:"applied"`
	Refused []RefusedOne `json:"refused"`
}

// RefusedOne is one refused change.
type RefusedOne struct {
	Action   string             `json:"action"`
	Endpoint *endpoint.Endpoint `json:"endpoint"`
	Error    string             `json:"error"`
}

// RefusalsOf writes a provider's refusals.
func RefusalsOf(re *provider.RefusedError) Refusals {
	out := Refusals{Applied: re.Applied}
	for _, r := range re.Refused {
		out.Refused = append(out.Refused, RefusedOne{Action: r.Action, Endpoint: r.Endpoint, Error: r.Err.Error()})
	}
	return out
}

// ErrRefusedRemotely wraps each change a webhook server refused.
var ErrRefusedRemotely = fmt.Errorf("refused by the webhook provider")

// RefusedError reads refusals back.
func (r Refusals) RefusedError() *provider.RefusedError {
	out := &provider.RefusedError{Applied: r.Applied}
	for _, one := range r.Refused {
		if one.Endpoint == nil {
			continue
		}
		out.Refused = append(out.Refused, provider.Refusal{Action: one.Action, Endpoint: one.Endpoint,
			Err: fmt.Errorf("%w: %s", ErrRefusedRemotely, one.Error)})
	}
	return out
}
