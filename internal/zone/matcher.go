// Package zone holds what every holder of DNS zones shares, whatever it
// is: the zone a name belongs to (Matcher), a record set indexed by key and
// by name (Set), and the rules a batch of changes must follow (Check), with
// the errors that say which rule a change broke.
//
// Providers (internal/provider/...) and the embedded server's store
// (internal/dnsserver/store) both use it. It sits below both, importing only
// endpoint and plan, so the store never imports the provider layer.
package zone

import (
	"slices"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// Matcher finds the zone a name belongs to. Every backend with more than
// one zone needs this, so it lives here once instead of in each backend.
type Matcher struct {
	// zones sorted longest first, so the first match is the most specific.
	zones []string
}

// NewMatcher normalises the zone names (lowercase, no trailing dot).
func NewMatcher(zones []string) Matcher {
	m := Matcher{}
	for _, z := range zones {
		z = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(z), "."))
		if z != "" && !slices.Contains(m.zones, z) {
			m.zones = append(m.zones, z)
		}
	}
	slices.SortFunc(m.zones, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return m
}

// Zones returns the zone names, longest first.
func (m Matcher) Zones() []string { return slices.Clone(m.zones) }

// Zone returns the longest zone that holds name. The match is on whole
// labels, so "myexample.com" is not in "example.com".
func (m Matcher) Zone(name string) (string, bool) {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	for _, z := range m.zones {
		if endpoint.MatchDomain(z, name) {
			return z, true
		}
	}
	return "", false
}

// SplitByZone groups changes by zone. Changes for names in no zone are
// returned separately, so the caller can report them rather than fail the
// whole batch for one stray name.
func (m Matcher) SplitByZone(c *plan.Changes) (map[string]*plan.Changes, []*endpoint.Endpoint) {
	out := map[string]*plan.Changes{}
	var stray []*endpoint.Endpoint
	get := func(e *endpoint.Endpoint) *plan.Changes {
		z, ok := m.Zone(e.DNSName)
		if !ok {
			stray = append(stray, e)
			return nil
		}
		zc := out[z]
		if zc == nil {
			zc = &plan.Changes{}
			out[z] = zc
		}
		return zc
	}
	for _, e := range c.Create {
		if zc := get(e); zc != nil {
			zc.Create = append(zc.Create, e)
		}
	}
	for i, e := range c.UpdateNew {
		// Old and new share a name, so they share a zone.
		if zc := get(e); zc != nil {
			zc.UpdateOld = append(zc.UpdateOld, c.UpdateOld[i])
			zc.UpdateNew = append(zc.UpdateNew, e)
		}
	}
	for _, e := range c.Delete {
		if zc := get(e); zc != nil {
			zc.Delete = append(zc.Delete, e)
		}
	}
	return out, stray
}
