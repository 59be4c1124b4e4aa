package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/controller"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider/inmemory"
	"github.com/exodns/exodns/internal/registry/txt"
	"github.com/exodns/exodns/internal/source"
)

// staticSource returns fixed endpoints and, like a real source, reports
// its problems on every read.
type staticSource struct {
	eps      []*endpoint.Endpoint
	problems []source.Problem
	reporter source.Reporter
}

func (s *staticSource) Endpoints(context.Context) ([]*endpoint.Endpoint, error) {
	out := make([]*endpoint.Endpoint, len(s.eps))
	for i, e := range s.eps {
		out[i] = e.DeepCopy()
	}
	for _, p := range s.problems {
		s.reporter.Report(p)
	}
	return out, nil
}
func (*staticSource) AddEventHandler(context.Context, func()) {}

func rec(name, typ, target, resource string) *endpoint.Endpoint {
	return endpoint.New(name, typ, target).WithLabel(endpoint.ResourceLabel, resource)
}

// explainWorld reconciles a small world: a published name, a held one, a
// conflict between two Services, a name another owner holds, and a routed
// name with two sets; then serves /explain.
func explainWorld(t *testing.T) *httptest.Server { return explainWorldRuns(t, 2) }

func explainWorldRuns(t *testing.T, runs int) *httptest.Server {
	t.Helper()
	prov := inmemory.New([]string{"example.com"})
	// Another owner's record, written through its own registry.
	other, err := txt.New(prov, txt.Config{OwnerID: "other-cluster"})
	if err != nil {
		t.Fatal(err)
	}
	oc := &controller.Controller{Source: &staticSource{eps: []*endpoint.Endpoint{rec("theirs.example.com", "A", "192.0.2.50", "service/default/theirs")}},
		Registry: other, Policy: plan.PolicySync, Log: slog.New(slog.DiscardHandler),
		Metrics: controller.NewMetrics(prometheus.NewRegistry()), Health: controller.NewHealth(1)}
	if err := oc.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}

	reg, err := txt.New(prov, txt.Config{OwnerID: "us"})
	if err != nil {
		t.Fatal(err)
	}
	held := &endpoint.Endpoint{DNSName: "held.example.com", Labels: endpoint.NewLabels(
		endpoint.ResourceLabel, "service/shop/held",
		endpoint.HoldLabel, "invalid input of Service shop/held",
	)}
	eu := rec("routed.example.com", "A", "192.0.2.21", "service/default/routed-eu").WithSetIdentifier("eu").
		WithProviderSpecific("aws/weight", "80")
	us := rec("routed.example.com", "A", "192.0.2.22", "service/default/routed-us").WithSetIdentifier("us").
		WithProviderSpecific("aws/weight", "20")
	metrics := controller.NewMetrics(prometheus.NewRegistry())
	log := slog.New(slog.DiscardHandler)
	reporter := &controller.Reporter{Log: log, Metrics: metrics}
	src := &staticSource{eps: []*endpoint.Endpoint{
		rec("app.example.com", "A", "192.0.2.10", "service/default/app"),
		held,
		rec("both.example.com", "A", "192.0.2.31", "service/default/a-first"),
		rec("both.example.com", "A", "192.0.2.32", "service/default/b-second"),
		rec("theirs.example.com", "A", "192.0.2.99", "service/default/mine"),
		eu, us,
	}, reporter: reporter, problems: []source.Problem{{Object: source.ObjectRef{Kind: "Service", Namespace: "shop", Name: "held"},
		Err: &endpoint.ValidationError{Field: "external-dns.alpha.kubernetes.io/ttl", Value: "soon", Reason: "not a duration"}}}}
	ctl := &controller.Controller{Source: src, Registry: reg, Policy: plan.PolicySync, Log: log, Metrics: metrics,
		Health: controller.NewHealth(1), Reporter: reporter}
	for range runs {
		if err := ctl.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(explainHandler(ctl, func(x *controller.Explanation) {
		if x.Name == "routed.example.com" {
			x.Sets = []controller.SetHealth{{SetIdentifier: "eu", Policy: "weighted", Targets: map[string]string{"192.0.2.21": "healthy"}}}
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestExplain(t *testing.T) {
	srv := explainWorld(t)
	tests := []struct {
		name     string
		args     []string
		contains []string
		absent   []string
		once     bool // against a world reconciled once, not twice
	}{
		{name: "published", args: []string{"app.example.com"},
			contains: []string{"Status: published", "A 192.0.2.10  <- service/default/app", "Owner: us (this exodns: true)", "Last change: create A 192.0.2.10"}},
		{name: "live right after the reconcile that wrote it", args: []string{"app.example.com"}, once: true,
			contains: []string{"Live at the provider:\n  A 192.0.2.10  owner=us"}},
		{name: "held", args: []string{"held.example.com"},
			contains: []string{"Status: HELD", "invalid input of Service shop/held (service/shop/held)", `ttl "soon"`}},
		{name: "conflict between two objects", args: []string{"both.example.com"},
			contains: []string{"Status: CONFLICT", "service/default/a-first holds it; not published for service/default/b-second",
				"A 192.0.2.31  <- service/default/a-first", "A 192.0.2.32  <- service/default/b-second"}},
		{name: "owned by another owner", args: []string{"theirs.example.com"},
			contains: []string{"Status: CONFLICT", "owner=other-cluster", "Owner: other-cluster (this exodns: false)", "service/default/theirs holds it; not published for service/default/mine (owned by other-cluster)"}},
		{name: "routed name: sets and health", args: []string{"routed.example.com", "--type=A"},
			contains: []string{"A set=eu 192.0.2.21 aws/weight=80", "A set=us 192.0.2.22 aws/weight=20", "Routed sets:", "eu (weighted): 192.0.2.21 healthy"}},
		{name: "unknown", args: []string{"nothing.example.com"}, contains: []string{"unknown to exodns"}},
	}
	once := explainWorldRuns(t, 1)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url := srv.URL
			if tc.once {
				url = once.URL
			}
			out, err := run(t, append([]string{"explain", "--server=" + url}, tc.args...)...)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			for _, want := range tc.contains {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

func TestExplainJSON(t *testing.T) {
	srv := explainWorld(t)
	out, err := run(t, "explain", "--server="+srv.URL, "-o", "json", "app.example.com")
	if err != nil {
		t.Fatal(err)
	}
	var x controller.Explanation
	if err := json.NewDecoder(bytes.NewBufferString(out)).Decode(&x); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if x.Name != "app.example.com" || len(x.Desired) != 1 || len(x.Live) != 1 || !x.OwnedByUs || x.LastChange == nil ||
		time.Since(x.Reconciled) > time.Minute {
		t.Errorf("explanation %+v", x)
	}
	closed := httptest.NewServer(nil)
	closed.Close()
	if _, err := run(t, "explain", "--server="+closed.URL, "x"); err == nil {
		t.Error("an unreachable server must be an error")
	}
}
