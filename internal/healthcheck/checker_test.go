package healthcheck

import (
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exodns/exodns/internal/gslb"
)

func TestHTTPHealthyWithHostHeader(t *testing.T) {
	var wantHost, gotPath, gotUA atomic.Value
	wantHost.Store("")
	srv := serveOn(t, "127.0.0.2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath.Store(r.URL.RequestURI())
		gotUA.Store(r.UserAgent())
		if r.Host != wantHost.Load() {
			// As an ingress would: an unknown host is not this backend.
			http.Error(w, "no such host", http.StatusNotFound)
		}
	}))
	// A non-default port travels in the Host header, as browsers send it.
	wantHost.Store("app.example.com:" + portOf(srv.Listener.Addr().String()))
	c, events := newChecker(t, Options{})
	ch := fast(gslb.CheckHTTP, srv.Listener.Addr().String())
	ch.Host, ch.Path = "app.example.com", "/healthz?deep=1"
	if err := c.Set(map[string]Check{"a": ch}); err != nil {
		t.Fatal(err)
	}
	if st := c.Status("a"); st.Health != gslb.HealthUnknown {
		t.Errorf("before any result: %s, want unknown", st.Health)
	}
	st := waitHealth(t, events, "a", gslb.Healthy)
	if st.Successes < 2 || st.LastCheck.IsZero() || st.LastError != "" {
		t.Errorf("status %+v", st)
	}
	if gotPath.Load() != "/healthz?deep=1" || gotUA.Load() != "exodns-healthcheck" {
		t.Errorf("request: path %v user agent %v", gotPath.Load(), gotUA.Load())
	}
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

func TestHTTP503Then200(t *testing.T) {
	var ok atomic.Bool
	srv := serveOn(t, "127.0.0.2", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !ok.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	reg := newRegistry()
	c, events := newChecker(t, Options{Registerer: reg})
	if err := c.Set(map[string]Check{"a": fast(gslb.CheckHTTP, srv.Listener.Addr().String())}); err != nil {
		t.Fatal(err)
	}
	st := waitHealth(t, events, "a", gslb.Unhealthy)
	if !strings.Contains(st.LastError, "status 503") || st.Failures < 2 {
		t.Errorf("unhealthy status %+v", st)
	}
	ok.Store(true)
	st = waitHealth(t, events, "a", gslb.Healthy)
	if st.Successes < 2 || !strings.Contains(st.LastError, "503") {
		t.Errorf("healthy status %+v (the last error should stay)", st)
	}
	if n := counterValue(t, reg, "external_dns_healthcheck_checks_total", "result", "status"); n < 2 {
		t.Errorf("checks_total{result=status} = %v, want ≥ 2", n)
	}
	if n := counterValue(t, reg, "external_dns_healthcheck_transitions_total", "to", "healthy"); n != 1 {
		t.Errorf("transitions_total{to=healthy} = %v, want 1", n)
	}
}

func TestHTTPTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := serveOn(t, "127.0.0.2", http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select { // hang until the checker gives up (or the test ends)
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer close(release)
	reg := newRegistry()
	c, events := newChecker(t, Options{Registerer: reg})
	ch := fast(gslb.CheckHTTP, srv.Listener.Addr().String())
	ch.Timeout = 50 * time.Millisecond
	if err := c.Set(map[string]Check{"a": ch}); err != nil {
		t.Fatal(err)
	}
	st := waitHealth(t, events, "a", gslb.Unhealthy)
	if !strings.Contains(st.LastError, "timed out") {
		t.Errorf("LastError = %q, want a timeout", st.LastError)
	}
	if n := counterValue(t, reg, "external_dns_healthcheck_checks_total", "result", "timeout"); n < 2 {
		t.Errorf("checks_total{result=timeout} = %v, want ≥ 2", n)
	}
}

func TestTCPListenerClosed(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.3:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // accept and hang up, until the listener closes
		defer wg.Done()
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			_ = conn.Close()
		}
	}()
	reg := newRegistry()
	c, events := newChecker(t, Options{Registerer: reg})
	ch := fast(gslb.CheckTCP, l.Addr().String())
	ch.Path = ""
	if err := c.Set(map[string]Check{"db": ch}); err != nil {
		t.Fatal(err)
	}
	waitHealth(t, events, "db", gslb.Healthy)
	_ = l.Close()
	wg.Wait()
	st := waitHealth(t, events, "db", gslb.Unhealthy)
	if !strings.Contains(st.LastError, "refused") {
		t.Errorf("LastError = %q, want connection refused", st.LastError)
	}
	if n := counterValue(t, reg, "external_dns_healthcheck_checks_total", "result", "connect"); n < 2 {
		t.Errorf("checks_total{result=connect} = %v, want ≥ 2", n)
	}
}

