package dnsserver

import (
	"log/slog"
	"net/netip"
	"strings"
	"sync"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/geo"
	"github.com/exodns/exodns/internal/gslb"
	"github.com/exodns/exodns/internal/healthcheck"
)

// Router is the GSLB Selector: it answers a routed name by its sets'
// routing policies (the aws-* and gslb-* properties users already write
// for Route 53), the health of their targets as its own checks see it, and
// where the client is (EDNS Client Subnet, else the source address).
type Router struct {
	regions geo.Regions
	locator geo.Locator // nil: location unknown, latency answers every healthy set
	checker *healthcheck.Checker
	metrics *gslb.Metrics
	log     *slog.Logger

	mu      sync.Mutex
	warned  map[string]string // name -> last parse error logged
	current map[string]healthcheck.Check
	snap    *Snapshot // the one the checks were last synced to
}

// RouterConfig configures a Router. Checker may be nil (every target
// healthy); Locator may be nil.
type RouterConfig struct {
	Regions geo.Regions
	Locator geo.Locator
	Checker *healthcheck.Checker
	Metrics *gslb.Metrics
	Log     *slog.Logger
}

// NewRouter returns a Router.
func NewRouter(cfg RouterConfig) *Router {
	if cfg.Regions == nil {
		cfg.Regions = geo.BuiltinRegions()
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Router{regions: cfg.Regions, locator: cfg.Locator, checker: cfg.Checker, metrics: cfg.Metrics,
		log: cfg.Log, warned: map[string]string{}}
}

// route is what the Router works out once per routed RRset version.
type route struct {
	sets   []gslb.Set
	rrs    []map[string]dns.RR // per set: target -> record
	health gslb.HealthFunc
	err    error
}

// Select implements Selector.
func (r *Router) Select(req *Request, rt *Routed) []dns.RR {
	m := rt.Memo(r.parse).(*route)
	if m.err != nil {
		return unionOf(rt.Sets)
	}
	client := geo.LocateClient(r.locator, req.ClientSubnet(), req.IP())
	ans := gslb.Select(m.sets, m.health, client, nil)
	req.SetScope(ans.Scope)
	if r.metrics != nil {
		r.metrics.Observe(m.sets[0].Policy, ans)
	}
	out := make([]dns.RR, 0, len(ans.Targets))
	for _, t := range ans.Targets {
		key := targetKey(t)
		for _, i := range ans.Sets {
			if rr, ok := m.rrs[i][key]; ok {
				c := dns.Copy(rr)
				c.Header().Ttl = ans.TTL
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// parse reads the routing of one RRset version. A group that does not
// parse (mixed policies written by two clusters, say) is answered as the
// union of its sets, and said once in the log.
func (r *Router) parse(rt *Routed) any {
	eps := make([]*endpoint.Endpoint, len(rt.Sets))
	m := &route{rrs: make([]map[string]dns.RR, len(rt.Sets))}
	for i, s := range rt.Sets {
		e := &endpoint.Endpoint{DNSName: strings.TrimSuffix(rt.Name, "."), RecordType: dns.TypeToString[rt.Type],
			SetIdentifier: s.SetIdentifier, ProviderSpecific: s.ProviderSpecific}
		m.rrs[i] = make(map[string]dns.RR, len(s.RRs))
		for _, rr := range s.RRs {
			t := rrTarget(rr)
			e.Targets = append(e.Targets, t)
			m.rrs[i][targetKey(t)] = rr
		}
		if len(s.RRs) > 0 {
			e.RecordTTL = endpoint.TTL(s.RRs[0].Header().Ttl)
		}
		eps[i] = e
	}
	sets, err := gslb.SetsFrom(eps, r.regions)
	if err != nil {
		m.err = err
		r.warnOnce(rt.Name, err)
		return m
	}
	// SetsFrom sorts by set identifier, as Routed.Sets is; keep rrs aligned
	// by matching identifiers rather than trusting both orders.
	byID := make(map[string]map[string]dns.RR, len(sets))
	for i, s := range rt.Sets {
		byID[s.SetIdentifier] = m.rrs[i]
	}
	m.sets = sets
	for i, s := range sets {
		m.rrs[i] = byID[s.ID]
	}
	if r.checker != nil {
		m.health = r.checker.HealthFunc(sets)
	}
	return m
}

func (r *Router) warnOnce(name string, err error) {
	r.mu.Lock()
	said := r.warned[name] == err.Error()
	r.warned[name] = err.Error()
	r.mu.Unlock()
	if !said {
		r.log.Warn("dnsserver: routing of a name cannot be read; answering every set", "name", name, "err", err)
	}
}

// Sync gives the health checker the checks that snap's routed names ask
// for; call it after every change. Checks shared by several names (the
// same target, port and path) run once.
func (r *Router) Sync(snap *Snapshot) error {
	if r.checker == nil {
		return nil
	}
	var all []gslb.Set
	for _, rt := range snap.routed() {
		if m := rt.Memo(r.parse).(*route); m.err == nil {
			all = append(all, m.sets...)
		}
	}
	checks := healthcheck.ChecksFor(all)
	r.mu.Lock()
	r.current, r.snap = checks, snap
	r.mu.Unlock()
	return r.checker.Set(checks)
}

// CheckUse is one target of one routed set that a check watches.
type CheckUse struct {
	Name, SetIdentifier, Target string
}

// UsersOf lists the routed sets and targets a health check serves, so a
// change of its health can be told on their objects.
func (r *Router) UsersOf(checkID string) []CheckUse {
	r.mu.Lock()
	snap := r.snap
	r.mu.Unlock()
	var out []CheckUse
	for _, rt := range snap.routed() {
		m := rt.Memo(r.parse).(*route)
		if m.err != nil {
			continue
		}
		for _, s := range m.sets {
			for _, t := range s.Targets {
				if c, ok := healthcheck.FromSet(s, t); ok && c.ID() == checkID {
					out = append(out, CheckUse{Name: strings.TrimSuffix(rt.Name, "."), SetIdentifier: s.ID, Target: t})
				}
			}
		}
	}
	return out
}

// SetHealth is one set of a routed name and the health of its targets.
type SetHealth struct {
	SetIdentifier string
	Policy        string
	Targets       map[string]string // target -> healthy, unhealthy, unknown (unchecked targets: "unchecked")
}

// Explain tells the sets of a routed name and their health, for explain.
func (r *Router) Explain(snap *Snapshot, name string) []SetHealth {
	lname := dns.Fqdn(strings.ToLower(name))
	var out []SetHealth
	for _, rt := range snap.routed() {
		if rt.Name != lname {
			continue
		}
		m := rt.Memo(r.parse).(*route)
		if m.err != nil {
			continue
		}
		for _, s := range m.sets {
			sh := SetHealth{SetIdentifier: s.ID, Policy: s.Policy.String(), Targets: map[string]string{}}
			for _, t := range s.Targets {
				state := "unchecked"
				if r.checker != nil {
					if c, ok := healthcheck.FromSet(s, t); ok {
						state = r.checker.Status(c.ID()).Health.String()
					}
				}
				sh.Targets[t] = state
			}
			out = append(out, sh)
		}
	}
	return out
}

// routed lists every routed RRset of the snapshot.
func (s *Snapshot) routed() []*Routed {
	if s == nil {
		return nil
	}
	var out []*Routed
	for _, z := range s.zones {
		for _, n := range z.nodes {
			for _, rs := range n.rrsets {
				if rs.routed != nil {
					out = append(out, rs.routed)
				}
			}
		}
	}
	return out
}

// rrTarget is the target an endpoint gave for rr.
func rrTarget(rr dns.RR) string {
	switch v := rr.(type) {
	case *dns.A:
		return v.A.String()
	case *dns.AAAA:
		return v.AAAA.String()
	case *dns.CNAME:
		return strings.TrimSuffix(v.Target, ".")
	}
	h := rr.Header()
	return strings.TrimPrefix(rr.String(), h.String())
}

func targetKey(t string) string {
	if a, err := netip.ParseAddr(t); err == nil {
		return a.Unmap().String()
	}
	return strings.ToLower(strings.TrimSuffix(t, "."))
}

func unionOf(sets []RRSet) []dns.RR {
	var out []dns.RR
	for _, s := range sets {
		out = append(out, s.RRs...)
	}
	return out
}
