// Package coredns is the provider for CoreDNS's etcd plugin
// (--provider=coredns): records are SkyDNS services under a key prefix in
// etcd, one key per target, changed in etcd transactions that apply only
// if the keys are as they were read.
package coredns

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/zone"
)

// defaultTTL is written for a record whose TTL nobody set.
const defaultTTL = 300

// Options are the provider's collaborators; none is a flag.
type Options struct {
	// Client talks to etcd; nil builds one from the Config.
	Client KVClient
	// Log receives the provider's logs; nil discards them.
	Log *slog.Logger
	// DomainFilter limits the names listed and changed.
	DomainFilter endpoint.DomainFilter
}

// Provider implements provider.Provider over etcd.
type Provider struct {
	cfg    Config
	client KVClient
	filter endpoint.DomainFilter
	log    *slog.Logger

	// stamps makes the prefix's stamp the zone version.
	stamps provider.Stamps[PrefixStamp]
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
		tc, err := cfg.tlsConfig()
		if err != nil {
			return nil, err
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = tc
		o.Client = &gateway{endpoints: cfg.Endpoints, user: cfg.Username, password: cfg.Password.Reveal(),
			http: &http.Client{Transport: tr, Timeout: cfg.Timeout}}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Provider{cfg: cfg, client: o.Client, filter: o.DomainFilter, log: o.Log,
		stamps: provider.Stamps[PrefixStamp]{Equal: func(a, b PrefixStamp) bool { return a == b }}}, nil
}

// state is the records read from etcd, by endpoint key.
type state struct {
	eps  []*endpoint.Endpoint
	keys map[endpoint.Key][]record
}

func (p *Provider) read(ctx context.Context) (*state, error) {
	kvs, err := p.client.Prefix(ctx, p.cfg.Prefix)
	if err != nil {
		return nil, fmt.Errorf("coredns: %w", err)
	}
	st := &state{keys: map[endpoint.Key][]record{}}
	index := map[endpoint.Key]*endpoint.Endpoint{}
	for _, kv := range kvs {
		recs, ok := decode(p.cfg.Prefix, kv)
		if !ok {
			continue
		}
		for _, r := range recs {
			if !p.filter.Match(r.name) {
				continue
			}
			k := endpoint.Key{DNSName: r.name, RecordType: r.typ}
			e := index[k]
			if e == nil {
				e = endpoint.New(r.name, r.typ).WithTTL(endpoint.TTL(r.ttl))
				if r.group != "" {
					e.WithProviderSpecific(GroupProperty, r.group)
				}
				index[k] = e
				st.eps = append(st.eps, e)
			}
			e.RecordTTL = min(e.RecordTTL, endpoint.TTL(r.ttl))
			if !slices.Contains(e.Targets, r.target) {
				e.Targets = append(e.Targets, r.target)
			}
			st.keys[k] = append(st.keys[k], r)
		}
	}
	for _, e := range st.eps {
		slices.Sort(e.Targets)
	}
	return st, nil
}

// Records lists every SkyDNS record under the prefix that the domain
// filter allows. Several keys serving one name and type are one endpoint;
// a key exodns cannot read (an SRV, a malformed value) is left out, and
// so never changed.
func (p *Provider) Records(ctx context.Context) ([]*endpoint.Endpoint, error) {
	st, err := p.read(ctx)
	if err != nil {
		return nil, err
	}
	return st.eps, nil
}

// ZoneVersion implements provider.Versioned with the prefix's stamp (see
// PrefixStamp): one range request that reads no value, instead of every
// key, so a converged controller's resyncs read nothing more. It moves
// with every change under the prefix, anyone's; while etcd cannot be
// asked, it is new at every call, so the controller reads the zone and
// meets the error.
func (p *Provider) ZoneVersion() uint64 {
	ctx, cancel := provider.StampContext(p.cfg.Timeout)
	defer cancel()
	st, err := p.client.Stamp(ctx, p.cfg.Prefix)
	if err != nil {
		p.log.Debug("coredns: prefix stamp unknown; the zone is read whole", "err", err)
	}
	return p.stamps.Observe(st, err == nil)
}

// AdjustEndpoints puts desired endpoints in the form Records reports them
// (TXT in quotes, only the coredns/group property) and holds what SkyDNS
// cannot hold: a set identifier, a type other than A, AAAA, CNAME, TXT, a
// bad target.
func (p *Provider) AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	out := make([]*endpoint.Endpoint, len(eps))
	for i, e := range eps {
		out[i] = e
		if e.Held() {
			continue
		}
		c := e.DeepCopy()
		c.ProviderSpecific = nil
		if g, ok := e.ProviderSpecific.Get(GroupProperty); ok && g != "" {
			c.WithProviderSpecific(GroupProperty, g)
		}
		if c.RecordType == endpoint.RecordTypeTXT {
			for j, t := range c.Targets {
				c.Targets[j] = zone.QuoteTXT(t)
			}
		}
		if c.SetIdentifier != "" {
			c.WithLabel(endpoint.HoldLabel, "coredns: SkyDNS has no routing policies, so a set identifier cannot be written")
		} else if len(c.Targets) == 0 {
			c.WithLabel(endpoint.HoldLabel, "coredns: no targets")
		} else {
			for _, t := range c.Targets {
				if _, err := encode(c, t, 0); err != nil {
					c.WithLabel(endpoint.HoldLabel, "coredns: "+err.Error())
					break
				}
			}
		}
		out[i] = c
	}
	return out, nil
}
