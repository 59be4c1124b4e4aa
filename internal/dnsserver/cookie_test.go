package dnsserver

import (
	"bytes"
	"encoding/hex"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestServerCookieRFC9018Vectors makes and checks the server cookies of
// RFC 9018 appendix A, so ours interoperate with every other server of an
// anycast set sharing the secret.
func TestServerCookieRFC9018Vectors(t *testing.T) {
	for _, tc := range []struct {
		name, secret, client, ip string
		at                       uint32
		server                   string
	}{
		{"A.1", "e5e973e5a6b2a43f48e7dc849e37bfcf", "2464c4abcf10c957", "198.51.100.100", 1559731985, "010000005cf79f111f8130c3eee29480"},
		{"A.2", "e5e973e5a6b2a43f48e7dc849e37bfcf", "2464c4abcf10c957", "198.51.100.100", 1559734385, "010000005cf7a871d4a564a1442aca77"},
		{"A.3", "e5e973e5a6b2a43f48e7dc849e37bfcf", "fc93fc62807ddb86", "203.0.113.203", 1559734700, "010000005cf7a9acf73a7810aca2381e"},
		{"A.4", "445536bcd2513298075a5d379663c962", "22681ab97d52c298", "2001:db8:220:1:59de:d0f4:8769:82b8", 1559741961, "010000005cf7c609a6bb79d16625507a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newCookieSecret(mustHex(t, tc.secret))
			ip := netip.MustParseAddr(tc.ip)
			got := s.make(mustHex(t, tc.client), ip, tc.at)
			if hex.EncodeToString(got[:]) != tc.server {
				t.Errorf("server cookie %x, want %s", got, tc.server)
			}
			if !s.valid(mustHex(t, tc.client), mustHex(t, tc.server), ip, tc.at+100) {
				t.Error("our own cookie does not verify")
			}
		})
	}
	// What clients send back, from the same appendix: reserved bytes set by
	// the client are hashed as sent; a cookie of the old secret still
	// verifies with it, not with the new one.
	s := newCookieSecret(mustHex(t, "e5e973e5a6b2a43f48e7dc849e37bfcf"))
	c := mustHex(t, "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5")
	stamped := uint32(1559727985) // 5cf78f71, the cookie's timestamp
	if !s.valid(c[:8], c[8:], netip.MustParseAddr("203.0.113.203"), stamped+60) {
		t.Error("A.3 cookie with reserved bytes set: not valid")
	}
	if s.valid(c[:8], c[8:], netip.MustParseAddr("203.0.113.203"), 1559734700) {
		t.Error("A.3 cookie valid although older than an hour")
	}
	if s.valid(c[:8], c[8:], netip.MustParseAddr("203.0.113.204"), stamped+60) {
		t.Error("a cookie from another address is valid")
	}
	old := mustHex(t, "22681ab97d52c298010000005cf7c57926556bd0934c72f8")
	ip := netip.MustParseAddr("2001:db8:220:1:59de:d0f4:8769:82b8")
	if !newCookieSecret(mustHex(t, "dd3bdf9344b678b185a6f5cb60fca715")).valid(old[:8], old[8:], ip, 1559741961) {
		t.Error("A.4 cookie with the old secret: not valid")
	}
	if newCookieSecret(mustHex(t, "445536bcd2513298075a5d379663c962")).valid(old[:8], old[8:], ip, 1559741961) {
		t.Error("A.4 cookie valid with the new secret")
	}
	// Lifetime: an hour back, five minutes ahead.
	sc := s.make(c[:8], netip.MustParseAddr("192.0.2.1"), 1000000)
	for at, want := range map[uint32]bool{1000000 + 3600: true, 1000000 + 3601: false, 1000000 - 300: true, 1000000 - 301: false} {
		if got := s.valid(c[:8], sc[:], netip.MustParseAddr("192.0.2.1"), at); got != want {
			t.Errorf("cookie stamped 1000000, checked at %d: valid=%v, want %v", at, got, want)
		}
	}
}

