package dnsserver

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/dnsserver/store"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// recorder is a dns.ResponseWriter that keeps what the handler wrote. It
// packs every message, so a response that could not go on the wire fails
// the test as it would fail in production.
type recorder struct {
	tcp        bool
	tsigStatus error
	msgs       []*dns.Msg
	wire       [][]byte
	t          testing.TB
}

func (r *recorder) LocalAddr() net.Addr {
	if r.tcp {
		return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53}
	}
	return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53}
}

func (r *recorder) RemoteAddr() net.Addr {
	if r.tcp {
		return &net.TCPAddr{IP: net.IPv4(192, 0, 2, 99), Port: 40000}
	}
	return &net.UDPAddr{IP: net.IPv4(192, 0, 2, 99), Port: 40000}
}

func (r *recorder) WriteMsg(m *dns.Msg) error {
	if t := m.IsTsig(); t != nil {
		// The real writer signs; here, drop the unsigned TSIG so Pack works,
		// and remember that the handler asked for a signature.
		m.Extra = m.Extra[:len(m.Extra)-1]
		defer func() { m.Extra = append(m.Extra, t) }()
	}
	b, err := m.Pack()
	if err != nil {
		if r.t != nil {
			r.t.Errorf("response does not pack: %v\n%v", err, m)
		}
		return err
	}
	r.msgs = append(r.msgs, m)
	r.wire = append(r.wire, b)
	return nil
}

func (r *recorder) Write(b []byte) (int, error) { r.wire = append(r.wire, b); return len(b), nil }
func (r *recorder) Close() error                { return nil }
func (r *recorder) TsigStatus() error           { return r.tsigStatus }
func (r *recorder) TsigTimersOnly(bool)         {}
func (r *recorder) Hijack()                     {}

func (r *recorder) last() *dns.Msg {
	if len(r.msgs) == 0 {
		return nil
	}
	return r.msgs[len(r.msgs)-1]
}

// newAuthority returns an authority over a memory store holding recs.
func newAuthority(t testing.TB, zones []string, recs ...*endpoint.Endpoint) *Authority {
	t.Helper()
	a, err := NewAuthority(store.NewMemory(zones), ZoneOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Apply(context.Background(), &plan.Changes{Create: recs}); err != nil {
		t.Fatal(err)
	}
	return a
}

func ep(name, typ string, targets ...string) *endpoint.Endpoint {
	return endpoint.New(name, typ, targets...)
}

// rrs parses zone-file lines into records, for expected sections.
func rrs(t testing.TB, lines ...string) []string {
	t.Helper()
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil || rr == nil {
			t.Fatalf("bad expected record %q: %v", l, err)
		}
		out = append(out, rr.String())
	}
	return out
}

// section renders records for comparison, leaving out OPT and TSIG, which
// the cases check by themselves.
func section(s []dns.RR) []string {
	out := []string{}
	for _, rr := range s {
		switch rr.(type) {
		case *dns.OPT, *dns.TSIG:
			continue
		}
		out = append(out, rr.String())
	}
	return out
}

func sameSection(t testing.TB, name string, got []dns.RR, want []string) {
	t.Helper()
	g := section(got)
	if want == nil {
		want = []string{}
	}
	if strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s section:\n got: %s\nwant: %s", name, strings.Join(g, "\n      "), strings.Join(want, "\n      "))
	}
}

func query(name string, qtype uint16) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.RecursionDesired = false
	return m
}
