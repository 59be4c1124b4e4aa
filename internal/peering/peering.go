// Package peering makes every cluster's embedded server answer for all
// clusters, with standard DNS only: each cluster is the primary for the
// records its own sources produce; it sends NOTIFY to its peers when they
// change, and each peer pulls them by zone transfer (AXFR under TSIG),
// on NOTIFY and every refresh interval. A peer's records keep being
// answered while it is unreachable: its targets are health-checked by
// each server itself, so a cluster cut off from the others neither loses
// their records nor trusts their view of health.
package peering

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/dnsserver"
)

// Peer is another cluster's embedded server.
type Peer struct {
	Name string // names its records in logs and metrics
	Addr string // host:port of its DNS listener
}

// ParsePeer reads name=host:port.
func ParsePeer(s string) (Peer, error) {
	name, addr, ok := strings.Cut(strings.TrimSpace(s), "=")
	if !ok || name == "" {
		return Peer{}, fmt.Errorf("peering: %q: want name=host:port", s)
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return Peer{}, fmt.Errorf("peering: %q: %w", s, err)
	}
	return Peer{Name: name, Addr: addr}, nil
}

// Config configures Peering.
type Config struct {
	Zones []string
	Peers []Peer
	// Key signs SOA queries, transfers and NOTIFYs; every peer shares it.
	Key dnsserver.TSIGKey
	// Refresh is how often a peer is asked for changes without a NOTIFY.
	Refresh time.Duration
	Auth    *dnsserver.Authority
	Log     *slog.Logger
	// Registerer receives the metrics; nil registers none.
	Registerer prometheus.Registerer
}

// DefaultRefresh is Config.Refresh when unset.
const DefaultRefresh = 30 * time.Second

// Peering pulls the peers' records and tells them of ours.
type Peering struct {
	cfg     Config
	kicks   map[string]chan struct{} // by peer name
	notify  chan struct{}
	metrics *metrics

	mu     sync.Mutex
	serial map[string]uint32 // peer/zone -> serial last transferred
	failed map[string]string // peer -> last error said
}

// New checks cfg and returns a Peering; Run starts it.
func New(cfg Config) (*Peering, error) {
	if cfg.Auth == nil || len(cfg.Peers) == 0 || len(cfg.Zones) == 0 {
		return nil, errors.New("peering: an authority, zones and peers are needed")
	}
	if cfg.Key.Name == "" {
		return nil, errors.New("peering: peers transfer zones only with a TSIG key (--embedded-tsig-key)")
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = DefaultRefresh
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	p := &Peering{cfg: cfg, kicks: map[string]chan struct{}{}, notify: make(chan struct{}, 1),
		serial: map[string]uint32{}, failed: map[string]string{}}
	for _, peer := range cfg.Peers {
		p.kicks[peer.Name] = make(chan struct{}, 1)
	}
	var err error
	if p.metrics, err = newMetrics(cfg.Registerer); err != nil {
		return nil, err
	}
	return p, nil
}

// Run pulls from every peer and sends our NOTIFYs until ctx ends.
func (p *Peering) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, peer := range p.cfg.Peers {
		wg.Go(func() { p.pullLoop(ctx, peer) })
	}
	wg.Go(func() { p.notifyLoop(ctx) })
	wg.Wait()
}

// Notified is the server's OnNotify hook: a NOTIFY from a peer's address
// pulls from that peer at once.
func (p *Peering) Notified(n dnsserver.Notify) {
	for _, peer := range p.cfg.Peers {
		if host, _, err := net.SplitHostPort(peer.Addr); err == nil {
			if a, err := netip.ParseAddr(host); err == nil && a.Unmap() == n.From.Unmap() {
				kick(p.kicks[peer.Name])
			}
		}
	}
}

// Changed says our own records changed: the peers are told with NOTIFY.
func (p *Peering) Changed() { kick(p.notify) }

func kick(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func (p *Peering) pullLoop(ctx context.Context, peer Peer) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p.kicks[peer.Name]:
		}
		for _, zone := range p.cfg.Zones {
			p.pull(ctx, peer, dns.Fqdn(strings.ToLower(zone)))
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(p.cfg.Refresh)
	}
}

// pull transfers zone from peer when its serial moved, and answers with
// what it holds. A failure keeps what was there.
func (p *Peering) pull(ctx context.Context, peer Peer, zone string) {
	key := peer.Name + "/" + zone
	serial, err := p.soaSerial(ctx, peer, zone)
	if err == nil {
		p.mu.Lock()
		last, seen := p.serial[key]
		p.mu.Unlock()
		if seen && last == serial {
			p.ok(peer)
			return
		}
		var rrs []dns.RR
		if rrs, err = p.transfer(ctx, peer, zone); err == nil {
			err = p.apply(peer, zone, rrs)
			if err == nil {
				p.mu.Lock()
				p.serial[key] = serial
				p.mu.Unlock()
				p.metrics.transfers.WithLabelValues(peer.Name, "success").Inc()
				p.ok(peer)
				return
			}
		}
	}
	p.metrics.transfers.WithLabelValues(peer.Name, "error").Inc()
	p.mu.Lock()
	said := p.failed[peer.Name] == err.Error()
	p.failed[peer.Name] = err.Error()
	p.mu.Unlock()
	if !said {
		p.cfg.Log.Warn("peering: cannot pull from peer; answering with what it sent last", "peer", peer.Name,
			"addr", peer.Addr, "zone", zone, "err", err)
	}
}

