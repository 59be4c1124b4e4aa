package route53

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/test/route53fake"
)

// fakeClock is a settable clock for the provider.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestHealthCheckCheckedBeforeTheCall: a health check ID that is not a
// UUID (the seeds' own placeholder) or that does not exist is refused
// before any change is sent, with a reason, instead of failing at the API
// on every run. Existence is looked up with GetHealthCheck once and
// cached; a check created later is picked up once the cache expires.
func TestHealthCheckCheckedBeforeTheCall(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: -1})
	e.fake.AddZone("example.com", false, nil)
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := e.clusterWith("c1", "", testConfig(), Options{Now: clock.now})
	base := owned("base.example.com", "A", "service/default/base", k3sIP)
	c.mustConverge(base) // the zones are known from here on

	primary := func(hc string) *endpoint.Endpoint {
		return withProps(owned("app.example.com", "A", "ingress/default/app", rke2IP).WithSetIdentifier("primary-site"),
			propFailover, "PRIMARY", propHealthCheck, hc)
	}
	cases := []struct{ hc, reason string }{
		{"0b794607-275f-xxxx-xxxx", `"0b794607-275f-xxxx-xxxx" is not a Route 53 health check ID`},
		{"0b794607-275f-4c2e-9a11-3b2f1c0d9e8f", "health check 0b794607-275f-4c2e-9a11-3b2f1c0d9e8f does not exist"},
	}
	for _, tc := range cases {
		before := c.api.calls["ChangeResourceRecordSets"].Load()
		if _, err := c.sync(base, primary(tc.hc)); err != nil {
			t.Fatalf("%s: %v", tc.hc, err)
		}
		if n := c.api.calls["ChangeResourceRecordSets"].Load() - before; n != 0 {
			t.Errorf("%s: %d change requests sent", tc.hc, n)
		}
		probs := c.p.Problems()
		if len(probs) != 1 || !strings.Contains(probs[0].Reason, tc.reason) || probs[0].Annotation != annotationFor(propHealthCheck) {
			t.Errorf("%s: problems %+v, want %q", tc.hc, probs, tc.reason)
		}
	}
	if n := c.api.calls["GetHealthCheck"].Load(); n != 1 {
		t.Errorf("%d GetHealthCheck calls, want 1 (the placeholder needs none)", n)
	}
	// Cached: another run asks nothing.
	missing := cases[1].hc
	if _, err := c.sync(base, primary(missing)); err != nil || c.api.calls["GetHealthCheck"].Load() != 1 {
		t.Fatalf("cached run: %v, %d lookups", err, c.api.calls["GetHealthCheck"].Load())
	}

	// Once the cache expires, the next run asks again.
	clock.add(missingCheckTTL + time.Second)
	if _, err := c.sync(base, primary(missing)); err != nil || c.api.calls["GetHealthCheck"].Load() != 2 {
		t.Fatalf("after expiry: %v, %d lookups", err, c.api.calls["GetHealthCheck"].Load())
	}

	// A real check is accepted.
	real := e.healthCheck("real")
	c.mustConverge(base, primary(real))
	if len(c.p.Problems()) != 0 {
		t.Fatalf("problems %+v", c.p.Problems())
	}
}

// TestUpsertOnlyCannotSwitchSimpleAndRouted: under upsert-only, turning a
// simple record into a routed set (or back) would need the old set
// deleted, which the policy never does, so Route 53 would refuse it every
// run. It is refused before the call, saying what to do.
func TestUpsertOnlyCannotSwitchSimpleAndRouted(t *testing.T) {
	for _, tc := range []struct {
		name       string
		from, to   *endpoint.Endpoint
		wantReason string
	}{
		{"simple to routed",
			owned("app.example.com", "A", "ingress/default/app", rke2IP),
			withProps(owned("app.example.com", "A", "ingress/default/app", rke2IP).WithSetIdentifier("rke2"), propWeight, "80"),
			"cannot create the routed set app.example.com/A/rke2"},
		{"routed to simple",
			withProps(owned("app.example.com", "A", "ingress/default/app", rke2IP).WithSetIdentifier("rke2"), propWeight, "80"),
			owned("app.example.com", "A", "ingress/default/app", rke2IP),
			"cannot create the simple set app.example.com/A"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, route53fake.Options{Rate: -1})
			zid := e.fake.AddZone("example.com", false, nil)
			cfg := testConfig()
			cfg.Policy = "upsert-only"
			c := e.cluster("c1", "", cfg)
			c.mustConverge(tc.from)
			before := c.api.calls["ChangeResourceRecordSets"].Load()
			if _, err := c.sync(tc.to); err != nil {
				t.Fatal(err)
			}
			if n := c.api.calls["ChangeResourceRecordSets"].Load() - before; n != 0 {
				t.Errorf("%d change requests sent", n)
			}
			probs := c.p.Problems()
			if len(probs) != 1 || !strings.Contains(probs[0].Reason, tc.wantReason) ||
				!strings.Contains(probs[0].Reason, "--policy=sync") || !strings.Contains(probs[0].Reason, "delete it by hand") {
				t.Fatalf("problems %+v", probs)
			}
			t.Log(probs[0].Error())
			if got := len(e.zoneContent(zid)); got != 2 {
				t.Errorf("zone changed: %v", e.zoneContent(zid))
			}
		})
	}
}

// TestRoutedNextToForeignSimpleRefusedBeforeTheCall: under sync, a routed
// set cannot be created next to a simple record someone else owns (exodns
// does not delete it); the group is refused before the call with a reason
// that says so, and its neighbours land.
func TestRoutedNextToForeignSimpleRefusedBeforeTheCall(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: -1})
	zid := e.fake.AddZone("example.com", false, nil)
	if err := e.fake.PutRecordSets(zid, types.ResourceRecordSet{Name: aws.String("app.example.com"), Type: types.RRTypeA,
		TTL: aws.Int64(60), ResourceRecords: []types.ResourceRecord{{Value: aws.String(k3sIP)}}}); err != nil {
		t.Fatal(err)
	}
	c := e.cluster("c1", "", testConfig())
	routed := withProps(owned("app.example.com", "A", "ingress/default/app", rke2IP).WithSetIdentifier("rke2"), propWeight, "80")
	other := owned("other.example.com", "A", "ingress/default/other", rke2IP)
	_, err := c.sync(routed, other)
	if err == nil || !strings.Contains(err.Error(), "delete it by hand") || !strings.Contains(err.Error(), "the simple set app.example.com/A") {
		t.Fatalf("err = %v", err)
	}
	if !e.has(zid, "other.example.com") {
		t.Error("the neighbour did not land")
	}
}