func TestHTTPBodyMatch(t *testing.T) {
	srv := serveOn(t, "127.0.0.2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/long" {
			// The marker sits past the 5,120 bytes a body match reads.
			_, _ = io.WriteString(w, strings.Repeat("x", gslb.BodyLimit)+"cluster-a")
			return
		}
		_, _ = io.WriteString(w, "served by cluster-a\n")
	}))
	addr := srv.Listener.Addr().String()
	c, events := newChecker(t, Options{})
	match, miss, long := fast(gslb.CheckHTTP, addr), fast(gslb.CheckHTTP, addr), fast(gslb.CheckHTTP, addr)
	match.Body, miss.Body = "cluster-a", "cluster-b"
	long.Body, long.Path = "cluster-a", "/long"
	if err := c.Set(map[string]Check{"match": match, "miss": miss, "long": long}); err != nil {
		t.Fatal(err)
	}
	waitHealth(t, events, "match", gslb.Healthy)
	st := waitHealth(t, events, "miss", gslb.Unhealthy)
	if !strings.Contains(st.LastError, `do not contain "cluster-b"`) {
		t.Errorf("LastError = %q", st.LastError)
	}
	waitHealth(t, events, "long", gslb.Unhealthy)
}

func TestHTTPRedirectIsNotFollowed(t *testing.T) {
	var hits atomic.Int64
	elsewhere := serveOn(t, "127.0.0.3", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	srv := serveOn(t, "127.0.0.2", http.RedirectHandler(elsewhere.URL, http.StatusFound))
	c, events := newChecker(t, Options{})
	def, strict := fast(gslb.CheckHTTP, srv.Listener.Addr().String()), fast(gslb.CheckHTTP, srv.Listener.Addr().String())
	strict.Statuses = []gslb.StatusRange{{Min: 200, Max: 299}}
	if err := c.Set(map[string]Check{"default": def, "strict": strict}); err != nil {
		t.Fatal(err)
	}
	waitHealth(t, events, "default", gslb.Healthy) // 302 is in 200-399
	st := waitHealth(t, events, "strict", gslb.Unhealthy)
	if !strings.Contains(st.LastError, "status 302") {
		t.Errorf("LastError = %q", st.LastError)
	}
	if hits.Load() != 0 {
		t.Errorf("the redirect was followed %d times", hits.Load())
	}
}

func TestHTTPSVerification(t *testing.T) {
	var sni atomic.Value
	srv := serveTLS(t, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { sni.Store(r.TLS.ServerName) }))
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	addr := srv.Listener.Addr().String()
	https := func(host string) Check {
		ch := fast(gslb.CheckHTTPS, addr)
		ch.Host = host
		return ch
	}
	tests := []struct {
		name string
		opts Options
		host string
		want gslb.Health
		err  string
	}{
		{name: "self-signed accepted by default", host: "example.com", want: gslb.Healthy},
		{name: "verified against the server's CA", opts: Options{VerifyTLS: true, RootCAs: roots}, host: "example.com", want: gslb.Healthy},
		{name: "unknown CA refused when verifying", opts: Options{VerifyTLS: true}, host: "example.com", want: gslb.Unhealthy, err: "certificate"},
		{name: "wrong name refused when verifying", opts: Options{VerifyTLS: true, RootCAs: roots}, host: "other.test", want: gslb.Unhealthy, err: "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := newRegistry()
			tt.opts.Registerer = reg
			c, events := newChecker(t, tt.opts)
			if err := c.Set(map[string]Check{"a": https(tt.host)}); err != nil {
				t.Fatal(err)
			}
			st := waitHealth(t, events, "a", tt.want)
			if tt.err != "" {
				if !strings.Contains(st.LastError, tt.err) {
					t.Errorf("LastError = %q, want %q", st.LastError, tt.err)
				}
				if n := counterValue(t, reg, "external_dns_healthcheck_checks_total", "result", "tls"); n < 1 {
					t.Errorf("checks_total{result=tls} = %v", n)
				}
			} else if sni.Load() != tt.host {
				t.Errorf("SNI = %v, want %s", sni.Load(), tt.host)
			}
		})
	}
}