// cookieQuery is a query for name carrying cookie (hex); name "" makes it
// a cookie-only query without a question.
func cookieQuery(name, cookie string) *dns.Msg {
	m := new(dns.Msg)
	if name != "" {
		m = query(name, dns.TypeA)
	}
	m.SetEdns0(1232, false)
	m.IsEdns0().Option = []dns.EDNS0{&dns.EDNS0_COOKIE{Code: dns.EDNS0COOKIE, Cookie: cookie}}
	return m
}

// responseCookie returns the COOKIE option of a response, as hex.
func responseCookie(m *dns.Msg) string {
	if o := m.IsEdns0(); o != nil {
		for _, e := range o.Option {
			if c, ok := e.(*dns.EDNS0_COOKIE); ok {
				return c.Cookie
			}
		}
	}
	return ""
}

// TestCookies drives the UDP loop (fake socket, fake clock) with a rate
// limit of one response a second. A client cookie alone gets a server
// cookie back, and is rate limited, its slips being BADCOOKIE with a fresh
// cookie; a client presenting our server cookie is let by the limit; a
// cookie-only query (no question) gets NOERROR and a cookie (RFC 7873
// section 5.4).
func TestCookies(t *testing.T) {
	u, conn, clock := rrlServer(t, RRLConfig{ResponsesPerSecond: 1, Slip: 1, Window: 15}, nil)
	st := u.newState()
	from := netip.MustParseAddrPort("192.0.2.7:4000")
	ask := func(m *dns.Msg) *dns.Msg {
		t.Helper()
		p, err := m.Pack()
		if err != nil {
			t.Fatal(err)
		}
		before := len(conn.sent[from.Addr()])
		u.handle(st, p, from)
		if got := conn.sent[from.Addr()]; len(got) == before+1 {
			return got[before]
		}
		t.Fatalf("no answer to\n%v", m)
		return nil
	}
	const client = "0102030405060708"
	now := uint32(clock.t.Unix())
	wantCookie := func() string {
		sc := u.h.cookies.make(mustHex(t, client), from.Addr(), now)
		return client + hex.EncodeToString(sc[:])
	}

	// First contact: answered, with our server cookie.
	r := ask(cookieQuery("www.example.com.", client))
	if r.Rcode != dns.RcodeSuccess || len(r.Answer) != 2 || responseCookie(r) != wantCookie() {
		t.Fatalf("client cookie only:\n%v\nwant cookie %s", r, wantCookie())
	}
	// Over the limit without a valid server cookie: BADCOOKIE, with the
	// cookie to retry with.
	bad := client + "01000000" + hex.EncodeToString([]byte{0, 0, 0, 0}) + "0000000000000000"
	r = ask(cookieQuery("www.example.com.", bad))
	if r.Rcode != dns.RcodeBadCookie || len(r.Answer) != 0 || responseCookie(r) != wantCookie() {
		t.Fatalf("limited, bad server cookie:\n%v", r)
	}
	// With our server cookie, the limit does not apply.
	for i := range 20 {
		r = ask(cookieQuery("www.example.com.", wantCookie()))
		if r.Rcode != dns.RcodeSuccess || len(r.Answer) != 2 || r.Truncated || responseCookie(r) != wantCookie() {
			t.Fatalf("query %d with a valid server cookie:\n%v", i, r)
		}
	}
	// Without a cookie at all, the limit slips to TC.
	r = ask(query("www.example.com.", dns.TypeA))
	if !r.Truncated || len(r.Answer) != 0 {
		t.Fatalf("limited, no cookie:\n%v", r)
	}
	// A cookie-only query.
	clock.t = clock.t.Add(time.Hour)
	now = uint32(clock.t.Unix())
	r = ask(cookieQuery("", client))
	if r.Rcode != dns.RcodeSuccess || len(r.Question)+len(r.Answer)+len(r.Ns) != 0 || responseCookie(r) != wantCookie() {
		t.Fatalf("cookie-only query:\n%v", r)
	}
}

