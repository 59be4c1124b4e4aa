package dnsserver

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/geo"
	"github.com/exodns/exodns/internal/healthcheck"
)

func routedHandler(t *testing.T, cfg RouterConfig, recs ...*endpoint.Endpoint) (*Handler, *Authority, *Router) {
	t.Helper()
	a := newAuthority(t, []string{"example.com"}, recs...)
	r := NewRouter(cfg)
	a.Watch(func(s *Snapshot) {
		if err := r.Sync(s); err != nil {
			t.Errorf("sync: %v", err)
		}
	})
	return NewHandler(a, Config{Selector: r}), a, r
}

func askWithSubnet(h *Handler, name string, subnet string) *dns.Msg {
	m := query(name, dns.TypeA)
	o := &dns.OPT{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeOPT}}
	o.SetUDPSize(1232)
	if subnet != "" {
		_, n, _ := net.ParseCIDR(subnet)
		bits, _ := n.Mask.Size()
		o.Option = append(o.Option, &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: 1, SourceNetmask: uint8(bits), Address: n.IP})
	}
	m.Extra = append(m.Extra, o)
	w := &recorder{}
	h.ServeDNS(w, m)
	return w.last()
}

func answerIPs(m *dns.Msg) []string {
	var out []string
	for _, rr := range m.Answer {
		if a, ok := rr.(*dns.A); ok {
			out = append(out, a.A.String())
		}
	}
	return out
}

// TestRouterWeighted: an 80/20 weighted name answers one set per query in
// that proportion, with the short GSLB TTL, and never both.
func TestRouterWeighted(t *testing.T) {
	h, _, _ := routedHandler(t, RouterConfig{},
		ep("app.example.com", "A", "192.0.2.2").WithSetIdentifier("rke2").WithProviderSpecific("aws/weight", "80"),
		ep("app.example.com", "A", "192.0.2.3").WithSetIdentifier("k3s").WithProviderSpecific("aws/weight", "20"))
	counts := map[string]int{}
	const n = 4000
	for range n {
		m := ask(h, "app.example.com.", dns.TypeA)
		ips := answerIPs(m)
		if len(ips) != 1 {
			t.Fatalf("answer %v: want one set", m.Answer)
		}
		if ttl := m.Answer[0].Header().Ttl; ttl != 2 {
			t.Fatalf("TTL %d, want the GSLB default 2", ttl)
		}
		counts[ips[0]]++
	}
	share := float64(counts["192.0.2.2"]) / n
	if share < 0.76 || share > 0.84 {
		t.Errorf("share of the weight-80 set %.3f, want 0.80±0.04 (%v)", share, counts)
	}
}

// TestRouterFailoverFollowsHealth: PRIMARY while its check passes, the
// SECONDARY once it fails, PRIMARY again when it recovers.
func TestRouterFailoverFollowsHealth(t *testing.T) {
	var down atomic.Bool
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer backend.Close()
	port := backend.Listener.Addr().(*net.TCPAddr).Port
	checker, err := healthcheck.New(healthcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer checker.Close()
	changed := make(chan struct{}, 16)
	checker.OnChange(func(string, healthcheck.Status, healthcheck.Status) { changed <- struct{}{} })
	check := func(e *endpoint.Endpoint) *endpoint.Endpoint {
		return e.WithProviderSpecific("gslb/health-check", "http").WithProviderSpecific("gslb/health-check-port", strconv.Itoa(port)).
			WithProviderSpecific("gslb/health-check-interval", "100ms").WithProviderSpecific("gslb/health-check-timeout", "100ms").
			WithProviderSpecific("gslb/health-check-rise", "1").WithProviderSpecific("gslb/health-check-fall", "1")
	}
	h, _, _ := routedHandler(t, RouterConfig{Checker: checker},
		check(ep("app.example.com", "A", "127.0.0.1").WithSetIdentifier("primary").WithProviderSpecific("aws/failover", "PRIMARY")),
		ep("app.example.com", "A", "192.0.2.3").WithSetIdentifier("secondary").WithProviderSpecific("aws/failover", "SECONDARY"))
	answers := func(want string) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			if got := answerIPs(ask(h, "app.example.com.", dns.TypeA)); len(got) == 1 && got[0] == want {
				return
			}
			select {
			case <-changed:
			case <-deadline:
				t.Fatalf("never answered %s", want)
			}
		}
	}
	answers("127.0.0.1")
	down.Store(true)
	answers("192.0.2.3")
	down.Store(false)
	answers("127.0.0.1")
}

