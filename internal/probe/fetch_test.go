package probe

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// targetFor returns a probe target for name on srv's port.
func targetFor(t *testing.T, scheme, name, path string, srv *httptest.Server) (Target, netip.Addr) {
	t.Helper()
	ap := netip.MustParseAddrPort(srv.Listener.Addr().String())
	tg, err := ParseTarget(scheme + "://" + name + ":" + itoa(ap.Port()) + path)
	if err != nil {
		t.Fatal(err)
	}
	return tg, ap.Addr()
}

func itoa(p uint16) string { return strconv.Itoa(int(p)) }

// TestHTTPFetcher: the request goes to the resolved address with the URL's
// host in the Host header, over a new connection each time, and a
// redirect is reported, not followed.
func TestHTTPFetcher(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "http://elsewhere.test/", http.StatusFound)
		default:
			w.Header().Set("X-Host", r.Host)
			_, _ = w.Write([]byte("running on: <b>a</b>"))
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	ctx := context.Background()
	tg, addr := targetFor(t, "http", "app.example.test", "/", srv)
	for range 3 {
		resp, err := HTTPFetcher{}.Fetch(ctx, tg, addr)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != 200 || resp.Header.Get("X-Host") != tg.URL.Host || string(resp.Body) != "running on: <b>a</b>" {
			t.Errorf("status %d host %q body %q", resp.Status, resp.Header.Get("X-Host"), resp.Body)
		}
	}
	if n := conns.Load(); n != 3 {
		t.Errorf("3 requests used %d connections, want 3 (no keep-alive)", n)
	}
	moved, _ := targetFor(t, "http", "app.example.test", "/moved", srv)
	resp, err := HTTPFetcher{}.Fetch(ctx, moved, addr)
	if err != nil || resp.Status != http.StatusFound {
		t.Errorf("redirect: status %d, %v; want 302 reported", resp.Status, err)
	}
}

// TestHTTPFetcherTLS: SNI carries the URL's host; an untrusted certificate
// fails as "tls" unless --insecure.
func TestHTTPFetcherTLS(t *testing.T) {
	var sni atomic.Value
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.TLS = &tls.Config{GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		sni.Store(h.ServerName)
		return nil, nil
	}}
	srv.StartTLS()
	defer srv.Close()
	tg, addr := targetFor(t, "https", "secure.example.test", "/", srv)
	_, err := HTTPFetcher{}.Fetch(context.Background(), tg, addr)
	if err == nil || classify(err) != KindTLS {
		t.Errorf("untrusted certificate: %v classified %q, want tls", err, classify(err))
	}
	resp, err := HTTPFetcher{Insecure: true}.Fetch(context.Background(), tg, addr)
	if err != nil || resp.Status != 200 {
		t.Fatalf("insecure: %d %v", resp.Status, err)
	}
	if got := sni.Load(); got != "secure.example.test" {
		t.Errorf("SNI %q, want the URL's host", got)
	}
}

// TestClassifyRealFailures makes each failure happen for real.
func TestClassifyRealFailures(t *testing.T) {
	// Refused: a port that was just free.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := netip.MustParseAddrPort(ln.Addr().String())
	_ = ln.Close()
	tg, _ := ParseTarget("http://app.example.test:" + itoa(closed.Port()) + "/")
	_, err = HTTPFetcher{}.Fetch(context.Background(), tg, closed.Addr())
	if k := classify(err); k != KindRefused {
		t.Errorf("closed port: %v classified %q, want refused", err, k)
	}

	// Timeout: a handler that answers only when the client has given up.
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	stg, addr := targetFor(t, "http", "app.example.test", "/", slow)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = HTTPFetcher{}.Fetch(ctx, stg, addr)
	if k := classify(err); k != KindTimeout {
		t.Errorf("slow handler: %v classified %q, want timeout", err, k)
	}

	// Reset: a server that closes the connection without answering.
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hang.Close()
	go func() {
		for {
			c, err := hang.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 1024)
			_, _ = c.Read(buf)
			_ = c.Close()
		}
	}()
	hp := netip.MustParseAddrPort(hang.Addr().String())
	htg, _ := ParseTarget("http://app.example.test:" + itoa(hp.Port()) + "/")
	_, err = HTTPFetcher{}.Fetch(context.Background(), htg, hp.Addr())
	if k := classify(err); k != KindReset {
		t.Errorf("closed without answer: %v classified %q, want reset", err, k)
	}
}
