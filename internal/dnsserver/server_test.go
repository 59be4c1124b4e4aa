package dnsserver

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

const testSecret = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0" // base64 "secretsecretsecretsecret"

func startServer(t *testing.T, cfg Config, reg prometheus.Registerer) (*Server, *Authority) {
	t.Helper()
	a := newAuthority(t, []string{"example.com", "example.org"}, fixture()...)
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	s, err := New(a, cfg, reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := s.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return s, a
}

func testKey(t *testing.T) *TSIGKey {
	k, err := ParseTSIGKey("xfr-key:hmac-sha256:" + testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return &k
}

func TestServerUDPAndTCPOnOnePort(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	s, _ := startServer(t, Config{UDPReaders: 2}, reg)
	for _, proto := range []string{"udp", "tcp"} {
		c := &dns.Client{Net: proto, Timeout: 2 * time.Second}
		r, _, err := c.Exchange(query("www.example.com.", dns.TypeA), s.Addr())
		if err != nil {
			t.Fatalf("%s: %v", proto, err)
		}
		if !r.Authoritative || len(r.Answer) != 2 {
			t.Errorf("%s: %v", proto, r)
		}
	}
	// The server counts a response after sending it, so the client can
	// have it before the count moves: wait for the count, not a while.
	waitCount(t, s.Handler().metrics.byRcode[0][dns.RcodeSuccess], 1)
	waitCount(t, s.Handler().metrics.byRcode[1][dns.RcodeSuccess], 1)
}

// waitCount waits until counter c reaches want, failing if it passes it or
// takes over 5 s.
func waitCount(t *testing.T, c prometheus.Counter, want float64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := testutil.ToFloat64(c)
		if got == want {
			return
		}
		if got > want || time.Now().After(deadline) {
			t.Fatalf("counter = %v, want %v", got, want)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestTransfer(t *testing.T) {
	key := testKey(t)
	s, _ := startServer(t, Config{TSIG: key}, nil)
	secrets := map[string]string{key.Name: key.Secret}

	axfr := func(secret map[string]string, qtype uint16, serial uint32) ([]dns.RR, error) {
		m := query("example.com.", qtype)
		if qtype == dns.TypeIXFR {
			m.SetIxfr("example.com.", serial, "ns1.example.com.", "hostmaster.example.com.")
		}
		if secret != nil {
			m.SetTsig(key.Name, key.Algorithm, 300, time.Now().Unix())
		}
		tr := &dns.Transfer{TsigSecret: secret, DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second}
		ch, err := tr.In(m, s.Addr())
		if err != nil {
			return nil, err
		}
		var out []dns.RR
		for env := range ch {
			if env.Error != nil {
				return nil, env.Error
			}
			out = append(out, env.RR...)
		}
		return out, nil
	}

	got, err := axfr(secrets, dns.TypeAXFR, 0)
	if err != nil {
		t.Fatalf("signed AXFR: %v", err)
	}
	if len(got) < 30 || got[0].Header().Rrtype != dns.TypeSOA || got[len(got)-1].Header().Rrtype != dns.TypeSOA {
		t.Fatalf("AXFR: %d records, first %v, last %v", len(got), got[0], got[len(got)-1])
	}
	if _, err := axfr(nil, dns.TypeAXFR, 0); err == nil || !strings.Contains(err.Error(), "rcode: 5") {
		t.Errorf("unsigned AXFR: err = %v, want REFUSED", err)
	}
	if got, err := axfr(secrets, dns.TypeIXFR, 2); err != nil || len(got) != 1 {
		t.Errorf("IXFR at the current serial: %d records, %v; want the SOA alone", len(got), err)
	}
	if got, err := axfr(secrets, dns.TypeIXFR, 1); err != nil || len(got) < 30 {
		t.Errorf("IXFR from an old serial: %d records, %v; want a full transfer", len(got), err)
	}

	// A key of the same name with another secret fails verification.
	wrong := map[string]string{key.Name: "d3Jvbmd3cm9uZ3dyb25nd3Jvbmc="}
	m := query("example.com.", dns.TypeAXFR)
	m.SetTsig(key.Name, key.Algorithm, 300, time.Now().Unix())
	c := &dns.Client{Net: "tcp", TsigSecret: wrong, Timeout: 2 * time.Second}
	if r, _, _ := c.Exchange(m, s.Addr()); r == nil || r.Rcode != dns.RcodeNotAuth {
		t.Errorf("AXFR with a bad signature: %v, want NOTAUTH (BADSIG)", r)
	}
	// A signed ordinary query gets a signed answer the client verifies.
	c = &dns.Client{Net: "udp", TsigSecret: secrets, Timeout: 2 * time.Second}
	m = query("www.example.com.", dns.TypeA)
	m.SetTsig(key.Name, key.Algorithm, 300, time.Now().Unix())
	if r, _, err := c.Exchange(m, s.Addr()); err != nil || r.IsTsig() == nil || len(r.Answer) != 2 {
		t.Errorf("signed query: %v, %v", r, err)
	}
}

// TestHostilePackets sends what a fuzzer or an attacker would, straight
// onto the sockets; the server must stay up and keep answering.
func TestHostilePackets(t *testing.T) {
	s, _ := startServer(t, Config{ReadTimeout: 200 * time.Millisecond, IdleTimeout: 200 * time.Millisecond}, nil)
	u, err := net.Dial("udp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	valid, _ := query("www.example.com.", dns.TypeA).Pack()
	for _, p := range [][]byte{
		{}, {0}, make([]byte, 11), make([]byte, 12), make([]byte, 4000),
		append([]byte{0, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, valid[12:]...), // huge counts
		valid[:len(valid)-3],         // cut short
		append(valid[:2:2], 0x80, 0), // a response header
	} {
		_, _ = u.Write(p)
	}

	// A TCP client that says nothing, and one that promises 64 KiB and stops.
	for _, payload := range [][]byte{nil, {0xff, 0xff, 1, 2, 3}} {
		conn, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		_, _ = conn.Write(payload)
		_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		if _, err := conn.Read(make([]byte, 10)); err == nil {
			t.Error("server answered a partial TCP message")
		} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Error("server kept a silent TCP connection open past its read timeout")
		}
		conn.Close()
	}

	c := &dns.Client{Net: "udp", Timeout: 2 * time.Second}
	if r, _, err := c.Exchange(query("www.example.com.", dns.TypeA), s.Addr()); err != nil || len(r.Answer) != 2 {
		t.Fatalf("server not answering after hostile packets: %v, %v", r, err)
	}
}

func TestParseTSIGKey(t *testing.T) {
	for _, tc := range []struct {
		in, name, alg string
		ok            bool
	}{
		{"k:" + testSecret, "k.", dns.HmacSHA256, true},
		{"k.example:hmac-sha512:" + testSecret, "k.example.", dns.HmacSHA512, true},
		{"hmac-sha1:K:" + testSecret, "k.", dns.HmacSHA1, true},
		{"k:hmac-md5:" + testSecret, "", "", false},
		{"k:hmac-sha256:not base64!", "", "", false},
		{"justone", "", "", false},
	} {
		k, err := ParseTSIGKey(tc.in)
		if (err == nil) != tc.ok || (tc.ok && (k.Name != tc.name || k.Algorithm != tc.alg)) {
			t.Errorf("ParseTSIGKey(%q) = %+v, %v", tc.in, k, err)
		}
	}
}
