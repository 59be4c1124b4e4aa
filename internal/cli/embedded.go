package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync/atomic"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/config"
	"github.com/exodns/exodns/internal/controller"
	"github.com/exodns/exodns/internal/dnsserver"
	"github.com/exodns/exodns/internal/dnsserver/store"
	"github.com/exodns/exodns/internal/kube"
	"github.com/exodns/exodns/internal/peering"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/provider/embedded"
)

// embeddedServer is the authoritative server behind --provider=embedded: its
// store, the answering authority, and the listener.
type embeddedServer struct {
	store  *store.Store
	auth   *dnsserver.Authority
	server *dnsserver.Server
	gslb   *gslbParts
	peers  *peering.Peering
}

func newEmbedded(cfg *config.Config, log *slog.Logger, reg prometheus.Registerer) (*embeddedServer, provider.Provider, error) {
	scfg, err := embeddedServerConfig(cfg, log)
	if err != nil {
		return nil, nil, err
	}
	onCorrupt, err := store.ParseOnCorrupt(cfg.Embedded.DBOnCorrupt)
	if err != nil {
		return nil, nil, fmt.Errorf("--embedded-db-on-corrupt: %w", err)
	}
	var st *store.Store
	switch cfg.Embedded.DB {
	case ":memory:":
		st = store.NewMemory(cfg.Embedded.Zone)
	default:
		path := cfg.Embedded.DB
		if path == "" {
			var err error
			if path, err = store.DefaultDBPath(); err != nil {
				return nil, nil, err
			}
		}
		if st, err = store.OpenWith(path, cfg.Embedded.Zone, store.Options{OnCorrupt: onCorrupt, Logger: log}); err != nil {
			return nil, nil, err
		}
	}
	g, err := newGSLB(cfg.GSLB, log, reg)
	if err != nil {
		_ = st.Close()
		return nil, nil, err
	}
	auth, err := dnsserver.NewAuthority(st, dnsserver.ZoneOptions{
		NameServers: cfg.Embedded.Nameservers,
		NegativeTTL: cfg.Embedded.NegativeTTL,
		Regions:     g.regions,
	}, reg)
	if err != nil {
		_ = g.close()
		_ = st.Close()
		return nil, nil, err
	}
	auth.Watch(func(s *dnsserver.Snapshot) {
		if err := g.router.Sync(s); err != nil {
			log.Warn("health checks not all started", "err", err)
		}
	})
	scfg.Selector = g.router
	pe, err := newPeering(cfg, auth, log, reg)
	if err != nil {
		_ = g.close()
		_ = st.Close()
		return nil, nil, err
	}
	if pe != nil {
		scfg.OnNotify = pe.Notified
	}
	srv, err := dnsserver.New(auth, scfg, reg)
	if err != nil {
		_ = g.close()
		_ = st.Close()
		return nil, nil, err
	}
	return &embeddedServer{store: st, auth: auth, server: srv, gslb: g, peers: pe}, embedded.New(auth, cfg.Embedded.Zone...), nil
}

