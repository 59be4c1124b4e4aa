package peering

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/dnsserver"
	"github.com/exodns/exodns/internal/dnsserver/store"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

var key = dnsserver.TSIGKey{Name: "peers.", Algorithm: dns.HmacSHA256, Secret: "c2VjcmV0LXNoYXJlZC1ieS1ldmVyeS1jbHVzdGVy"}

// cluster is one cluster's embedded server, answering on loopback.
type cluster struct {
	auth *dnsserver.Authority
	srv  *dnsserver.Server
	pe   *Peering
}

func newCluster(t *testing.T, ctx context.Context, ip string) *cluster {
	t.Helper()
	a, err := dnsserver.NewAuthority(store.NewMemory([]string{"gslb.example.com"}), dnsserver.ZoneOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{auth: a}
	k := key
	c.srv, err = dnsserver.New(a, dnsserver.Config{Listen: ip + ":0", TSIG: &k,
		OnNotify: func(n dnsserver.Notify) {
			if c.pe != nil {
				c.pe.Notified(n)
			}
		}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *cluster) peerWith(t *testing.T, ctx context.Context, name string, other *cluster) {
	t.Helper()
	pe, err := New(Config{Zones: []string{"gslb.example.com"}, Peers: []Peer{{Name: name, Addr: other.srv.Addr()}},
		Key: key, Refresh: time.Hour, Auth: c.auth})
	if err != nil {
		t.Fatal(err)
	}
	c.pe = pe
	last := uint32(0)
	c.auth.Watch(func(s *dnsserver.Snapshot) {
		serial, _ := s.Serial("gslb.example.com.")
		if last != 0 && serial != last {
			pe.Changed()
		}
		last = serial
	})
	go pe.Run(ctx)
}

func (c *cluster) apply(t *testing.T, ch plan.Changes) {
	t.Helper()
	if err := c.auth.Apply(context.Background(), &ch); err != nil {
		t.Fatal(err)
	}
}

// answers is the sorted A answers of name at c, all sets together.
func answers(t *testing.T, c *cluster, name string) []string {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, dns.TypeA)
	r, err := dns.Exchange(m, c.srv.Addr())
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	var out []string
	for _, rr := range r.Answer {
		out = append(out, rr.(*dns.A).A.String())
	}
	slices.Sort(out)
	return out
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10s: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func weighted(name, ip, set, weight string) *endpoint.Endpoint {
	return endpoint.New(name, "A", ip).WithSetIdentifier(set).WithProviderSpecific("aws/weight", weight)
}

// TestClustersAnswerForEachOther: two clusters, each primary for its own
// set of one weighted name and for a plain name, pull each other's
// records; both answer both sets, with the routing intact. A change is
// pushed by NOTIFY (the refresh is an hour), a delete too, and what one
// cluster took from the other is never passed back.
func TestClustersAnswerForEachOther(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, b := newCluster(t, ctx, "127.0.0.1"), newCluster(t, ctx, "127.0.0.1")
	a.apply(t, plan.Changes{Create: []*endpoint.Endpoint{weighted("app.gslb.example.com", "192.0.2.2", "rke2", "80"),
		endpoint.New("only-a.gslb.example.com", "A", "192.0.2.20")}})
	b.apply(t, plan.Changes{Create: []*endpoint.Endpoint{weighted("app.gslb.example.com", "192.0.2.3", "k3s", "20")}})
	a.peerWith(t, ctx, "cluster-b", b)
	b.peerWith(t, ctx, "cluster-a", a)

	both := []string{"192.0.2.2", "192.0.2.3"}
	for _, c := range []*cluster{a, b} {
		// Without a Selector, a routed name answers the union of its sets.
		waitFor(t, "both sets answered everywhere", func() bool { return slices.Equal(answers(t, c, "app.gslb.example.com."), both) })
	}
	waitFor(t, "b answers a's plain record", func() bool {
		return slices.Equal(answers(t, b, "only-a.gslb.example.com."), []string{"192.0.2.20"})
	})
	// The routing travelled: b holds a's set with its weight.
	var sets []string
	for _, e := range routedAt(b.auth, "app.gslb.example.com") {
		sets = append(sets, e.SetIdentifier+"="+firstValue(e.ProviderSpecific, "aws/weight"))
	}
	slices.Sort(sets)
	if !slices.Equal(sets, []string{"k3s=20", "rke2=80"}) {
		t.Errorf("b's sets %v", sets)
	}

	// A change at a reaches b by NOTIFY.
	a.apply(t, plan.Changes{UpdateOld: []*endpoint.Endpoint{endpoint.New("only-a.gslb.example.com", "A", "192.0.2.20")},
		UpdateNew: []*endpoint.Endpoint{endpoint.New("only-a.gslb.example.com", "A", "192.0.2.21")}})
	waitFor(t, "b follows a's update", func() bool {
		return slices.Equal(answers(t, b, "only-a.gslb.example.com."), []string{"192.0.2.21"})
	})
	a.apply(t, plan.Changes{Delete: []*endpoint.Endpoint{endpoint.New("only-a.gslb.example.com", "A", "192.0.2.21")}})
	waitFor(t, "b follows a's delete", func() bool { return len(answers(t, b, "only-a.gslb.example.com.")) == 0 })

	// b transfers out its own records only: a's never come back to a.
	var addrs, routing []string
	for _, rr := range transfer(t, b) {
		switch v := rr.(type) {
		case *dns.A:
			addrs = append(addrs, v.A.String())
		case *dns.TXT:
			if strings.HasPrefix(v.Hdr.Name, "_gslb.") {
				routing = append(routing, strings.Join(v.Txt, " "))
			}
		}
	}
	if !slices.Equal(addrs, []string{"192.0.2.3"}) || len(routing) != 1 || !strings.Contains(routing[0], "set=k3s") {
		t.Errorf("b transfers %v with routing %v; want only its own set k3s", addrs, routing)
	}
}

// TestUnreachablePeerKeepsItsRecords: when the peer stops answering, what
// it sent last stays answered.
func TestUnreachablePeerKeepsItsRecords(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bctx, stopB := context.WithCancel(ctx)
	a, b := newCluster(t, ctx, "127.0.0.1"), newCluster(t, bctx, "127.0.0.1")
	b.apply(t, plan.Changes{Create: []*endpoint.Endpoint{weighted("app.gslb.example.com", "192.0.2.3", "k3s", "20")}})
	pe, err := New(Config{Zones: []string{"gslb.example.com"}, Peers: []Peer{{Name: "b", Addr: b.srv.Addr()}},
		Key: key, Refresh: 50 * time.Millisecond, Auth: a.auth})
	if err != nil {
		t.Fatal(err)
	}
	go pe.Run(ctx)
	waitFor(t, "a answers b's set", func() bool { return slices.Equal(answers(t, a, "app.gslb.example.com."), []string{"192.0.2.3"}) })
	stopB()
	_ = b.srv.Shutdown(context.Background())
	waitFor(t, "a notices b is gone", func() bool { pe.mu.Lock(); defer pe.mu.Unlock(); return pe.failed["b"] != "" })
	if got := answers(t, a, "app.gslb.example.com."); !slices.Equal(got, []string{"192.0.2.3"}) {
		t.Errorf("b's records dropped when b became unreachable: %v", got)
	}
}

func TestParsePeer(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ok   bool
		want Peer
	}{
		{"k3s=10.0.0.2:53", true, Peer{Name: "k3s", Addr: "10.0.0.2:53"}},
		{"k3s=[2001:db8::1]:5353", true, Peer{Name: "k3s", Addr: "[2001:db8::1]:5353"}},
		{"10.0.0.2:53", false, Peer{}},
		{"k3s=10.0.0.2", false, Peer{}},
		{"=10.0.0.2:53", false, Peer{}},
	} {
		got, err := ParsePeer(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParsePeer(%q) = %+v, %v", tc.in, got, err)
		}
	}
}

func transfer(t *testing.T, c *cluster) []dns.RR {
	t.Helper()
	m := new(dns.Msg)
	m.SetAxfr("gslb.example.com.")
	m.SetTsig(key.Name, key.Algorithm, 300, time.Now().Unix())
	tr := &dns.Transfer{TsigSecret: map[string]string{key.Name: key.Secret}}
	env, err := tr.In(m, c.srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	var out []dns.RR
	for e := range env {
		if e.Error != nil {
			t.Fatal(e.Error)
		}
		out = append(out, e.RR...)
	}
	return out
}

// routedAt returns the sets the authority answers for name, by transfer
// of its snapshot through the explain path of the server.
func routedAt(a *dnsserver.Authority, name string) []*endpoint.Endpoint {
	return a.AnsweredSets(name)
}

func firstValue(ps endpoint.ProviderSpecific, name string) string {
	v, _ := ps.Get(name)
	return v
}
