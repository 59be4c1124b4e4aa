package route53

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/test/route53fake"
)

func TestZoneSelection(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: -1})
	pub := e.fake.AddZone("example.com", false, map[string]string{"env": "prod", "team": "dns"})
	priv := e.fake.AddZone("example.com", true, map[string]string{"env": "dev"})
	sub := e.fake.AddZone("sub.example.com", false, nil)
	other := e.fake.AddZone("other.org", false, map[string]string{"env": "prod"})
	filter := func(include ...string) endpoint.DomainFilter {
		f, err := endpoint.NewDomainFilter(include, nil, "", "")
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	cases := []struct {
		name   string
		mutate func(*Config)
		want   []string
	}{
		{"all", nil, []string{pub, priv, sub, other}},
		{"public", func(c *Config) { c.ZoneType = "public" }, []string{pub, sub, other}},
		{"private", func(c *Config) { c.ZoneType = "private" }, []string{priv}},
		{"zone id", func(c *Config) { c.ZoneIDFilter = []string{"/hostedzone/" + sub} }, []string{sub}},
		{"domain", func(c *Config) { c.DomainFilter = filter("example.com") }, []string{pub, priv, sub}},
		{"domain below zones", func(c *Config) { c.DomainFilter = filter("app.example.com") }, nil},
		{"match parent", func(c *Config) { c.DomainFilter = filter("app.example.com"); c.ZoneMatchParent = true }, []string{pub, priv}},
		{"tag value", func(c *Config) { c.ZoneTags = []string{"env=prod"} }, []string{pub, other}},
		{"tag key", func(c *Config) { c.ZoneTags = []string{"team"} }, []string{pub}},
		{"tags and type", func(c *Config) { c.ZoneTags = []string{"env=prod,team=dns"}; c.ZoneType = "public" }, []string{pub}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.APIRateLimit = 0
			if tc.mutate != nil {
				tc.mutate(&cfg)
			}
			p, _ := e.provider(cfg)
			if err := p.ensureZones(context.Background(), false); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, z := range p.zones.all {
				got = append(got, z.id)
			}
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("zones = %v, want %v", got, want)
			}
		})
	}
}

// TestZoneTagsBatched checks tags are read ten zones per call.
func TestZoneTagsBatched(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: -1})
	for i := range 25 {
		e.fake.AddZone(fmt.Sprintf("z%02d.example.org", i), false, map[string]string{"keep": fmt.Sprint(i%2 == 0)})
	}
	cfg := testConfig()
	cfg.APIRateLimit = 0
	cfg.ZoneTags = []string{"keep=true"}
	p, api := e.provider(cfg)
	if err := p.ensureZones(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	if n := len(p.zones.all); n != 13 {
		t.Errorf("%d zones, want 13", n)
	}
	if n := api.calls["ListTagsForResources"].Load(); n != 3 {
		t.Errorf("%d ListTagsForResources calls, want 3", n)
	}
}

// TestLongestZoneWins puts a record below a delegated sub-zone into it.
func TestLongestZoneWins(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: -1})
	parent := e.fake.AddZone("example.com", false, nil)
	child := e.fake.AddZone("sub.example.com", false, nil)
	c := e.cluster("c1", "", testConfig())
	c.mustConverge(owned("app.sub.example.com", "A", "ingress/default/app", rke2IP), owned("app.example.com", "A", "ingress/default/app", k3sIP))
	e.wantZone(child, "app.sub.example.com. A ttl=300 "+rke2IP, "a-app.sub.example.com. TXT ttl=300 "+ownership("c1"))
	e.wantZone(parent, "app.example.com. A ttl=300 "+k3sIP, "a-app.example.com. TXT ttl=300 "+ownership("c1"))
}

