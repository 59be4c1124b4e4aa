// Package route53 is the AWS Route 53 provider (--provider=aws).
//
// It keeps each zone's record sets in memory, updates them from its own
// accepted changes and lists a zone in full only every ZoneResyncInterval
// or after an error, so a converged zone costs no API call between
// resyncs. Every call of an account goes through one token bucket that
// backs off on throttling. Desired endpoints are validated before any call:
// what Route 53 would refuse is held and reported (see Problems), never
// sent. See README.md.
package route53

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/provider"
)

// Provider implements provider.Provider for Route 53.
type Provider struct {
	cfg      Config
	accounts []*account
	log      *slog.Logger
	m        *metrics
	now      func() time.Time
	// countChecks is maxCountChecks; tests set 0 to list in full at every
	// resync, as upstream does every loop.
	countChecks int

	// mu serialises Records, ApplyChanges and AdjustEndpoints: they share
	// the zone list and the caches.
	mu       sync.Mutex
	zones    *zoneSet // nil until first discovered
	problems []Problem
	// refusals are records Route 53 refused, held until a retry is due
	// (see refusals.go).
	refusals map[endpoint.Key]refusal
	// checks caches health check lookups (see healthchecks.go).
	checks map[checkKey]checkResult
	// hc is the state of the health checks exodns manages (hcattach.go).
	hc healthChecks
	// gen moves whenever what Records answers may have changed (see
	// ZoneVersion).
	gen uint64
}

var (
	_ provider.Provider  = (*Provider)(nil)
	_ provider.Versioned = (*Provider)(nil)
)

// New returns a provider over the given accounts (see Clients). The first
// account that lists a zone serves it.
func New(cfg Config, opts Options, accounts ...Account) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(accounts) == 0 {
		return nil, errors.New("route53: no AWS account")
	}
	p := &Provider{cfg: cfg, log: opts.Log, m: newMetrics(opts.Registerer), now: opts.Now, countChecks: maxCountChecks}
	if p.log == nil {
		p.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if p.now == nil {
		p.now = time.Now
	}
	for _, a := range accounts {
		if a.API == nil {
			return nil, errors.New("route53: account " + a.Name + " has no client")
		}
		l := newLimiter(a.Name, cfg.APIRateLimit, p.m, p.now)
		p.accounts = append(p.accounts, &account{name: a.Name, api: limitedAPI{api: a.API, l: l}})
	}
	return p, nil
}

// Records returns every record set of the managed zones, from the cache;
// zones due for a resync, or left uncertain by an error, are listed first.
// Alias A records come back in the CNAME form the plan works with.
func (p *Provider) Records(ctx context.Context) ([]*endpoint.Endpoint, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.ensureZones(ctx, p.resyncDue()); err != nil {
		return nil, err
	}
	conv := p.converter()
	var out []*endpoint.Endpoint
	for _, name := range p.zones.matcher.Zones() {
		seen := map[endpoint.Key]bool{}
		// Zones sharing a name (split horizon) hold the same records; the
		// first one's are reported.
		for _, z := range p.zones.byName[name] {
			if err := p.ensureRecords(ctx, z); err != nil {
				return nil, err
			}
			for _, ep := range zoneEndpoints(conv, z) {
				if k := ep.Key(); !seen[k] {
					seen[k] = true
					out = append(out, ep)
				}
			}
		}
	}
	return out, nil
}

// ensureZones discovers the zones when unknown, expired or forced. The
// zone list expires after --aws-zones-cache-duration, or when that is 0,
// after the resync interval.
func (p *Provider) ensureZones(ctx context.Context, force bool) error {
	if p.zones != nil && !force && p.now().Sub(p.zones.at) < p.zonesTTL() {
		return nil
	}
	zs, err := p.discoverZones(ctx)
	if err != nil {
		return err
	}
	if p.zones == nil || !sameZones(p.zones, zs) {
		var names []string
		for _, z := range zs.all {
			names = append(names, z.name+" ("+z.id+", "+z.acct.name+")")
		}
		p.log.InfoContext(ctx, "route53: managing zones", "count", len(zs.all), "zones", names)
	}
	p.zones = zs
	p.gen++
	return nil
}

// zonesTTL is how long the zone list is kept: --aws-zones-cache-duration,
// or when that is 0, the resync interval.
func (p *Provider) zonesTTL() time.Duration {
	if p.cfg.ZonesCacheDuration > 0 {
		return p.cfg.ZonesCacheDuration
	}
	return p.cfg.ZoneResyncInterval
}