// rawConn records the packed responses as sent.
type rawConn struct{ sent [][]byte }

func (r *rawConn) ReadFromUDPAddrPort([]byte) (int, netip.AddrPort, error) {
	return 0, netip.AddrPort{}, net.ErrClosed
}
func (r *rawConn) WriteToUDPAddrPort(b []byte, _ netip.AddrPort) (int, error) {
	r.sent = append(r.sent, bytes.Clone(b))
	return len(b), nil
}
func (r *rawConn) LocalAddr() net.Addr { return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53} }

// TestFastPathCookies: a query with a cookie is answered from the cache
// (the first answer is cached without the cookie) with the same bytes the
// full path sends: the client's cookie and a fresh server cookie. The
// cached answer serves clients without a cookie too, and a buffer too
// small for the cookie goes to the full path.
func TestFastPathCookies(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	a := newAuthority(t, []string{"example.com", "example.org"}, fixture()...)
	cfg := Config{RRsetOrder: OrderFixed, now: clock.now}.withDefaults()
	conn := &rawConn{}
	u := &udpServer{conn: conn, h: NewHandler(a, cfg)}
	st := u.newState()
	from := netip.MustParseAddrPort("192.0.2.7:4000")
	const client = "0102030405060708"
	sc := u.h.cookies.make(mustHex(t, client), from.Addr(), uint32(clock.t.Unix()))
	server := hex.EncodeToString(sc[:])
	for _, tc := range []struct{ name, cookie string }{
		{"client cookie", client},
		{"valid server cookie", client + server},
		{"unknown server cookie", client + "0100000000000000deadbeefdeadbeef"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a.snap.Store(a.Snapshot().with()) // an empty cache
			q := cookieQuery("mx.example.com.", tc.cookie)
			q.Question[0].Qtype = dns.TypeMX
			p, _ := q.Pack()
			fq, fast := parseFast(p, nil)
			if !fast || fq.cookie == nil {
				t.Fatal("a query with a cookie must take the fast path")
			}
			conn.sent = nil
			u.handle(st, p, from) // miss: the full path answers and caches
			plain := cookieQuery("mx.example.com.", client)
			plain.Question[0].Qtype = dns.TypeMX
			plain.IsEdns0().Option = nil
			pp, _ := plain.Pack()
			pq, _ := parseFast(pp, nil)
			if resp, _ := a.Snapshot().answers().get(pp, pq, nil, OrderFixed); resp == nil {
				t.Fatal("the answer to a cookie query was not cached for everyone")
			}
			u.handle(st, p, from) // hit
			if len(conn.sent) != 2 || !bytes.Equal(conn.sent[0], conn.sent[1]) {
				t.Fatalf("fast answer differs from the full path's:\n%x\n%x", conn.sent[0], conn.sent[len(conn.sent)-1])
			}
			var r dns.Msg
			if err := r.Unpack(conn.sent[1]); err != nil {
				t.Fatal(err)
			}
			if responseCookie(&r) != client+server || len(r.Answer) != 1 || len(r.Extra) != 2 {
				t.Errorf("answer:\n%v\nwant cookie %s", &r, client+server)
			}
		})
	}
	// A 512-byte buffer with an answer that fills it: no room for the
	// cookie on the fast path, so the full path answers, cutting records.
	q := cookieQuery("txt.example.com.", client)
	q.IsEdns0().SetUDPSize(512)
	q.Question[0].Qtype = dns.TypeTXT
	p, _ := q.Pack()
	conn.sent = nil
	for range 2 {
		u.handle(st, p, from)
	}
	for _, b := range conn.sent {
		if len(b) > 512 {
			t.Errorf("answer of %d bytes to a 512-byte buffer", len(b))
		}
	}
}
