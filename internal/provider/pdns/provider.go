// Package pdns is the provider for PowerDNS Authoritative (--provider=pdns),
// through its REST API: zones are listed and read with GET, and RRsets are
// changed with PATCH (REPLACE and DELETE), never by writing a whole zone.
package pdns

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/zone"
)

// defaultTTL is written for a record whose TTL nobody set.
const defaultTTL = 300

// Options are the provider's collaborators; none is a flag.
type Options struct {
	// Client talks to the API; nil builds one from the Config.
	Client Client
	// Log receives the provider's logs; nil discards them.
	Log *slog.Logger
}

// Provider implements provider.Provider over the PowerDNS API.
type Provider struct {
	cfg    Config
	client Client
	log    *slog.Logger
}

var _ provider.Provider = (*Provider)(nil)

// New checks cfg and returns the provider.
func New(cfg Config, o Options) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if o.Client == nil {
		c, err := newClient(cfg)
		if err != nil {
			return nil, err
		}
		o.Client = c
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Provider{cfg: cfg, client: o.Client, log: o.Log}, nil
}

// managed lists the zones the domain filter lets us manage: a zone it
// matches, or one holding a name it includes.
func (p *Provider) managed(ctx context.Context) ([]Zone, error) {
	all, err := p.client.Zones(ctx)
	if err != nil {
		return nil, fmt.Errorf("pdns: list zones: %w", err)
	}
	f := p.cfg.DomainFilter
	var out []Zone
	for _, z := range all {
		name := strings.ToLower(strings.TrimSuffix(z.Name, "."))
		if !f.IsConfigured() || f.Match(name) || slices.ContainsFunc(f.Include, func(d string) bool {
			return endpoint.MatchDomain(name, strings.TrimPrefix(d, "."))
		}) {
			out = append(out, z)
		}
	}
	return out, nil
}

// Records reads every managed zone. The SOA, the apex NS and DNSSEC
// records are left out: they are the server's, never changed. Disabled
// records are left out too, as the server does not serve them.
func (p *Provider) Records(ctx context.Context) ([]*endpoint.Endpoint, error) {
	zones, err := p.managed(ctx)
	if err != nil {
		return nil, err
	}
	var out []*endpoint.Endpoint
	for _, z := range zones {
		full, err := p.client.Zone(ctx, z.ID)
		if err != nil {
			return nil, fmt.Errorf("pdns: zone %s: %w", z.Name, err)
		}
		eps, err := endpoints(full)
		if err != nil {
			return nil, fmt.Errorf("pdns: zone %s: %w", z.Name, err)
		}
		out = append(out, eps...)
	}
	return out, nil
}

// endpoints converts a zone's RRsets.
func endpoints(z *Zone) ([]*endpoint.Endpoint, error) {
	var out []*endpoint.Endpoint
	for _, rs := range z.RRsets {
		t, ok := dns.StringToType[rs.Type]
		if !ok || t == dns.TypeSOA || zone.IsDNSSEC(t) || (t == dns.TypeNS && strings.EqualFold(rs.Name, z.Name)) {
			continue
		}
		e := endpoint.New(strings.ToLower(strings.TrimSuffix(rs.Name, ".")), rs.Type).WithTTL(endpoint.TTL(rs.TTL))
		for _, r := range rs.Records {
			if r.Disabled {
				continue
			}
			target, err := contentTarget(rs.Name, rs.Type, r.Content)
			if err != nil {
				return nil, err
			}
			e.Targets = append(e.Targets, target)
		}
		if len(e.Targets) > 0 {
			out = append(out, e)
		}
	}
	return out, nil
}

// contentTarget reads one record's content (presentation form, names with
// the final dot) into the target exodns keeps.
func contentTarget(name, typ, content string) (string, error) {
	if strings.ContainsAny(content, "\n\r") {
		return "", fmt.Errorf("%s %s: content %q spans lines", name, typ, content)
	}
	rr, err := dns.NewRR(dns.Fqdn(name) + " 0 IN " + typ + " " + content)
	if err != nil || rr == nil {
		return "", fmt.Errorf("%s %s: content %q does not read: %v", name, typ, content, err)
	}
	return zone.Target(rr), nil
}

// contents writes an endpoint's targets as the API wants them.
func contents(e *endpoint.Endpoint) ([]Record, error) {
	rrs, err := zone.RRs(e, 0)
	if err != nil {
		return nil, err
	}
	out := make([]Record, len(rrs))
	for i, rr := range rrs {
		out[i] = Record{Content: strings.TrimSpace(strings.TrimPrefix(rr.String(), rr.Header().String()))}
	}
	return out, nil
}

// AdjustEndpoints puts desired endpoints in the form Records reports them
// (TXT text in quotes) and holds what this provider cannot write, so it
// never fails a batch: a set identifier (PowerDNS has no routing
// policies), or a target that is not a value of its type.
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
		switch _, err := contents(c); {
		case c.SetIdentifier != "":
			c.WithLabel(endpoint.HoldLabel, "pdns: PowerDNS has no routing policies, so a set identifier cannot be written")
		case err != nil:
			c.WithLabel(endpoint.HoldLabel, "pdns: "+err.Error())
		}
		out[i] = c
	}
	return out, nil
}

func ttlOf(e *endpoint.Endpoint) uint32 {
	if e.RecordTTL.IsConfigured() {
		return uint32(min(e.RecordTTL, endpoint.MaxTTL))
	}
	return defaultTTL
}
