// Package rfc2136 is the provider for any DNS server that takes RFC 2136
// dynamic updates (--provider=rfc2136): BIND, Knot, PowerDNS, Windows DNS.
// It reads a zone by AXFR and changes it with TSIG-signed UPDATE messages
// whose prerequisites make every change exact (see apply.go).
package rfc2136

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/zone"
)

// defaultTTL is written for a record whose TTL nobody set.
const defaultTTL = 300

// Options are the provider's collaborators; none is a flag.
type Options struct {
	// Client talks to the server; nil builds one from the Config.
	Client Client
	// Log receives the provider's logs; nil discards them.
	Log *slog.Logger
	// Registerer receives the provider's metrics; nil registers none.
	Registerer prometheus.Registerer
}

// Provider implements provider.Provider over RFC 2136.
type Provider struct {
	cfg     Config
	client  Client
	zones   zone.Matcher
	log     *slog.Logger
	metrics *metrics

	// serials makes the zones' SOA serials the zone version.
	serials provider.Stamps[[]uint32]
}

var (
	_ provider.Provider  = (*Provider)(nil)
	_ provider.Versioned = (*Provider)(nil)
)

// New checks cfg and returns the provider.
func New(cfg Config, o Options) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if o.Client == nil {
		o.Client = newClient(cfg)
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Provider{cfg: cfg, client: o.Client, zones: zone.NewMatcher(cfg.Zones), log: o.Log, metrics: newMetrics(o.Registerer),
		serials: provider.Stamps[[]uint32]{Equal: slices.Equal[[]uint32]}}, nil
}

// Records transfers every zone and returns its records, except the SOA,
// the apex NS (the zone's delegation) and DNSSEC records, which belong to
// the signer: none of these is ever changed.
func (p *Provider) Records(ctx context.Context) ([]*endpoint.Endpoint, error) {
	var out []*endpoint.Endpoint
	for _, z := range p.zones.Zones() {
		start := time.Now()
		rrs, err := p.client.Transfer(ctx, z)
		p.metrics.request("transfer", err, time.Since(start))
		if err != nil {
			return nil, fmt.Errorf("rfc2136: %w", err)
		}
		apex := dns.Fqdn(z)
		out = append(out, zone.Endpoints(rrs, func(rr dns.RR) bool {
			h := rr.Header()
			if h.Rrtype == dns.TypeSOA || zone.IsDNSSEC(h.Rrtype) || !dns.IsSubDomain(apex, h.Name) {
				return false
			}
			if h.Rrtype == dns.TypeNS && strings.EqualFold(h.Name, apex) {
				return false
			}
			// A record in a zone below this one belongs to that zone.
			owner, _ := p.zones.Zone(h.Name)
			return owner == z
		})...)
	}
	return out, nil
}

// ZoneVersion implements provider.Versioned with the zones' SOA serials,
// one query per zone instead of a transfer: RFC 2136 (3.7) has the server
// raise a zone's serial with every update that changes it, and it is what
// secondaries rely on to know when to transfer. So a converged
// controller's resyncs cost one SOA query per zone, not a transfer of
// every record. A change that leaves the serial alone (a zone file edited
// without raising it, which secondaries would miss too) is seen at the
// next full resync (--full-resync-interval). When a serial cannot be read
// the version is new at every call, so the controller reads the zone,
// and reports that error.
func (p *Provider) ZoneVersion() uint64 {
	ctx, cancel := provider.StampContext(p.cfg.Timeout)
	defer cancel()
	zones := p.zones.Zones()
	serials := make([]uint32, len(zones))
	for i, z := range zones {
		start := time.Now()
		var err error
		serials[i], err = p.client.Serial(ctx, z)
		p.metrics.request("soa", err, time.Since(start))
		if err != nil {
			p.log.Debug("rfc2136: zone serial unknown; the zone is read whole", "zone", z, "err", err)
			return p.serials.Observe(nil, false)
		}
	}
	return p.serials.Observe(serials, true)
}

// AdjustEndpoints puts desired endpoints in the form Records reports them
// (TXT text in quotes, the minimum TTL), and holds what this provider
// cannot write, so it never fails a batch: a set identifier (RFC 2136
// has no routing policies), a name in no zone, a type exodns never
// touches, a target that is not a value of its type.
func (p *Provider) AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	out := make([]*endpoint.Endpoint, len(eps))
	for i, e := range eps {
		out[i] = e
		if e.Held() {
			continue
		}
		c := e.DeepCopy()
		// No provider-specific property can be stored here: dropping them
		// keeps the plan from seeing a difference that never goes away.
		c.ProviderSpecific = nil
		if c.RecordType == endpoint.RecordTypeTXT {
			for j, t := range c.Targets {
				c.Targets[j] = zone.QuoteTXT(t)
			}
		}
		if c.RecordTTL.IsConfigured() && c.RecordTTL < endpoint.TTL(p.cfg.MinTTL.Seconds()) {
			c.RecordTTL = endpoint.TTL(p.cfg.MinTTL.Seconds())
		}
		if reason := p.unwritable(c); reason != "" {
			c.WithLabel(endpoint.HoldLabel, "rfc2136: "+reason)
		}
		out[i] = c
	}
	return out, nil
}

func (p *Provider) unwritable(e *endpoint.Endpoint) string {
	if e.SetIdentifier != "" {
		return "RFC 2136 has no routing policies, so a set identifier cannot be written"
	}
	if _, ok := p.zones.Zone(e.DNSName); !ok {
		return fmt.Sprintf("%s is in none of the zones %v (--rfc2136-zone)", e.DNSName, p.zones.Zones())
	}
	if _, err := zone.RRs(e, p.ttl(e)); err != nil {
		return err.Error()
	}
	return ""
}

// ttl is what e is written with: its own, or the default, never below
// --rfc2136-min-ttl.
func (p *Provider) ttl(e *endpoint.Endpoint) uint32 {
	ttl := uint32(defaultTTL)
	if e.RecordTTL.IsConfigured() {
		ttl = uint32(min(e.RecordTTL, endpoint.MaxTTL))
	}
	return max(ttl, uint32(p.cfg.MinTTL.Seconds()))
}

func zoneRRs(e *endpoint.Endpoint, ttl uint32) ([]dns.RR, error) { return zone.RRs(e, ttl) }

func zoneIsDNSSEC(e *endpoint.Endpoint) bool { return zone.IsDNSSEC(dns.StringToType[e.RecordType]) }
