//go:build integration

// Package probe_test runs exodns's probes against real HTTP backends on
// 127.0.0.2 and 127.0.0.3 and a small DNS server on 127.0.0.1 whose answers
// the test controls, and checks that what they measure is what the test
// did. The pictures they draw go to $EXODNS_ARTIFACTS (else a temp dir).
package probe_test

import (
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

const (
	host = "app.probe.test"
	ipA  = "127.0.0.2"
	ipB  = "127.0.0.3"
)

// Backend modes.
const (
	serve   = iota // 200 and the cluster's page
	fail503        // 503 and the cluster's page
	hang           // never answer; the client times out
)

// backend is one cluster's web server. It can be stopped (connections
// refused) and started again on the same address.
type backend struct {
	t       *testing.T
	cluster string
	addr    string
	mode    atomic.Int32
	conns   atomic.Int64
	mu      sync.Mutex
	srv     *http.Server
}

func (b *backend) handler(w http.ResponseWriter, r *http.Request) {
	switch b.mode.Load() {
	case hang:
		<-r.Context().Done()
		return
	case fail503:
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_, _ = w.Write([]byte("<html><body><p>This application is currently running on: <b>" + b.cluster + "</b></p></body></html>"))
}

// listen starts serving on ln.
func (b *backend) serveOn(ln net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(b.handler), ReadHeaderTimeout: 5 * time.Second,
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				b.conns.Add(1)
			}
		}}
	b.mu.Lock()
	b.srv = srv
	b.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// stop closes the listener and every connection: new requests are refused.
func (b *backend) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.srv != nil {
		_ = b.srv.Close()
		b.srv = nil
	}
}

// start listens on the backend's address again.
func (b *backend) start() {
	ln, err := net.Listen("tcp", b.addr)
	if err != nil {
		b.t.Fatalf("restart %s: %v", b.addr, err)
	}
	b.serveOn(ln)
}

// startBackends starts cluster-a on 127.0.0.2 and cluster-b on 127.0.0.3 on
// one random port, as a name's targets share the URL's port.
func startBackends(t *testing.T) (a, b *backend, port int) {
	t.Helper()
	for range 20 {
		lnA, err := net.Listen("tcp", ipA+":0")
		if err != nil {
			t.Fatal(err)
		}
		port = lnA.Addr().(*net.TCPAddr).Port
		lnB, err := net.Listen("tcp", net.JoinHostPort(ipB, strconv.Itoa(port)))
		if err != nil {
			_ = lnA.Close() // taken on .3: try another port
			continue
		}
		a = &backend{t: t, cluster: "cluster-a", addr: lnA.Addr().String()}
		b = &backend{t: t, cluster: "cluster-b", addr: lnB.Addr().String()}
		a.serveOn(lnA)
		b.serveOn(lnB)
		t.Cleanup(func() { a.stop(); b.stop() })
		return a, b, port
	}
	t.Fatal("no port free on both 127.0.0.2 and 127.0.0.3")
	return nil, nil, 0
}

// dnsServer answers host's A query by a rule the test sets: a weighted
// random choice, one fixed address, or SERVFAIL. It counts what it said.
type dnsServer struct {
	addr string

	mu       sync.Mutex
	rng      *rand.Rand
	weightA  int    // percent of answers that are ipA, in weighted mode
	fixed    string // when set, the only answer
	servfail bool
	answered map[string]int
}

func startDNS(t *testing.T) *dnsServer {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &dnsServer{addr: pc.LocalAddr().String(), rng: rand.New(rand.NewPCG(10, 5)), answered: map[string]int{}}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(d.serve)}
	go func() {
		if err := srv.ActivateAndServe(); err != nil && !errors.Is(err, net.ErrClosed) {
			t.Log("dns server:", err)
		}
	}()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return d
}

func (d *dnsServer) serve(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	q := r.Question[0]
	d.mu.Lock()
	switch {
	case q.Name != dns.Fqdn(host):
		m.Rcode = dns.RcodeNameError
	case d.servfail:
		m.Rcode = dns.RcodeServerFailure
	case q.Qtype == dns.TypeA:
		ip := d.fixed
		if ip == "" {
			ip = ipB
			if d.rng.IntN(100) < d.weightA {
				ip = ipA
			}
		}
		d.answered[ip]++
		m.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 1},
			A: net.ParseIP(ip)}}
	}
	d.mu.Unlock()
	_ = w.WriteMsg(m)
}

func (d *dnsServer) set(f func(d *dnsServer)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f(d)
}

func (d *dnsServer) counts() map[string]int {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]int{}
	for k, v := range d.answered {
		out[k] = v
	}
	return out
}

// artifacts is where the probes' files go: $EXODNS_ARTIFACTS, which CI
// keeps, else a temp dir.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("EXODNS_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