func TestConcurrencyIsBounded(t *testing.T) {
	var inFlight, peak atomic.Int64
	srv := serveOn(t, "127.0.0.2", http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) {
		n := inFlight.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(20 * time.Millisecond) // hold the slot so checks overlap
		inFlight.Add(-1)
	}))
	const limit, n = 2, 8
	c, events := newChecker(t, Options{MaxConcurrent: limit})
	checks := map[string]Check{}
	for i := range n {
		ch := fast(gslb.CheckHTTP, srv.Listener.Addr().String())
		ch.Path = fmt.Sprintf("/%d", i)
		checks[fmt.Sprint(i)] = ch
	}
	if err := c.Set(checks); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		waitHealth(t, events, fmt.Sprint(i), gslb.Healthy)
	}
	if p := peak.Load(); p > limit || p < 1 {
		t.Errorf("peak concurrent checks %d, want 1..%d", p, limit)
	}
}

func TestSetReconciles(t *testing.T) {
	srv := serveOn(t, "127.0.0.2", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	reg := newRegistry()
	c, events := newChecker(t, Options{Registerer: reg})
	a, b := fast(gslb.CheckHTTP, srv.Listener.Addr().String()), fast(gslb.CheckHTTP, srv.Listener.Addr().String())
	b.Path = "/b"
	if err := c.Set(map[string]Check{"a": a, "b": b}); err != nil {
		t.Fatal(err)
	}
	waitHealth(t, events, "a", gslb.Healthy)
	waitHealth(t, events, "b", gslb.Healthy)
	if v := gaugeValue(t, reg, "external_dns_healthcheck_checks_running"); v != 2 {
		t.Errorf("checks_running = %v, want 2", v)
	}

	// b goes, a changes its settings under the same ID, c is new.
	a2 := a
	a2.Rise = 3
	cc := fast(gslb.CheckHTTP, srv.Listener.Addr().String())
	cc.Path = "/c"
	if err := c.Set(map[string]Check{"a": a2, "c": cc}); err != nil {
		t.Fatal(err)
	}
	if st := c.Status("b"); st.Health != gslb.HealthUnknown || !st.Since.IsZero() {
		t.Errorf("removed check still has status %+v", st)
	}
	if st := c.Status("a"); st.Health != gslb.Healthy || st.Successes != 0 {
		t.Errorf("changed check: %+v, want healthy kept with counts reset", st)
	}
	if st := c.Status("c"); st.Health != gslb.HealthUnknown || st.Since.IsZero() {
		t.Errorf("new check: %+v", st)
	}
	waitHealth(t, events, "c", gslb.Healthy)
	if v := gaugeValue(t, reg, "external_dns_healthcheck_checks_running"); v != 2 {
		t.Errorf("checks_running = %v, want 2", v)
	}
	if n := seriesCount(t, reg, "external_dns_healthcheck_status"); n != 2 {
		t.Errorf("%d status series, want 2 (a removed check's series must go)", n)
	}
	if v := statusGauge(t, reg, "c"); v != 1 {
		t.Errorf("status{check=c} = %v, want 1", v)
	}
	for _, s := range samples(t, reg, "external_dns_healthcheck_status") {
		if s.labels["target"] != srv.Listener.Addr().String() || s.labels["kind"] != "http" {
			t.Errorf("status labels %v", s.labels)
		}
	}

	if err := c.Set(nil); err != nil {
		t.Fatal(err)
	}
	if n := seriesCount(t, reg, "external_dns_healthcheck_status"); n != 0 {
		t.Errorf("%d status series after removing every check", n)
	}
}

func TestSetRefusesInvalidChecks(t *testing.T) {
	c, _ := newChecker(t, Options{})
	err := c.Set(map[string]Check{"bad": {Kind: "icmp", Address: "127.0.0.1:1"}, "good": fast(gslb.CheckTCP, "127.0.0.1:1")})
	if err == nil || !strings.Contains(err.Error(), "healthcheck: check bad") {
		t.Errorf("err = %v", err)
	}
	if st := c.Status("good"); st.Since.IsZero() {
		t.Error("the valid check did not start")
	}
}

func TestCloseCancelsChecksInFlight(t *testing.T) {
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := serveOn(t, "127.0.0.2", http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case started <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer close(release)
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ch := fast(gslb.CheckHTTP, srv.Listener.Addr().String())
	ch.Timeout = time.Hour // only Close can end this check
	if err := c.Set(map[string]Check{"a": ch}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(waitLimit):
		t.Fatal("the check never reached the server")
	}
	closed := make(chan error)
	go func() { closed <- c.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Close did not return while a check hung")
	}
	if err := c.Set(map[string]Check{"a": ch}); err == nil {
		t.Error("Set after Close succeeded")
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestNewRefusesDoubleRegistration(t *testing.T) {
	reg := newRegistry()
	if _, err := New(Options{Registerer: reg}); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Registerer: reg}); err == nil || !strings.HasPrefix(err.Error(), "healthcheck: register metrics") {
		t.Errorf("second New on one registry: %v", err)
	}
}
