package route53

import (
	"context"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
)

// adjustTimeout bounds the API calls AdjustEndpoints makes (health check
// lookups), which has no context of its own.
const adjustTimeout = 30 * time.Second

// zoneProblem runs the checks of a valid endpoint that need the zone and
// returns the problem, or nil.
func (p *Provider) zoneProblem(ctx context.Context, ep *endpoint.Endpoint) *Problem {
	if reason := p.heldForRefusal(ep); reason != "" {
		pr := newProblem(ep, "", "%s", reason)
		return &pr
	}
	z := p.zoneFor(ep.DNSName)
	if z == nil {
		return nil
	}
	if hc, ok := ep.ProviderSpecific.Get(propHealthCheck); ok {
		if reason := p.healthCheckProblem(ctx, z.acct, hc); reason != "" {
			pr := newProblem(ep, propHealthCheck, "%s", reason)
			return &pr
		}
	}
	if p.cfg.Policy != "" && p.cfg.Policy != "sync" {
		if err := mixedInZone(z, setKeyOf(ep), p.cfg.Policy); err != nil {
			pr := newProblem(ep, propSetIdentifier, "%s", err.msg)
			return &pr
		}
	}
	return nil
}

// zoneFor returns the zone that holds name (the first of split-horizon
// twins), or nil.
func (p *Provider) zoneFor(name string) *zone {
	zn, ok := p.zones.matcher.Zone(name)
	if !ok || len(p.zones.byName[zn]) == 0 {
		return nil
	}
	return p.zones.byName[zn][0]
}