func sameZones(a, b *zoneSet) bool {
	return slices.EqualFunc(a.all, b.all, func(x, y *zone) bool { return x.id == y.id })
}

// resyncDue reports whether a cached zone is due for a resync, which
// needs the record set counts of a fresh zone listing.
func (p *Provider) resyncDue() bool {
	if p.zones == nil {
		return false
	}
	now := p.now()
	for _, z := range p.zones.all {
		if z.sets != nil && !z.stale && !now.Before(z.checkedAt.Add(p.cfg.ZoneResyncInterval)) && p.zones.at.Before(z.checkedAt.Add(p.cfg.ZoneResyncInterval)) {
			return true
		}
	}
	return false
}

// ZoneVersion implements provider.Versioned. It moves whenever Records
// may answer differently: after every re-list or count check of a zone,
// every change of ours that Route 53 accepted, every failure that leaves a
// zone uncertain, and every discovery of the zone list. While Records
// would call the API (a zone never listed, uncertain, or due for its
// periodic re-list, or the zone list due), it is new at every call, so a
// controller that reads it then reads the records, and the re-list
// happens on --aws-zone-resync-interval as it did when every resync was
// a full run. Between, a converged controller's resyncs cost neither a
// call nor a read of the cache.
func (p *Provider) ZoneVersion() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.listingDue() {
		p.gen++
	}
	return p.gen
}

// listingDue reports whether Records would call the API now.
func (p *Provider) listingDue() bool {
	if p.zones == nil {
		return true
	}
	now := p.now()
	if now.Sub(p.zones.at) >= p.zonesTTL() || p.resyncDue() {
		return true
	}
	for _, z := range p.zones.all {
		if z.mustCheck(now, p.cfg.ZoneResyncInterval) {
			return true
		}
	}
	return false
}

// converter returns the endpoint/record set mapping for the current zones.
func (p *Provider) converter() converter {
	zs := p.zones
	return converter{evaluateTargetHealth: p.cfg.EvaluateTargetHealth, ownZone: zs.zoneOf}
}

// AdjustEndpoints rewrites desired endpoints into the form Records reports
// and refuses, before any API call, every endpoint Route 53 would reject:
// such an endpoint is returned held, with the reason, so the plan leaves
// its name alone, and the problem is kept for Problems. Endpoints for names
// in no managed zone are dropped once the zones are known. Once they are,
// the checks that need the zone also run: health checks that do not exist,
// a simple record next to routed ones (or back) that only a delete could
// allow, and records Route 53 refused before (see refusals.go).
func (p *Provider) AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), adjustTimeout)
	defer cancel()
	if p.zones == nil && wantsManagedChecks(eps) {
		// A managed health check is found by its zone's account.
		if err := p.ensureZones(ctx, false); err != nil {
			p.log.Warn("route53: cannot list the hosted zones", "err", err)
		}
	}
	a := adjuster{conv: p.converter(), preferCNAME: p.cfg.PreferCNAME, zonesKnown: p.zones != nil}
	if a.zonesKnown {
		a.inZone = func(name string) bool { _, ok := p.zones.matcher.Zone(name); return ok }
	}
	p.pruneRefusals()
	prevPending := p.beginAdjust()
	out := make([]*endpoint.Endpoint, 0, len(eps))
	var problems []Problem
	for _, ep := range eps {
		adjusted, prob := a.adjust(ep)
		if prob == nil {
			prob = p.attachChecks(ctx, ep, adjusted, prevPending, a.zonesKnown)
		}
		if prob == nil && a.zonesKnown {
			for _, adj := range adjusted {
				if prob = p.zoneProblem(ctx, adj); prob != nil {
					break
				}
			}
		}
		if prob != nil && len(adjusted) > 0 && !adjusted[0].Held() {
			held := ep.DeepCopy()
			held.WithLabel(endpoint.HoldLabel, prob.Error())
			adjusted = []*endpoint.Endpoint{held}
		}
		if prob != nil {
			problems = append(problems, *prob)
			p.log.Warn("route53: record refused before reaching AWS", "record", prob.Record.String(),
				"resource", prob.Resource, "annotation", prob.Annotation, "reason", prob.Reason)
		}
		out = append(out, adjusted...)
	}
	p.problems = problems
	p.m.invalid.Set(float64(len(problems)))
	return out, nil
}

// Problems returns the endpoints the last AdjustEndpoints refused, sorted
// by record. The controller reports them (events, status, metrics).
func (p *Provider) Problems() []Problem {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := slices.Clone(p.problems)
	slices.SortFunc(out, func(a, b Problem) int { return strings.Compare(a.Record.String(), b.Record.String()) })
	return out
}