// TestAccounts serves two accounts (two --aws-profile), each with its own
// zone, client and request budget.
func TestAccounts(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: -1, StrictAccounts: true})
	za := e.fake.Account("AKIDA").AddZone("a.example.com", false, nil)
	zb := e.fake.Account("AKIDB").AddZone("b.example.org", false, nil)
	cfg := testConfig()
	p, err := New(cfg, Options{}, Account{Name: "a", API: e.client("AKIDA", cfg)}, Account{Name: "b", API: e.client("AKIDB", cfg)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := p.Records(ctx); err != nil {
		t.Fatal(err)
	}
	err = p.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{
		endpoint.New("www.a.example.com", "A", rke2IP), endpoint.New("www.b.example.org", "A", k3sIP)}})
	if err != nil {
		t.Fatal(err)
	}
	e.wantZone(za, "www.a.example.com. A ttl=300 "+rke2IP)
	e.wantZone(zb, "www.b.example.org. A ttl=300 "+k3sIP)
	for _, key := range []string{"AKIDA", "AKIDB"} {
		if n := e.fake.Account(key).Calls("ChangeResourceRecordSets"); n != 1 {
			t.Errorf("account %s: %d change calls, want 1", key, n)
		}
	}
	if len(p.accounts) != 2 || p.accounts[0].api.(limitedAPI).l == p.accounts[1].api.(limitedAPI).l {
		t.Error("accounts share a limiter")
	}
}

// TestCacheFollowsZone checks the cache: our own changes need no listing,
// someone else's create is seen at the next resync (its count differs),
// and a failed request makes the next read list the zone again.
func TestCacheFollowsZone(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: -1})
	zid := e.fake.AddZone("example.com", false, nil)
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	cfg := testConfig()
	cfg.APIRateLimit = 0
	c := e.clusterWith("c1", "", cfg, Options{Now: clk.now})
	mine := owned("app.example.com", "A", "ingress/default/app", rke2IP)
	c.mustConverge(mine)
	lists := func() int64 { return c.api.calls["ListResourceRecordSets"].Load() }
	base := lists()

	// Someone else adds a record: unseen until the resync, then seen.
	if err := e.fake.PutRecordSets(zid, types.ResourceRecordSet{Name: aws.String("ext.example.com"), Type: types.RRTypeA,
		TTL: aws.Int64(30), ResourceRecords: []types.ResourceRecord{{Value: aws.String("192.0.2.7")}}}); err != nil {
		t.Fatal(err)
	}
	has := func() bool {
		recs, err := c.p.Records(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(recs, func(r *endpoint.Endpoint) bool { return r.DNSName == "ext.example.com" })
	}
	if has() || lists() != base {
		t.Fatal("external record seen before the resync")
	}
	clk.advance(cfg.ZoneResyncInterval)
	if !has() || lists() != base+1 {
		t.Fatalf("external record not seen after the resync (%d listings)", lists()-base)
	}

	// A request that fails for an unknown reason leaves the zone uncertain.
	// (The SDK makes --aws-api-retries attempts; all of them fail.)
	e.fake.InjectError("ChangeResourceRecordSets", cfg.APIRetries, route53fake.APIError{StatusCode: 500, Code: "InternalFailure", Message: "boom"})
	if _, err := c.sync(mine, owned("new.example.com", "A", "ingress/default/new", k3sIP)); err == nil {
		t.Fatal("no error from a failed request")
	}
	base = lists()
	if _, err := c.sync(mine, owned("new.example.com", "A", "ingress/default/new", k3sIP)); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if lists() != base+1 {
		t.Errorf("zone not listed again after the failure")
	}
	e.wantZone(zid, "app.example.com. A ttl=300 "+rke2IP, "a-app.example.com. TXT ttl=300 "+ownership("c1"),
		"ext.example.com. A ttl=30 192.0.2.7",
		"new.example.com. A ttl=300 "+k3sIP, `a-new.example.com. TXT ttl=300 "heritage=external-dns,external-dns/owner=c1,external-dns/resource=ingress/default/new"`)
}