// TestRouterLatencyBySubnet: the client subnet decides the nearest region;
// the answer carries the subnet back with the scope it depended on.
func TestRouterLatencyBySubnet(t *testing.T) {
	table, err := geo.ParseTable(strings.NewReader("198.51.100.0/24 EU IE 53.3 -6.2\n203.0.113.0/24 AS SG 1.35 103.8\n"))
	if err != nil {
		t.Fatal(err)
	}
	h, _, _ := routedHandler(t, RouterConfig{Locator: table},
		ep("app.example.com", "A", "192.0.2.2").WithSetIdentifier("eu").WithProviderSpecific("aws/region", "eu-west-1"),
		ep("app.example.com", "A", "192.0.2.3").WithSetIdentifier("ap").WithProviderSpecific("aws/region", "ap-southeast-1"))
	tests := []struct {
		subnet string
		want   string
		scope  uint8
	}{
		{"198.51.100.0/24", "192.0.2.2", 24},
		{"203.0.113.0/24", "192.0.2.3", 24},
	}
	for _, tc := range tests {
		m := askWithSubnet(h, "app.example.com.", tc.subnet)
		if got := answerIPs(m); len(got) != 1 || got[0] != tc.want {
			t.Errorf("%s: answer %v, want %s", tc.subnet, got, tc.want)
		}
		var ecs *dns.EDNS0_SUBNET
		if o := m.IsEdns0(); o != nil {
			for _, opt := range o.Option {
				if s, ok := opt.(*dns.EDNS0_SUBNET); ok {
					ecs = s
				}
			}
		}
		if ecs == nil || ecs.SourceScope != tc.scope || ecs.SourceNetmask != 24 {
			t.Errorf("%s: ECS in the answer %+v, want source 24 scope %d", tc.subnet, ecs, tc.scope)
		}
	}
}

// TestRouterGeolocationNoMatchIsNODATA: no rule for the client and no
// default: NODATA, as Route 53 answers.
func TestRouterGeolocationNoMatchIsNODATA(t *testing.T) {
	table, _ := geo.ParseTable(strings.NewReader("198.51.100.0/24 EU IE\n203.0.113.0/24 AS SG\n"))
	h, _, _ := routedHandler(t, RouterConfig{Locator: table},
		ep("app.example.com", "A", "192.0.2.2").WithSetIdentifier("eu").WithProviderSpecific("aws/geolocation-continent-code", "EU"))
	if m := askWithSubnet(h, "app.example.com.", "198.51.100.0/24"); len(answerIPs(m)) != 1 {
		t.Errorf("EU client: %v", m.Answer)
	}
	if m := askWithSubnet(h, "app.example.com.", "203.0.113.0/24"); m.Rcode != dns.RcodeSuccess || len(m.Answer) != 0 || len(m.Ns) != 1 {
		t.Errorf("AS client without default: want NODATA with the SOA, got %v", m)
	}
}

// TestRoutingRefusedAtCheck: a record whose routing cannot be read is
// refused before it is stored, so the provider holds its name.
func TestRoutingRefusedAtCheck(t *testing.T) {
	a := newAuthority(t, []string{"example.com"})
	err := a.Check(ep("app.example.com", "A", "192.0.2.2").WithSetIdentifier("x").WithProviderSpecific("aws/weight", "500"))
	if err == nil || !strings.Contains(err.Error(), "aws/weight") {
		t.Fatalf("err = %v, want the weight named", err)
	}
	if err := a.Check(ep("app.example.com", "A", "192.0.2.2").WithSetIdentifier("x").WithProviderSpecific("aws/weight", "5")); err != nil {
		t.Fatal(err)
	}
}