// embeddedServerConfig turns the --embedded-* flags into the server's
// Config, checking each.
func embeddedServerConfig(cfg *config.Config, log *slog.Logger) (dnsserver.Config, error) {
	scfg := dnsserver.Config{
		Listen: cfg.Embedded.Listen, Logger: log,
		MaxTCPConnections: cfg.Embedded.TCPMaxConnections, MaxTCPConnectionsPerClient: cfg.Embedded.TCPMaxConnectionsPerClient,
		IdleTimeout: cfg.Embedded.TCPIdleTimeout, UDPReaders: cfg.Embedded.UDPSockets,
		RRL: dnsserver.RRLConfig{
			ResponsesPerSecond: cfg.Embedded.RRLResponsesPerSecond, Slip: cfg.Embedded.RRLSlip,
			IPv4PrefixLen: cfg.Embedded.RRLIPv4Prefix, IPv6PrefixLen: cfg.Embedded.RRLIPv6Prefix, Window: cfg.Embedded.RRLWindow,
		},
	}
	var err error
	if err := scfg.RRL.Validate(); err != nil {
		return scfg, fmt.Errorf("--embedded-rrl-*: %w", err)
	}
	if cfg.Embedded.TSIGKey != "" {
		key, err := dnsserver.ParseTSIGKey(cfg.Embedded.TSIGKey)
		if err != nil {
			return scfg, fmt.Errorf("--embedded-tsig-key: %w", err)
		}
		scfg.TSIG = &key
	}
	for _, s := range cfg.Embedded.UpdateKeys {
		uk, err := dnsserver.ParseUpdateKey(s)
		if err != nil {
			return scfg, fmt.Errorf("--embedded-update-key: %w", err)
		}
		// One key may be both: it transfers, and updates its subtrees
		// (an RFC 2136 client such as external-dns's reads by AXFR).
		if t := scfg.TSIG; t != nil && strings.EqualFold(uk.Name, t.Name) && (uk.Secret != t.Secret || uk.Algorithm != t.Algorithm) {
			return scfg, fmt.Errorf("--embedded-update-key: %s names the transfer key (--embedded-tsig-key) with another secret", uk.Name)
		}
		scfg.UpdateKeys = append(scfg.UpdateKeys, uk)
	}
	if scfg.RRsetOrder, err = dnsserver.ParseRRsetOrder(cfg.Embedded.RRsetOrder); err != nil {
		return scfg, fmt.Errorf("--embedded-rrset-order: %w", err)
	}
	for _, s := range cfg.Embedded.NotifyAllow {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return scfg, fmt.Errorf("--embedded-notify-allow %q: not a CIDR or an address", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		scfg.NotifyAllow = append(scfg.NotifyAllow, p.Masked())
	}
	if cfg.Embedded.CookieSecret != "" {
		if scfg.CookieSecret, err = dnsserver.ParseCookieSecret(cfg.Embedded.CookieSecret); err != nil {
			return scfg, fmt.Errorf("--embedded-cookie-secret: %w", err)
		}
	}
	return scfg, nil
}

// start begins answering; the server stops when ctx ends.
func (e *embeddedServer) start(ctx context.Context, log *slog.Logger) error {
	if err := e.server.Start(ctx); err != nil {
		return err
	}
	if e.peers != nil {
		go e.peers.Run(ctx)
	}
	log.Info("embedded DNS server answering", "address", e.server.Addr(), "zones", e.auth.Zones())
	return nil
}

func (e *embeddedServer) close(ctx context.Context) {
	_ = e.server.Shutdown(ctx)
	_ = e.gslb.close()
	_ = e.store.Close()
}

// explain adds the routed sets of a name and their health.
func (e *embeddedServer) explain(x *controller.Explanation) {
	for _, s := range e.gslb.router.Explain(e.auth.Snapshot(), x.Name) {
		x.Sets = append(x.Sets, controller.SetHealth{SetIdentifier: s.SetIdentifier, Policy: s.Policy, Targets: s.Targets})
	}
}

// versions returns the zones' serials and digests.
func (e *embeddedServer) versions() map[string]kube.ZoneVersion {
	out := map[string]kube.ZoneVersion{}
	for zone, v := range e.auth.Versions() {
		out[zone] = kube.ZoneVersion{Serial: v.Serial, Digest: v.Digest}
	}
	return out
}

// adopt takes the leader's serial for each zone whose records match.
func (e *embeddedServer) adopt(published map[string]kube.ZoneVersion, log *slog.Logger) {
	for zone, v := range published {
		changed, err := e.auth.AdoptSerial(zone, dnsserver.ZoneVersion{Serial: v.Serial, Digest: v.Digest})
		if err != nil {
			log.Warn("cannot take the leader's zone serial", "zone", zone, "err", err)
		} else if changed {
			log.Debug("zone serial taken from the leader", "zone", zone, "serial", v.Serial)
		}
	}
}

// shareSerials makes replicas agree on zone serials: after each reconcile
// the leader publishes its versions, and the others take the leader's
// serial for records they hold too, whenever either side changes.
func (e *embeddedServer) shareSerials(ctx context.Context, cluster *kube.Cluster, cfg *config.Config,
	ctl *controller.Controller, lead *atomic.Bool, log *slog.Logger) (*kube.ZoneVersions, error) {
	clients, err := cluster.NewClients()
	if err != nil {
		return nil, err
	}
	versions := kube.NewZoneVersions(clients, cfg.LeaderElectionNamespace, leaseName(cfg)+"-zones")
	var latest atomic.Pointer[map[string]kube.ZoneVersion]
	versions.Watch(ctx, func(v map[string]kube.ZoneVersion) {
		latest.Store(&v)
		if !lead.Load() {
			e.adopt(v, log)
		}
	})
	share := controller.ObserverFunc(func(controller.Outcome) {
		if lead.Load() {
			versions.Publish(e.versions())
		} else if v := latest.Load(); v != nil {
			e.adopt(*v, log)
		}
	})
	if ctl.Observer != nil {
		ctl.Observer = controller.Observers{ctl.Observer, share}
	} else {
		ctl.Observer = share
	}
	return versions, nil
}

// newPeering connects this server to the other clusters' (--gslb-peer):
// their records are pulled and answered beside ours, and they are told by
// NOTIFY whenever ours change.
func newPeering(cfg *config.Config, auth *dnsserver.Authority, log *slog.Logger, reg prometheus.Registerer) (*peering.Peering, error) {
	if len(cfg.GSLB.Peers) == 0 {
		return nil, nil
	}
	var peers []peering.Peer
	for _, s := range cfg.GSLB.Peers {
		p, err := peering.ParsePeer(s)
		if err != nil {
			return nil, fmt.Errorf("--gslb-peer: %w", err)
		}
		peers = append(peers, p)
	}
	if cfg.Embedded.TSIGKey == "" {
		return nil, fmt.Errorf("--gslb-peer needs --embedded-tsig-key: peers transfer zones signed with it")
	}
	key, err := dnsserver.ParseTSIGKey(cfg.Embedded.TSIGKey)
	if err != nil {
		return nil, fmt.Errorf("--embedded-tsig-key: %w", err)
	}
	pe, err := peering.New(peering.Config{Zones: cfg.Embedded.Zone, Peers: peers, Key: key, Refresh: cfg.GSLB.PeerRefresh,
		Auth: auth, Log: log, Registerer: reg})
	if err != nil {
		return nil, err
	}
	// Our own records are versioned by the SOA serial: when one moves,
	// the peers are told.
	last := map[string]uint32{}
	auth.Watch(func(s *dnsserver.Snapshot) {
		moved := false
		for _, z := range cfg.Embedded.Zone {
			serial, _ := s.Serial(dns.Fqdn(strings.ToLower(z)))
			if old, ok := last[z]; ok && old != serial {
				moved = true
			}
			last[z] = serial
		}
		if moved {
			pe.Changed()
		}
	})
	return pe, nil
}
