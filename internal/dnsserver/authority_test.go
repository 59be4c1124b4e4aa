package dnsserver

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/dnsserver/store"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

func ask(h *Handler, name string, qtype uint16) *dns.Msg {
	w := &recorder{}
	h.ServeDNS(w, query(name, qtype))
	return w.last()
}

func TestApplyIsVisibleWhenItReturns(t *testing.T) {
	a := newAuthority(t, []string{"example.com"})
	h := NewHandler(a, Config{})
	ctx := context.Background()
	if r := ask(h, "new.example.com.", dns.TypeA); r.Rcode != dns.RcodeNameError || soaSerial(r) != 1 {
		t.Fatalf("before: %v", r)
	}
	if err := a.Apply(ctx, &plan.Changes{Create: []*endpoint.Endpoint{ep("new.example.com", "A", "192.0.2.1")}}); err != nil {
		t.Fatal(err)
	}
	if r := ask(h, "new.example.com.", dns.TypeA); len(r.Answer) != 1 {
		t.Fatalf("after create: %v", r)
	}
	if r := ask(h, "example.com.", dns.TypeSOA); soaSerial(r) != 2 {
		t.Errorf("serial after a change = %d, want 2", soaSerial(r))
	}
}

func soaSerial(m *dns.Msg) uint32 {
	for _, rr := range append(append([]dns.RR{}, m.Answer...), m.Ns...) {
		if soa, ok := rr.(*dns.SOA); ok {
			return soa.Serial
		}
	}
	return 0
}

func TestApplyRejectsWhatCannotBeServed(t *testing.T) {
	for _, bad := range []*endpoint.Endpoint{
		ep("x.example.com", "A", "not-an-ip"),
		ep("x.example.com", "AAAA", "192.0.2.1"),
		ep("x.example.com", "MX", "ten mail.example.com"),
		ep("x.example.com", "SRV", "1 2 mail.example.com"),
		ep("x.example.com", "CAA", "0"),
		ep("x.example.com", "NAPTR", "garbage"),
		ep("x.example.com", "HINFO", "a b"),
		ep("bad name.example.com", "A", "192.0.2.1"),
	} {
		t.Run(bad.String(), func(t *testing.T) {
			a := newAuthority(t, []string{"example.com"})
			err := a.Apply(context.Background(), &plan.Changes{Create: []*endpoint.Endpoint{ep("ok.example.com", "A", "192.0.2.1"), bad}})
			if !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if recs, _ := a.Records(context.Background()); len(recs) != 0 {
				t.Errorf("a rejected batch left %v", recs)
			}
		})
	}
}

func TestConvertTypes(t *testing.T) {
	a := newAuthority(t, []string{"example.com"},
		ep("n.example.com", "NAPTR", `100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .`),
		ep("t.example.com", "TXT", `back\slash "quoted"`),
		ep("nullmx.example.com", "MX", "0 ."),
	)
	h := NewHandler(a, Config{})
	for _, tc := range []struct {
		name  string
		qtype uint16
		want  string
	}{
		{"n.example.com.", dns.TypeNAPTR, `n.example.com.	300	IN	NAPTR	100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .`},
		{"t.example.com.", dns.TypeTXT, `t.example.com.	300	IN	TXT	"back\\slash \"quoted\""`},
		{"nullmx.example.com.", dns.TypeMX, "nullmx.example.com.\t300\tIN\tMX\t0 ."},
	} {
		r := ask(h, tc.name, tc.qtype)
		if len(r.Answer) != 1 || r.Answer[0].String() != tc.want {
			t.Errorf("%s: got %v, want %s", tc.name, r.Answer, tc.want)
		}
	}
}

func TestSelectorHook(t *testing.T) {
	a := newAuthority(t, []string{"example.com", "example.org"}, fixture()...)
	var seen []string
	pick := SelectorFunc(func(req *Request, r *Routed) []dns.RR {
		for _, s := range r.Sets {
			seen = append(seen, s.SetIdentifier)
			if s.SetIdentifier == "eu" && req.IP().String() == "192.0.2.99" {
				return s.RRs
			}
		}
		return nil
	})
	h := NewHandler(a, Config{Selector: pick})
	r := ask(h, "multi.example.com.", dns.TypeA)
	if len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != "192.0.2.30" || fmt.Sprint(seen) != "[eu]" {
		t.Errorf("selector answer %v, saw %v", r.Answer, seen)
	}
	seen = nil
	if r := ask(h, "www.example.com.", dns.TypeA); len(r.Answer) != 2 || seen != nil {
		t.Errorf("selector called for a record without set identifiers: %v", seen)
	}
}

// TestConcurrentQueriesDuringApplies is for -race: readers answer from
// snapshots while a writer keeps swapping them, and every answer is whole.
func TestConcurrentQueriesDuringApplies(t *testing.T) {
	a := newAuthority(t, []string{"example.com"}, fixture()[:10]...)
	h := NewHandler(a, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				q := query("Flip.example.com.", dns.TypeA)
				q.SetEdns0(512, false)
				w := &recorder{}
				h.ServeDNS(w, q)
				r := w.last()
				if n := len(r.Answer); !(n == 0 && r.Rcode == dns.RcodeNameError) && n != 3 {
					t.Errorf("torn answer: %v", r)
				}
				ask(h, "www.example.com.", dns.TypeA)
			}
		}()
	}
	flip := ep("flip.example.com", "A", "192.0.2.1", "192.0.2.2", "192.0.2.3")
	for i := range 200 {
		c := &plan.Changes{Create: []*endpoint.Endpoint{flip}}
		if i%2 == 1 {
			c = &plan.Changes{Delete: []*endpoint.Endpoint{flip}}
		}
		if err := a.Apply(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	wg.Wait()
}

func TestApexCNAMEIgnored(t *testing.T) {
	a := newAuthority(t, []string{"example.com"}, ep("example.com", "CNAME", "elsewhere.example.net"))
	r := ask(NewHandler(a, Config{}), "example.com.", dns.TypeSOA)
	if len(r.Answer) != 1 || r.Answer[0].Header().Rrtype != dns.TypeSOA {
		t.Errorf("apex SOA hidden by a CNAME: %v", r.Answer)
	}
}
