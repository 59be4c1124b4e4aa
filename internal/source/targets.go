package source

import (
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
)

// Targets chooses an object's targets from those of its target annotation
// and those discovered in its spec or status, applying --default-targets
// the way upstream does for Services and Ingresses: forced default targets
// replace whatever the object has, but an object with no target at all
// still yields no record, and unforced default targets change nothing.
func (o Options) Targets(annotated, discovered []string) []string {
	found := discovered
	if len(annotated) > 0 {
		found = annotated
	}
	if len(found) > 0 && o.ForceDefaultTargets && len(o.DefaultTargets) > 0 {
		return o.DefaultTargets
	}
	return found
}

// EndpointsForTargets groups targets by the record type each one needs.
// It returns nothing for no targets: a name without targets is no record.
func EndpointsForTargets(name string, targets []string) []*endpoint.Endpoint {
	var out []*endpoint.Endpoint
	byType := make(map[string]*endpoint.Endpoint)
	for _, t := range targets {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		rt := endpoint.TargetType(t)
		ep, ok := byType[rt]
		if !ok {
			ep = endpoint.New(name, rt)
			byType[rt] = ep
			out = append(out, ep)
		}
		ep.Targets = append(ep.Targets, t)
	}
	return out
}
