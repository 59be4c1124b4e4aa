package aws

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// TestGSLBHealthChecksOnRoute53 runs the exodns command (--once, so each run
// is a fresh process that knows its checks only by their tags) on Services
// carrying the gslb health check annotations, as the embedded server reads
// them: each cluster's set gets a Route 53 health check of its own address,
// a changed path replaces the check, and a Service that goes takes its
// record and then its check with it. Another cluster's check is never
// touched.
func TestGSLBHealthChecksOnRoute53(t *testing.T) {
	e := newEnv(t)
	svc := func(cluster, ip, path string) string {
		return service("app", ip, map[string]string{"hostname": "app.example.com", "set-identifier": cluster, "aws-weight": "50", "ttl": "60",
			"gslb-health-check": "http", "gslb-health-check-path": path, "gslb-health-check-body": cluster})
	}
	e.run(t, "a-cluster", "a", svc("a", "203.0.113.10", "/healthz"))
	e.run(t, "b-cluster", "b", svc("b", "203.0.113.20", "/healthz"))
	checks := e.checksByOwner(t)
	if len(checks) != 2 || checks["a-cluster"] == nil || checks["b-cluster"] == nil {
		t.Fatalf("checks by owner %v", checks)
	}
	a, b := *checks["a-cluster"].Id, *checks["b-cluster"].Id
	expect(t, e.sets("app.example.com", "A"), "a ttl=60 weight=50 hc="+a+" 203.0.113.10", "b ttl=60 weight=50 hc="+b+" 203.0.113.20")
	cfg := checks["a-cluster"].HealthCheckConfig
	if cfg.Type != types.HealthCheckTypeHttpStrMatch || *cfg.SearchString != "a" || *cfg.IPAddress != "203.0.113.10" ||
		*cfg.FullyQualifiedDomainName != "app.example.com" || *cfg.ResourcePath != "/healthz" || *cfg.RequestInterval != 10 {
		t.Errorf("a's check %+v", *cfg)
	}

	// Converged: fresh runs change nothing and make no health check but
	// the listing.
	e.fake.ResetCalls()
	e.run(t, "a-cluster", "a", svc("a", "203.0.113.10", "/healthz"))
	e.run(t, "b-cluster", "b", svc("b", "203.0.113.20", "/healthz"))
	for _, op := range []string{"ChangeResourceRecordSets", "CreateHealthCheck", "DeleteHealthCheck", "ChangeTagsForResource"} {
		if n := e.fake.Calls(op); n != 0 {
			t.Errorf("converged runs made %d %s calls", n, op)
		}
	}
	t.Logf("two converged runs: %d ListHealthChecks, %d ListTagsForResources, %d calls in all",
		e.fake.Calls("ListHealthChecks"), e.fake.Calls("ListTagsForResources"), e.fake.TotalCalls())

	// A new path: a new check, the set moved onto it, the old one gone.
	e.run(t, "a-cluster", "a", svc("a", "203.0.113.10", "/ready"))
	checks = e.checksByOwner(t)
	a2 := *checks["a-cluster"].Id
	if a2 == a || *checks["a-cluster"].HealthCheckConfig.ResourcePath != "/ready" || *checks["b-cluster"].Id != b || len(checks) != 2 {
		t.Fatalf("after the path change: %v", checks)
	}
	expect(t, e.sets("app.example.com", "A"), "a ttl=60 weight=50 hc="+a2+" 203.0.113.10", "b ttl=60 weight=50 hc="+b+" 203.0.113.20")

	// Cluster a's Service goes: its set, its ownership record and its
	// check go; b's stay.
	e.run(t, "a-cluster", "a")
	checks = e.checksByOwner(t)
	if len(checks) != 1 || checks["b-cluster"] == nil {
		t.Fatalf("after a left: %v", checks)
	}
	expect(t, e.sets("app.example.com", "A"), "b ttl=60 weight=50 hc="+b+" 203.0.113.20")
	if d := e.fake.DanglingHealthChecks(); len(d) != 0 {
		t.Errorf("records naming deleted checks: %v", d)
	}
}

// checksByOwner returns the fake's health checks by their owner tag.
func (e *env) checksByOwner(t *testing.T) map[string]*types.HealthCheck {
	t.Helper()
	out := map[string]*types.HealthCheck{}
	for _, c := range e.fake.HealthChecks() {
		owner := e.fake.Tags("healthcheck", *c.Id)["external-dns/owner"]
		if out[owner] != nil {
			t.Errorf("owner %q has two checks", owner)
		}
		if !strings.HasPrefix(*c.CallerReference, "exodns-") {
			t.Errorf("check %s: reference %q", *c.Id, *c.CallerReference)
		}
		c := c
		out[owner] = &c
	}
	return out
}