func (p *Peering) ok(peer Peer) {
	p.mu.Lock()
	failed := p.failed[peer.Name] != ""
	delete(p.failed, peer.Name)
	p.mu.Unlock()
	if failed {
		p.cfg.Log.Info("peering: peer reachable again", "peer", peer.Name)
	}
	p.metrics.lastPull.WithLabelValues(peer.Name).SetToCurrentTime()
}

func (p *Peering) apply(peer Peer, zone string, rrs []dns.RR) error {
	eps, err := dnsserver.EndpointsFromTransfer(zone, rrs)
	if err != nil {
		return err
	}
	changed, err := p.cfg.Auth.SetPeer(peer.Name, zone, eps)
	if err != nil {
		return err
	}
	if changed {
		p.cfg.Log.Info("peering: records from peer applied", "peer", peer.Name, "zone", zone, "records", len(eps))
	}
	p.metrics.records.WithLabelValues(peer.Name).Set(float64(len(eps)))
	return nil
}

func (p *Peering) tsig() map[string]string {
	return map[string]string{p.cfg.Key.Name: p.cfg.Key.Secret}
}

func (p *Peering) soaSerial(ctx context.Context, peer Peer, zone string) (uint32, error) {
	m := new(dns.Msg)
	m.SetQuestion(zone, dns.TypeSOA)
	m.SetTsig(p.cfg.Key.Name, p.cfg.Key.Algorithm, 300, time.Now().Unix())
	c := &dns.Client{Net: "tcp", Timeout: 3 * time.Second, TsigSecret: p.tsig()}
	r, _, err := c.ExchangeContext(ctx, m, peer.Addr)
	if err != nil {
		return 0, fmt.Errorf("SOA query: %w", err)
	}
	if r.Rcode != dns.RcodeSuccess {
		return 0, fmt.Errorf("SOA query: %s", dns.RcodeToString[r.Rcode])
	}
	for _, rr := range r.Answer {
		if soa, ok := rr.(*dns.SOA); ok {
			return soa.Serial, nil
		}
	}
	return 0, errors.New("SOA query: no SOA in the answer")
}

func (p *Peering) transfer(ctx context.Context, peer Peer, zone string) ([]dns.RR, error) {
	m := new(dns.Msg)
	m.SetAxfr(zone)
	m.SetTsig(p.cfg.Key.Name, p.cfg.Key.Algorithm, 300, time.Now().Unix())
	tr := &dns.Transfer{DialTimeout: 3 * time.Second, ReadTimeout: 10 * time.Second, TsigSecret: p.tsig()}
	env, err := tr.In(m, peer.Addr)
	if err != nil {
		return nil, fmt.Errorf("AXFR: %w", err)
	}
	var rrs []dns.RR
	for e := range env {
		if e.Error != nil {
			return nil, fmt.Errorf("AXFR: %w", e.Error)
		}
		rrs = append(rrs, e.RR...)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	if len(rrs) < 2 {
		return nil, errors.New("AXFR: empty transfer")
	}
	return rrs, nil
}

// notifyLoop tells every peer each time our records change, coalescing
// bursts: a peer that misses one still pulls on its refresh.
func (p *Peering) notifyLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.notify:
		}
		for _, peer := range p.cfg.Peers {
			for _, zone := range p.cfg.Zones {
				if err := p.sendNotify(ctx, peer, dns.Fqdn(strings.ToLower(zone))); err != nil {
					p.cfg.Log.Debug("peering: NOTIFY not answered; the peer pulls on its refresh", "peer", peer.Name, "err", err)
					p.metrics.notifies.WithLabelValues(peer.Name, "error").Inc()
				} else {
					p.metrics.notifies.WithLabelValues(peer.Name, "success").Inc()
				}
			}
		}
	}
}

func (p *Peering) sendNotify(ctx context.Context, peer Peer, zone string) error {
	m := new(dns.Msg)
	m.SetNotify(zone)
	m.SetTsig(p.cfg.Key.Name, p.cfg.Key.Algorithm, 300, time.Now().Unix())
	c := &dns.Client{Net: "udp", Timeout: time.Second, TsigSecret: p.tsig()}
	r, _, err := c.ExchangeContext(ctx, m, peer.Addr)
	if err != nil {
		return err
	}
	if r.Rcode != dns.RcodeSuccess {
		return fmt.Errorf("NOTIFY answered %s", dns.RcodeToString[r.Rcode])
	}
	return nil
}
