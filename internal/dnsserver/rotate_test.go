package dnsserver

import (
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// answerOrder asks for rot.example.com A and returns the addresses in the
// order given.
func answerOrder(t *testing.T, ask func(*dns.Msg) *dns.Msg) string {
	t.Helper()
	r := ask(query("rot.example.com.", dns.TypeA))
	var out []string
	for _, rr := range r.Answer {
		out = append(out, rr.(*dns.A).A.String())
	}
	return strings.Join(out, " ")
}

// TestRRsetRotation asks 30 times for a name with three addresses, over
// the handler (the full path) and over UDP (the cached fast path), and
// checks the order of each answer: fixed never moves, cyclic steps through
// the rotations in turn, random shows every rotation.
func TestRRsetRotation(t *testing.T) {
	rotations := []string{"192.0.2.1 192.0.2.2 192.0.2.3", "192.0.2.2 192.0.2.3 192.0.2.1", "192.0.2.3 192.0.2.1 192.0.2.2"}
	for _, order := range []RRsetOrder{OrderFixed, OrderCyclic, OrderRandom} {
		a := newAuthority(t, []string{"example.com"}, ep("rot.example.com", "A", "192.0.2.3", "192.0.2.1", "192.0.2.2"))
		cfg := Config{Listen: "127.0.0.1:0", UDPReaders: 1, RRsetOrder: order}
		s, err := New(a, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		startAndStop(t, s)
		paths := map[string]func(*dns.Msg) *dns.Msg{
			"handler": func(q *dns.Msg) *dns.Msg {
				w := &recorder{t: t}
				s.Handler().ServeDNS(w, q)
				return w.last()
			},
			"udp": func(q *dns.Msg) *dns.Msg {
				c := &dns.Client{Net: "udp", Timeout: 2 * time.Second}
				r, _, err := c.Exchange(q, s.Addr())
				if err != nil {
					t.Fatal(err)
				}
				return r
			},
		}
		for pathName, ask := range paths {
			t.Run(string(order)+"/"+pathName, func(t *testing.T) {
				seen := map[string]int{}
				var seq []int
				for range 30 {
					got := answerOrder(t, ask)
					i := indexOf(rotations, got)
					if i < 0 {
						t.Fatalf("answer %q is not a rotation of the RRset", got)
					}
					seen[got]++
					seq = append(seq, i)
				}
				switch order {
				case OrderFixed:
					if len(seen) != 1 {
						t.Errorf("fixed order moved: %v", seq)
					}
				case OrderCyclic:
					for i := 1; i < len(seq); i++ {
						if seq[i] != (seq[i-1]+1)%3 {
							t.Fatalf("cyclic order did not step by one: %v", seq)
						}
					}
				case OrderRandom:
					if len(seen) != 3 {
						t.Errorf("random order showed only %v", seen)
					}
				}
			})
		}
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func TestParseRRsetOrder(t *testing.T) {
	for in, want := range map[string]RRsetOrder{"": OrderCyclic, "fixed": OrderFixed, "cyclic": OrderCyclic, "random": OrderRandom} {
		if got, err := ParseRRsetOrder(in); err != nil || got != want {
			t.Errorf("ParseRRsetOrder(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseRRsetOrder("shuffle"); err == nil {
		t.Error("ParseRRsetOrder(shuffle) accepted")
	}
}
