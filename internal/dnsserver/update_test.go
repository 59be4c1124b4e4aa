package dnsserver

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

const updateSecret = "dXBkYXRlLXNlY3JldC11cGRhdGUtc2VjcmV0" // base64

func updateServer(t *testing.T) (string, *Authority) {
	t.Helper()
	uk, err := ParseUpdateKey("acme-key:hmac-sha256:" + updateSecret + ":_acme-challenge.example.com,*.dyn.example.com")
	if err != nil {
		t.Fatal(err)
	}
	s, a := startServer(t, Config{TSIG: testKey(t), UpdateKeys: []UpdateKey{uk}}, nil)
	return s.Addr(), a
}

// sendUpdate sends m over net, signed with key:secret when key is set.
func sendUpdate(t *testing.T, addr, net string, m *dns.Msg, key, secret string) *dns.Msg {
	t.Helper()
	c := &dns.Client{Net: net, Timeout: 3 * time.Second}
	if key != "" {
		m.SetTsig(key, dns.HmacSHA256, 300, time.Now().Unix())
		c.TsigSecret = map[string]string{key: secret}
	}
	in, _, err := c.Exchange(m, addr)
	if err != nil && in == nil {
		t.Fatalf("exchange: %v", err)
	}
	return in
}

func rr(t *testing.T, s string) dns.RR {
	t.Helper()
	r, err := dns.NewRR(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func answers(t *testing.T, addr, name string, qtype uint16) []string {
	t.Helper()
	in, err := dns.Exchange(query(name, qtype), addr)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range in.Answer {
		out = append(out, strings.TrimPrefix(a.String(), a.Header().String()))
	}
	slices.Sort(out)
	return out
}

func TestUpdate(t *testing.T) {
	addr, a := updateServer(t)
	serial := func() uint32 { return a.Snapshot().zones["example.com."].soa.Serial }
	tests := []struct {
		name    string
		net     string
		build   func(m *dns.Msg)
		zone    string
		key     string
		secret  string
		rcode   int
		check   string // name whose TXT answers must then be want
		want    []string
		changed bool
	}{
		{name: "add a challenge", build: func(m *dns.Msg) {
			m.Insert([]dns.RR{rr(t, `_acme-challenge.example.com. 60 IN TXT "token-1"`)})
		}, rcode: dns.RcodeSuccess, check: "_acme-challenge.example.com.", want: []string{`"token-1"`}, changed: true},
		{name: "add a second value over UDP", net: "udp", build: func(m *dns.Msg) {
			m.Insert([]dns.RR{rr(t, `_acme-challenge.example.com. 60 IN TXT "token-2"`)})
		}, rcode: dns.RcodeSuccess, check: "_acme-challenge.example.com.", want: []string{`"token-1"`, `"token-2"`}, changed: true},
		{name: "remove one value", build: func(m *dns.Msg) {
			m.Remove([]dns.RR{rr(t, `_acme-challenge.example.com. 60 IN TXT "token-1"`)})
		}, rcode: dns.RcodeSuccess, check: "_acme-challenge.example.com.", want: []string{`"token-2"`}, changed: true},
		{name: "a failed prerequisite changes nothing", build: func(m *dns.Msg) {
			m.Used([]dns.RR{rr(t, `_acme-challenge.example.com. 0 IN TXT "token-1"`)})
			m.Insert([]dns.RR{rr(t, `_acme-challenge.example.com. 60 IN TXT "token-3"`)})
		}, rcode: dns.RcodeNXRrset, check: "_acme-challenge.example.com.", want: []string{`"token-2"`}},
		{name: "a prerequisite that holds", build: func(m *dns.Msg) {
			m.Used([]dns.RR{rr(t, `_acme-challenge.example.com. 0 IN TXT "token-2"`)})
			m.RRsetNotUsed([]dns.RR{rr(t, `_acme-challenge.example.com. 0 IN A 192.0.2.1`)})
			m.RemoveRRset([]dns.RR{rr(t, `_acme-challenge.example.com. 0 IN TXT "x"`)})
		}, rcode: dns.RcodeSuccess, check: "_acme-challenge.example.com.", changed: true},
		{name: "a name below a *. subtree", build: func(m *dns.Msg) {
			m.Insert([]dns.RR{rr(t, `host.dyn.example.com. 60 IN A 192.0.2.77`)})
		}, rcode: dns.RcodeSuccess, changed: true},
		{name: "outside the key's subtrees", build: func(m *dns.Msg) {
			m.Insert([]dns.RR{rr(t, `other.example.com. 60 IN TXT "x"`)})
		}, rcode: dns.RcodeRefused, check: "other.example.com."},
		{name: "the *. subtree's own name", build: func(m *dns.Msg) {
			m.Insert([]dns.RR{rr(t, `dyn.example.com. 60 IN TXT "x"`)})
		}, rcode: dns.RcodeRefused, check: "dyn.example.com."},
		{name: "the SOA", build: func(m *dns.Msg) {
			m.Insert([]dns.RR{rr(t, `example.com. 60 IN SOA ns1.example.com. h.example.com. 9 1 1 1 1`)})
		}, rcode: dns.RcodeRefused},
		{name: "unsigned", key: "-", build: func(m *dns.Msg) {
			m.Insert([]dns.RR{rr(t, `_acme-challenge.example.com. 60 IN TXT "unsigned"`)})
		}, rcode: dns.RcodeRefused, check: "_acme-challenge.example.com."},
		{name: "signed with the transfer key", key: "xfr-key.", secret: testSecret, build: func(m *dns.Msg) {
			m.Insert([]dns.RR{rr(t, `_acme-challenge.example.com. 60 IN TXT "xfr"`)})
		}, rcode: dns.RcodeRefused, check: "_acme-challenge.example.com."},
		{name: "a bad signature", secret: "YmFkLXNlY3JldA==", build: func(m *dns.Msg) {
			m.Insert([]dns.RR{rr(t, `_acme-challenge.example.com. 60 IN TXT "bad"`)})
		}, rcode: dns.RcodeNotAuth, check: "_acme-challenge.example.com."},
		{name: "a zone not served", zone: "example.net.", build: func(m *dns.Msg) {
			m.Insert([]dns.RR{rr(t, `_acme-challenge.example.net. 60 IN TXT "x"`)})
		}, rcode: dns.RcodeNotAuth},
		{name: "a name outside the zone", build: func(m *dns.Msg) {
			m.Insert([]dns.RR{rr(t, `_acme-challenge.example.org. 60 IN TXT "x"`)})
		}, rcode: dns.RcodeNotZone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := tt.zone
			if z == "" {
				z = "example.com."
			}
			m := new(dns.Msg)
			m.SetUpdate(z)
			tt.build(m)
			key, secret := "acme-key.", updateSecret
			if tt.key == "-" {
				key = ""
			} else if tt.key != "" {
				key = tt.key
			}
			if tt.secret != "" {
				secret = tt.secret
			}
			net := tt.net
			if net == "" {
				net = "tcp"
			}
			before := serial()
			in := sendUpdate(t, addr, net, m, key, secret)
			if in.Rcode != tt.rcode {
				t.Fatalf("rcode %s, want %s", dns.RcodeToString[in.Rcode], dns.RcodeToString[tt.rcode])
			}
			if tt.check != "" {
				if got := answers(t, addr, tt.check, dns.TypeTXT); !slices.Equal(got, tt.want) {
					t.Errorf("TXT %s = %q, want %q", tt.check, got, tt.want)
				}
			}
			if changed := serial() != before; changed != tt.changed {
				t.Errorf("serial %d -> %d, changed %v, want %v", before, serial(), changed, tt.changed)
			}
		})
	}
	if got := answers(t, addr, "host.dyn.example.com.", dns.TypeA); !slices.Equal(got, []string{"192.0.2.77"}) {
		t.Errorf("host.dyn = %q", got)
	}
	// The controller never sees what updates wrote.
	recs, _ := a.Records(context.Background())
	for _, e := range recs {
		if strings.Contains(e.DNSName, "dyn.") || strings.HasPrefix(e.DNSName, "_acme") {
			t.Errorf("the controller sees %v", e)
		}
	}
}

// TestUpdateNeverTouchesExodnsNames: a name the controller holds records
// at, or an ownership record of one, is refused whatever the key allows.
func TestUpdateNeverTouchesExodnsNames(t *testing.T) {
	uk, err := ParseUpdateKey("wide:" + updateSecret + ":example.com")
	if err != nil {
		t.Fatal(err)
	}
	s, a := startServer(t, Config{UpdateKeys: []UpdateKey{uk}}, nil)
	recs, _ := a.Records(context.Background())
	owned := recs[0].DNSName + "."
	for _, op := range []func(m *dns.Msg){
		func(m *dns.Msg) { m.Insert([]dns.RR{rr(t, owned+` 60 IN TXT "mine"`)}) },
		func(m *dns.Msg) { m.RemoveName([]dns.RR{rr(t, owned+` 0 IN A 192.0.2.1`)}) },
		func(m *dns.Msg) {
			m.RemoveRRset([]dns.RR{rr(t, owned+` 0 IN `+recs[0].RecordType+` `+recs[0].Targets[0])})
		},
	} {
		m := new(dns.Msg)
		m.SetUpdate("example.com.")
		op(m)
		if in := sendUpdate(t, s.Addr(), "tcp", m, "wide.", updateSecret); in.Rcode != dns.RcodeRefused {
			t.Errorf("%v: rcode %s", m.Ns[0], dns.RcodeToString[in.Rcode])
		}
	}
	after, _ := a.Records(context.Background())
	if len(after) != len(recs) {
		t.Errorf("records changed: %d -> %d", len(recs), len(after))
	}
}

// TestUpdateKeyCannotTransfer: an update key is not the transfer key.
func TestUpdateKeyCannotTransfer(t *testing.T) {
	addr, _ := updateServer(t)
	m := new(dns.Msg)
	m.SetAxfr("example.com.")
	m.SetTsig("acme-key.", dns.HmacSHA256, 300, time.Now().Unix())
	tr := &dns.Transfer{TsigSecret: map[string]string{"acme-key.": updateSecret}}
	ch, err := tr.In(m, addr)
	if err != nil {
		t.Fatal(err)
	}
	refused := false
	for env := range ch {
		refused = refused || env.Error != nil
	}
	if !refused {
		t.Error("a transfer signed with an update key was served")
	}
}
