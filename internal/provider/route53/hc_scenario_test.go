package route53

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/test/route53fake"
)

// Scenario tests of the health checks exodns manages from the
// gslb/health-check* properties, against the Route 53 fake through the
// unmodified SDK. The fake refuses to delete a check a record still uses
// (RefuseDeleteInUse) and logs every call, and replayLog checks from that
// log that no record ever named a check that did not exist, and that no
// record lost its check while it existed.

// hcEnv is a fake with a request log and the old in-use refusal, one zone,
// and a clock.
type hcEnv struct {
	*env
	zone string
	log  *syncBuffer
	clk  *clock
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newHCEnv(t *testing.T) *hcEnv {
	t.Helper()
	buf := &syncBuffer{}
	e := newEnv(t, route53fake.Options{Rate: -1, RefuseDeleteInUse: true, RequestLog: buf})
	h := &hcEnv{env: e, zone: e.fake.AddZone("example.com", false, nil), log: buf,
		clk: &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("request log:\n%s", buf.String())
		}
	})
	return h
}

func (h *hcEnv) cluster(owner string) *cluster {
	cfg := testConfig()
	cfg.APIRateLimit = 0
	return h.clusterWith(owner, "", cfg, Options{Now: h.clk.now})
}

// gslbApp is a routed set of app.example.com with gslb properties.
func gslbApp(ip, set string, props ...string) *endpoint.Endpoint {
	return withProps(owned("app.example.com", "A", "service/default/app-"+set, ip).WithTTL(60).WithSetIdentifier(set), props...)
}

// checks returns the fake's live checks by ID.
func (h *hcEnv) checks() map[string]types.HealthCheck {
	out := map[string]types.HealthCheck{}
	for _, c := range h.fake.HealthChecks() {
		out[aws.ToString(c.Id)] = c
	}
	return out
}

// setCheck returns the health check ID of one record set in the fake.
func (h *hcEnv) setCheck(name string, typ types.RRType, set string) string {
	for _, s := range h.fake.RecordSets(h.zone) {
		if aws.ToString(s.Name) == name+"." && s.Type == typ && aws.ToString(s.SetIdentifier) == set {
			return aws.ToString(s.HealthCheckId)
		}
	}
	return ""
}

// hcCalls counts the health check calls the provider made.
func hcCalls(c *cluster) map[string]int64 {
	out := map[string]int64{}
	for _, op := range []string{"ListHealthChecks", "ListTagsForResources", "CreateHealthCheck", "DeleteHealthCheck", "ChangeTagsForResource", "GetHealthCheck"} {
		if n := c.api.calls[op].Load(); n > 0 {
			out[op] = n
		}
	}
	return out
}

func sameCounts(got map[string]int64, want map[string]int64) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

var (
	logLine  = regexp.MustCompile(`^(\w+) account=\S+(?: (?:zone|healthcheck)=(\S+))?(?: changes=\[(.*)\])? result=(.*)$`)
	changeRE = regexp.MustCompile(`^(CREATE|UPSERT|DELETE) (\S+) (\S+)(?: set=(\S+))?(?: healthcheck=(\S+))?$`)
	zoneLike = regexp.MustCompile(`^Z`)
)

// replay is the state of the fake's checks and record sets as rebuilt
// from the request log.
type replay struct {
	live     map[string]bool   // checks that exist
	attached map[string]string // record set -> check
	order    []string          // "Create <id>", "Tag <id>", "Attach <set> <id>", "Detach <set>", "Delete <id>"
}

// replayLog rebuilds the order of events from the request log, failing t
// when a record set names a check that does not exist yet, a check is
// deleted while a set names it, or a set that had a check loses it while
// it stays.
func replayLog(t *testing.T, log string, seed ...string) *replay {
	t.Helper()
	r := &replay{live: map[string]bool{}, attached: map[string]string{}}
	for _, id := range seed {
		r.live[id] = true
	}
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		m := logLine.FindStringSubmatch(line)
		if m == nil || m[4] != "ok" {
			continue
		}
		op, id := m[1], m[2]
		switch op {
		case "CreateHealthCheck":
			r.live[id] = true
			r.order = append(r.order, "Create "+id)
		case "ChangeTagsForResource":
			if !zoneLike.MatchString(id) {
				r.order = append(r.order, "Tag "+id)
			}
		case "DeleteHealthCheck":
			for set, c := range r.attached {
				if c == id {
					t.Errorf("check %s deleted while %s names it", id, set)
				}
			}
			delete(r.live, id)
			r.order = append(r.order, "Delete "+id)
		case "ChangeResourceRecordSets":
			before := maps(r.attached)
			exists := map[string]bool{}
			for _, c := range strings.Split(m[3], ", ") {
				cm := changeRE.FindStringSubmatch(c)
				if cm == nil {
					t.Fatalf("unreadable change %q in %q", c, line)
				}
				key := cm[2] + " " + cm[3] + " " + cm[4]
				switch {
				case cm[1] == "DELETE":
					delete(r.attached, key)
					exists[key] = false
				case cm[5] != "":
					if !r.live[cm[5]] {
						t.Errorf("%s names check %s, which does not exist", key, cm[5])
					}
					r.attached[key] = cm[5]
					exists[key] = true
				default:
					delete(r.attached, key)
					exists[key] = true
				}
			}
			for key, ok := range exists {
				if ok && before[key] != "" && r.attached[key] == "" {
					t.Errorf("%s lost its check %s and stayed", key, before[key])
				}
				if r.attached[key] != before[key] {
					if r.attached[key] == "" {
						r.order = append(r.order, "Detach "+key)
					} else {
						r.order = append(r.order, "Attach "+key+" "+r.attached[key])
					}
				}
			}
		}
	}
	return r
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// index returns where event occurs in the replayed order, -1 if never.
func (r *replay) index(event string) int { return slices.Index(r.order, event) }

// TestManagedCheckCreate: a routed set with gslb/health-check gets a check
// created, tagged with the owner and the record, and attached to the set
// and to its ownership record, in that order; the second run changes
// nothing and makes no call at all.
func TestManagedCheckCreate(t *testing.T) {
	h := newHCEnv(t)
	c := h.cluster("c1")
	want := gslbApp("203.0.113.10", "eu", propWeight, "80", "gslb/health-check", "http", "gslb/health-check-path", "/healthz")
	c.mustConverge(want)

	checks := h.checks()
	if len(checks) != 1 {
		t.Fatalf("%d checks, want 1", len(checks))
	}
	var id string
	for id = range checks {
	}
	cfg := checks[id].HealthCheckConfig
	if cfg.Type != types.HealthCheckTypeHttp || aws.ToString(cfg.IPAddress) != "203.0.113.10" || aws.ToString(cfg.FullyQualifiedDomainName) != "app.example.com" ||
		aws.ToInt32(cfg.Port) != 80 || aws.ToString(cfg.ResourcePath) != "/healthz" || aws.ToInt32(cfg.RequestInterval) != 10 || aws.ToInt32(cfg.FailureThreshold) != 2 {
		t.Errorf("config %+v", *cfg)
	}
	if !strings.HasPrefix(aws.ToString(checks[id].CallerReference), "exodns-") {
		t.Errorf("caller reference %q", aws.ToString(checks[id].CallerReference))
	}
	tags := h.fake.Tags("healthcheck", id)
	wantTags := map[string]string{tagOwner: "c1", tagRecord: "app.example.com", tagType: "A", tagSet: "eu", tagName: "app.example.com A eu (exodns c1)"}
	for k, v := range wantTags {
		if tags[k] != v {
			t.Errorf("tag %s = %q, want %q (all: %v)", k, tags[k], v, tags)
		}
	}
	if got := h.setCheck("app.example.com", types.RRTypeA, "eu"); got != id {
		t.Errorf("record names check %q, want %q", got, id)
	}
	if got := h.setCheck("a-app.example.com", types.RRTypeTxt, "eu"); got != id {
		t.Errorf("ownership record names check %q, want %q", got, id)
	}
	r := replayLog(t, h.log.String())
	if ci, ti, ai := r.index("Create "+id), r.index("Tag "+id), r.index("Attach app.example.com A eu "+id); !(ci >= 0 && ci < ti && ti < ai) {
		t.Errorf("order %v: want create, tag, attach", r.order)
	}
	c.api.reset()
	if ch, err := c.sync(want); err != nil || ch.HasChanges() || c.api.total() != 0 {
		t.Errorf("third run: %v, %d changes, %d calls", err, ch.Len(), c.api.total())
	}
}

// TestManagedCheckEverySet: every routed set of a name that carries the
// annotations gets its own check of its own target: three weighted sets,
// a failover pair whose PRIMARY has only the gslb check (which is what
// lets Route 53 take it), and a CNAME to an ELB made an A and an AAAA
// alias, each checked by the ELB's name.
func TestManagedCheckEverySet(t *testing.T) {
	h := newHCEnv(t)
	c := h.cluster("c1")
	hc := []string{"gslb/health-check", "https", "gslb/health-check-path", "/ready", "gslb/health-check-body", "cluster"}
	desired := []*endpoint.Endpoint{
		gslbApp("203.0.113.1", "a", append([]string{propWeight, "50"}, hc...)...),
		gslbApp("203.0.113.2", "b", append([]string{propWeight, "30"}, hc...)...),
		gslbApp("203.0.113.3", "c", append([]string{propWeight, "20"}, hc...)...),
		withProps(owned("blog.example.com", "A", "service/default/primary", "198.51.100.1").WithSetIdentifier("primary"),
			propFailover, "PRIMARY", "gslb/health-check", "tcp", "gslb/health-check-port", "8443"),
		withProps(owned("blog.example.com", "A", "service/default/secondary", "198.51.100.2").WithSetIdentifier("secondary"),
			propFailover, "SECONDARY"),
		withProps(owned("lb.example.com", "CNAME", "service/default/lb", "my-lb-123.eu-west-1.elb.amazonaws.com").WithSetIdentifier("eu"),
			propRegion, "eu-west-1", "gslb/health-check", "http"),
	}
	c.mustConverge(desired...)

	checks := h.checks()
	if len(checks) != 6 {
		t.Fatalf("%d checks, want 6 (3 weighted, 1 primary, A and AAAA alias)", len(checks))
	}
	seen := map[string]bool{}
	for _, s := range []struct {
		name string
		typ  types.RRType
		set  string
		want string // rendered spec
	}{
		{"app.example.com", types.RRTypeA, "a", `HTTPS_STR_MATCH 203.0.113.1:443 host app.example.com/ready body "cluster" every 10s, threshold 2`},
		{"app.example.com", types.RRTypeA, "b", `HTTPS_STR_MATCH 203.0.113.2:443 host app.example.com/ready body "cluster" every 10s, threshold 2`},
		{"app.example.com", types.RRTypeA, "c", `HTTPS_STR_MATCH 203.0.113.3:443 host app.example.com/ready body "cluster" every 10s, threshold 2`},
		{"blog.example.com", types.RRTypeA, "primary", `TCP 198.51.100.1:8443 every 10s, threshold 2`},
		{"lb.example.com", types.RRTypeA, "eu", `HTTP my-lb-123.eu-west-1.elb.amazonaws.com:80/ every 10s, threshold 2`},
		{"lb.example.com", types.RRTypeAaaa, "eu", `HTTP my-lb-123.eu-west-1.elb.amazonaws.com:80/ every 10s, threshold 2`},
	} {
		id := h.setCheck(s.name, s.typ, s.set)
		chk, ok := checks[id]
		if !ok {
			t.Errorf("%s %s %s names %q, not one of the checks", s.name, s.typ, s.set, id)
			continue
		}
		seen[id] = true
		if got := specOf(chk.HealthCheckConfig).String(); got != s.want {
			t.Errorf("%s %s %s: check %s, want %s", s.name, s.typ, s.set, got, s.want)
		}
		if s.want[:5] == "HTTPS" && !aws.ToBool(chk.HealthCheckConfig.EnableSNI) {
			t.Errorf("%s: no SNI", s.set)
		}
		if tags := h.fake.Tags("healthcheck", id); tags[tagRecord] != s.name || tags[tagType] != string(s.typ) || tags[tagSet] != s.set {
			t.Errorf("%s %s %s: tags %v", s.name, s.typ, s.set, tags)
		}
	}
	if len(seen) != 6 {
		t.Errorf("sets share checks: %d distinct", len(seen))
	}
	if got := h.setCheck("blog.example.com", types.RRTypeA, "secondary"); got != "" {
		t.Errorf("SECONDARY without annotations got check %s", got)
	}
	replayLog(t, h.log.String())
}

// TestManagedCheckReplace: a changed path creates a new check, moves the
// record (and its ownership record) onto it in one UPSERT, and only then
// deletes the old one. At no moment does the record lack a check or name
// one that does not exist (replayed from the fake's request log, with the
// fake refusing to delete a check in use).
func TestManagedCheckReplace(t *testing.T) {
	h := newHCEnv(t)
	c := h.cluster("c1")
	other := gslbApp("203.0.113.2", "b", propWeight, "20", "gslb/health-check", "http")
	c.mustConverge(gslbApp("203.0.113.1", "a", propWeight, "80", "gslb/health-check", "http", "gslb/health-check-path", "/old"), other)
	oldID := h.setCheck("app.example.com", types.RRTypeA, "a")
	otherID := h.setCheck("app.example.com", types.RRTypeA, "b")

	c.api.reset()
	changed := gslbApp("203.0.113.1", "a", propWeight, "80", "gslb/health-check", "http", "gslb/health-check-path", "/new")
	c.mustConverge(changed, other)
	t.Logf("request log:\n%s", h.log.String())
	newID := h.setCheck("app.example.com", types.RRTypeA, "a")
	checks := h.checks()
	if newID == oldID || newID == "" {
		t.Fatalf("record still on %s", newID)
	}
	if _, ok := checks[oldID]; ok {
		t.Errorf("old check %s not deleted", oldID)
	}
	if aws.ToString(checks[newID].HealthCheckConfig.ResourcePath) != "/new" {
		t.Errorf("new check %+v", checks[newID].HealthCheckConfig)
	}
	if got := h.setCheck("app.example.com", types.RRTypeA, "b"); got != otherID || len(checks) != 2 {
		t.Errorf("set b moved to %s, or stray checks: %d", got, len(checks))
	}
	if got := h.setCheck("a-app.example.com", types.RRTypeTxt, "a"); got != newID {
		t.Errorf("ownership record names %s, want %s", got, newID)
	}
	r := replayLog(t, h.log.String())
	ci, ai, di := r.index("Create "+newID), r.index("Attach app.example.com A a "+newID), r.index("Delete "+oldID)
	if !(ci >= 0 && ci < ai && ai < di) {
		t.Errorf("order %v: want create new, attach new, delete old", r.order)
	}
	if d := h.fake.DanglingHealthChecks(); len(d) != 0 {
		t.Errorf("dangling %v", d)
	}
	want := map[string]int64{"CreateHealthCheck": 1, "ChangeTagsForResource": 1, "DeleteHealthCheck": 1}
	if got := hcCalls(c); !sameCounts(got, want) {
		t.Errorf("health check calls %v, want %v", got, want)
	}
	if n := c.api.calls["ChangeResourceRecordSets"].Load(); n != 1 {
		t.Errorf("%d change requests, want 1 (record and ownership record together)", n)
	}
}

// TestManagedCheckDelete: a record no longer desired is deleted, with its
// ownership record, and its check after it.
func TestManagedCheckDelete(t *testing.T) {
	h := newHCEnv(t)
	c := h.cluster("c1")
	keep := gslbApp("203.0.113.2", "b", propWeight, "20", "gslb/health-check", "http")
	c.mustConverge(gslbApp("203.0.113.1", "a", propWeight, "80", "gslb/health-check", "http"), keep)
	gone := h.setCheck("app.example.com", types.RRTypeA, "a")
	c.mustConverge(keep)
	checks := h.checks()
	if _, ok := checks[gone]; ok || len(checks) != 1 {
		t.Errorf("checks left %v, want only b's", checks)
	}
	r := replayLog(t, h.log.String())
	if di, ri := r.index("Delete "+gone), r.index("Detach app.example.com A a"); !(ri >= 0 && ri < di) {
		t.Errorf("order %v: want the record deleted, then its check", r.order)
	}
	c.mustConverge()
	if n := len(h.checks()); n != 0 {
		t.Errorf("%d checks left after every record went", n)
	}
	replayLog(t, h.log.String())
}

// TestManagedCheckOwnership: another owner's checks and records are never
// touched, a check without our owner tag is never deleted (even one with
// our CallerReference, which is only ever adopted), and a record owned by
// someone else gets no check of ours.
func TestManagedCheckOwnership(t *testing.T) {
	h := newHCEnv(t)
	c1, c2 := h.cluster("c1"), h.cluster("c2")
	c2.mustConverge(withProps(owned("b.example.com", "A", "service/default/b", "203.0.113.20").WithSetIdentifier("x"),
		propWeight, "1", "gslb/health-check", "http"))
	theirs := h.setCheck("b.example.com", types.RRTypeA, "x")
	manual := h.healthCheck("by-hand")
	// What a crash between CreateHealthCheck and ChangeTagsForResource
	// leaves: our reference, no tags, and for no record anyone wants.
	ours := c1.p.newRef(wantKey{rec: setKey{"z.example.com", "A", "q"}, spec: checkSpec{Type: types.HealthCheckTypeTcp, IP: "203.0.113.99", Port: 22}})
	out, err := h.client("AKIDDEFAULT", testConfig()).CreateHealthCheck(context.Background(), &route53.CreateHealthCheckInput{CallerReference: aws.String(ours),
		HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeTcp, IPAddress: aws.String("203.0.113.99"), Port: aws.Int32(22)}})
	if err != nil {
		t.Fatal(err)
	}
	untagged := aws.ToString(out.HealthCheck.Id)

	a := withProps(owned("a.example.com", "A", "service/default/a", "203.0.113.10").WithSetIdentifier("x"), propWeight, "1", "gslb/health-check", "http")
	// c1 also wants b.example.com, which c2 owns: a conflict, not a takeover.
	bToo := withProps(owned("b.example.com", "A", "service/default/b1", "203.0.113.21").WithSetIdentifier("x"), propWeight, "1", "gslb/health-check", "http")
	c1.mustConverge(a, bToo)
	mine := h.setCheck("a.example.com", types.RRTypeA, "x")
	c1.mustConverge() // deletes a and its check
	checks := h.checks()
	for id, what := range map[string]string{theirs: "c2's check", manual: "an untagged check", untagged: "an untagged check with our reference"} {
		if _, ok := checks[id]; !ok {
			t.Errorf("%s (%s) was deleted", what, id)
		}
	}
	if _, ok := checks[mine]; ok {
		t.Errorf("c1's own check %s not deleted", mine)
	}
	if len(checks) != 3 {
		t.Errorf("%d checks, want 3", len(checks))
	}
	if got := h.setCheck("b.example.com", types.RRTypeA, "x"); got != theirs {
		t.Errorf("c2's record names %s, want %s", got, theirs)
	}
	if tags := h.fake.Tags("healthcheck", theirs); tags[tagOwner] != "c2" {
		t.Errorf("c2's check re-tagged: %v", tags)
	}
	if tags := h.fake.Tags("healthcheck", untagged); len(tags) != 0 {
		t.Errorf("an untagged check not wanted was tagged: %v", tags)
	}
	replayLog(t, h.log.String(), theirs, manual, untagged)
}

// TestManagedCheckRestart: a fresh provider knows its checks by their tags
// and changes nothing on a converged zone, at the cost of one
// ListHealthChecks and one ListTagsForResources.
func TestManagedCheckRestart(t *testing.T) {
	h := newHCEnv(t)
	desired := []*endpoint.Endpoint{
		gslbApp("203.0.113.1", "a", propWeight, "80", "gslb/health-check", "http"),
		gslbApp("203.0.113.2", "b", propWeight, "20", "gslb/health-check", "http"),
	}
	h.cluster("c1").mustConverge(desired...)
	before := h.checks()
	restarted := h.cluster("c1")
	if ch, err := restarted.sync(desired...); err != nil || ch.HasChanges() {
		t.Fatalf("restarted: %v, %d changes", err, ch.Len())
	}
	if got := hcCalls(restarted); !sameCounts(got, map[string]int64{"ListHealthChecks": 1, "ListTagsForResources": 1}) {
		t.Errorf("restart calls %v, want one ListHealthChecks and one ListTagsForResources", got)
	}
	if n := restarted.api.calls["ChangeResourceRecordSets"].Load(); n != 0 {
		t.Errorf("%d change requests after a restart", n)
	}
	if after := h.checks(); len(after) != len(before) {
		t.Errorf("checks %d -> %d", len(before), len(after))
	}
}

// TestManagedCheckAdopt: a check exodns created but could not tag (a
// refused ChangeTagsForResource here; a crash does the same) is not
// attached, since untagged it would be nobody's after a restart. A fresh
// provider recognises it by its CallerReference, tags it and attaches it,
// rather than creating a second one.
func TestManagedCheckAdopt(t *testing.T) {
	h := newHCEnv(t)
	want := gslbApp("203.0.113.1", "a", propWeight, "80", "gslb/health-check", "http")
	h.fake.InjectError("ChangeTagsForResource", 1, route53fake.APIError{StatusCode: 403, Code: "AccessDenied", Message: "injected"})
	_, err := h.cluster("c1").sync(want)
	var re *provider.RefusedError
	if err == nil || errors.As(err, &re) {
		t.Fatalf("a failed tagging must fail the run (to be retried), not be a refusal: %v", err)
	}
	if got := h.setCheck("app.example.com", types.RRTypeA, "a"); got != "" || len(h.fake.RecordSets(h.zone)) != 2 {
		t.Fatalf("record sent without its tagged check: %q", got)
	}
	restarted := h.cluster("c1")
	restarted.mustConverge(want)
	checks := h.checks()
	if len(checks) != 1 || restarted.api.calls["CreateHealthCheck"].Load() != 0 {
		t.Fatalf("%d checks, %d creates after the restart: want the first one adopted", len(checks), restarted.api.calls["CreateHealthCheck"].Load())
	}
	id := h.setCheck("app.example.com", types.RRTypeA, "a")
	if _, ok := checks[id]; !ok || h.fake.Tags("healthcheck", id)[tagOwner] != "c1" {
		t.Errorf("record names %s, tags %v", id, h.fake.Tags("healthcheck", id))
	}
	replayLog(t, h.log.String())
}

// TestManagedCheckSteadyState counts the health check calls of a converged
// zone: none between resyncs, one ListHealthChecks and one
// ListTagsForResources (ten checks per call) at each resync.
func TestManagedCheckSteadyState(t *testing.T) {
	h := newHCEnv(t)
	var desired []*endpoint.Endpoint
	for i := range 12 {
		desired = append(desired, withProps(owned(fmt.Sprintf("s%02d.example.com", i), "A", "service/default/s", fmt.Sprintf("203.0.113.%d", i+1)).
			WithSetIdentifier("x"), propWeight, "1", "gslb/health-check", "http"))
	}
	c := h.cluster("c1")
	c.mustConverge(desired...)
	c.api.reset()
	for range 19 { // 30 s apart: within the 10-minute resync
		h.clk.advance(30 * time.Second)
		if ch, err := c.sync(desired...); err != nil || ch.HasChanges() {
			t.Fatalf("%v, %d changes", err, ch.Len())
		}
	}
	if got := hcCalls(c); len(got) != 0 || c.api.total() != 0 {
		t.Errorf("between resyncs: health check calls %v, %d calls in all; want none", got, c.api.total())
	}
	h.clk.advance(time.Minute) // past the resync
	if ch, err := c.sync(desired...); err != nil || ch.HasChanges() {
		t.Fatalf("%v, %d changes", err, ch.Len())
	}
	if got := hcCalls(c); !sameCounts(got, map[string]int64{"ListHealthChecks": 1, "ListTagsForResources": 2}) {
		t.Errorf("at the resync: %v, want one list and two tag reads (12 checks)", got)
	}
	t.Logf("calls at the resync: %v, %d in all", hcCalls(c), c.api.total())
}

// TestManagedCheckRefused: a CreateHealthCheck Route 53 refuses holds just
// that record, reported through provider.RefusedError, while the other
// record lands with its check; the next run does not try again before the
// resync. A target Route 53 cannot probe (a private address) is refused
// before any call.
func TestManagedCheckRefused(t *testing.T) {
	h := newHCEnv(t)
	c := h.cluster("c1")
	bad := withProps(owned("a.example.com", "A", "service/default/a", "203.0.113.1").WithSetIdentifier("x"), propWeight, "1", "gslb/health-check", "http")
	good := withProps(owned("b.example.com", "A", "service/default/b", "203.0.113.2").WithSetIdentifier("x"), propWeight, "1", "gslb/health-check", "http")
	h.fake.InjectError("CreateHealthCheck", 1, route53fake.APIError{StatusCode: 400, Code: "InvalidInput", Message: "Invalid parameter : injected"})
	_, err := c.sync(bad, good)
	re, ok := provider.AsRefused(err)
	if !ok || len(re.Refused) != 1 || re.Refused[0].Endpoint.DNSName != "a.example.com" || re.Applied != 2 {
		t.Fatalf("err = %v, want a.example.com refused and b's two changes applied", err)
	}
	if !strings.Contains(re.Refused[0].Err.Error(), "InvalidInput: Invalid parameter : injected") {
		t.Errorf("reason %v", re.Refused[0].Err)
	}
	if h.setCheck("b.example.com", types.RRTypeA, "x") == "" || h.setCheck("a.example.com", types.RRTypeA, "x") != "" {
		t.Errorf("zone %v", h.zoneContent(h.zone))
	}
	for _, s := range h.fake.RecordSets(h.zone) {
		if strings.Contains(aws.ToString(s.Name), "a.example.com") {
			t.Errorf("%s %s sent", aws.ToString(s.Name), s.Type)
		}
	}
	c.api.reset()
	if _, err := c.sync(bad, good); err != nil {
		t.Fatal(err)
	}
	probs := c.p.Problems()
	if len(probs) != 1 || probs[0].Record.DNSName != "a.example.com" || !strings.Contains(probs[0].Reason, "injected") {
		t.Errorf("problems %v", probs)
	}
	if n := c.api.calls["CreateHealthCheck"].Load(); n != 0 {
		t.Errorf("%d creates while held", n)
	}

	private := withProps(owned("p.example.com", "A", "service/default/p", "10.1.2.3").WithSetIdentifier("x"), propWeight, "1", "gslb/health-check", "http")
	c.api.reset()
	adj, _ := c.reg.AdjustEndpoints([]*endpoint.Endpoint{private})
	if len(adj) != 1 || !adj[0].Held() || !strings.Contains(adj[0].Labels.Get(endpoint.HoldLabel), "external-dns.alpha.kubernetes.io/gslb-health-check: Route 53 probes from the internet") ||
		c.api.total() != 0 {
		t.Errorf("private target: %v, %d calls", adj[0].Labels, c.api.total())
	}
}

// TestManagedCheckExplicitIDWins: aws/health-check-id keeps working as it
// did and wins over the gslb properties: no check is created, and the
// record names the given one.
func TestManagedCheckExplicitIDWins(t *testing.T) {
	h := newHCEnv(t)
	given := h.healthCheck("given")
	c := h.cluster("c1")
	c.mustConverge(gslbApp("203.0.113.1", "a", propWeight, "80", propHealthCheck, given, "gslb/health-check", "http"),
		// No routing policy: Route 53 answers the record whatever its
		// health, so no check is made for it (a warning says so).
		withProps(owned("plain.example.com", "A", "service/default/plain", "203.0.113.9"), "gslb/health-check", "http"))
	if got := h.setCheck("app.example.com", types.RRTypeA, "a"); got != given {
		t.Errorf("record names %q, want %q", got, given)
	}
	if n := c.api.calls["CreateHealthCheck"].Load() + c.api.calls["ListHealthChecks"].Load(); n != 0 {
		t.Errorf("%d health check calls", n)
	}
	if n := len(h.checks()); n != 1 {
		t.Errorf("%d checks", n)
	}
}

// TestManagedCheckTargetMoves: a set whose address changes gets a check of
// the new address in the same request that moves the record, so the check
// never probes an address the record does not answer; the old check goes
// after.
func TestManagedCheckTargetMoves(t *testing.T) {
	h := newHCEnv(t)
	c := h.cluster("c1")
	c.mustConverge(gslbApp("203.0.113.1", "a", propWeight, "80", "gslb/health-check", "tcp", "gslb/health-check-port", "443"))
	old := h.setCheck("app.example.com", types.RRTypeA, "a")
	c.api.reset()
	c.mustConverge(gslbApp("203.0.113.7", "a", propWeight, "80", "gslb/health-check", "tcp", "gslb/health-check-port", "443"))
	id := h.setCheck("app.example.com", types.RRTypeA, "a")
	if got := h.checks()[id].HealthCheckConfig; got == nil || aws.ToString(got.IPAddress) != "203.0.113.7" || len(h.checks()) != 1 {
		t.Fatalf("check %s: %+v, %d checks", id, got, len(h.checks()))
	}
	if n := c.api.calls["ChangeResourceRecordSets"].Load(); n != 1 {
		t.Errorf("%d change requests, want the address and the check in one", n)
	}
	r := replayLog(t, h.log.String())
	if ai, di := r.index("Attach app.example.com A a "+id), r.index("Delete "+old); !(ai >= 0 && ai < di) {
		t.Errorf("order %v", r.order)
	}
}

// TestManagedCheckRetryKeepsReference: a creation that failed for another
// reason than a refusal fails the run (it is retried, not held), and the
// retry sends the same CallerReference, which Route 53 answers with the
// check it made if the first try did make one.
func TestManagedCheckRetryKeepsReference(t *testing.T) {
	h := newHCEnv(t)
	c := h.cluster("c1")
	want := gslbApp("203.0.113.1", "a", propWeight, "80", "gslb/health-check", "http")
	h.fake.InjectError("CreateHealthCheck", 1, route53fake.APIError{StatusCode: 403, Code: "AccessDenied", Message: "injected"})
	_, err := c.sync(want)
	if _, refused := provider.AsRefused(err); err == nil || refused {
		t.Fatalf("err = %v, want a failed run", err)
	}
	var ref string
	for _, pc := range c.p.hc.pending {
		ref = pc.ref
	}
	c.mustConverge(want)
	checks := h.checks()
	id := h.setCheck("app.example.com", types.RRTypeA, "a")
	if len(checks) != 1 || ref == "" || aws.ToString(checks[id].CallerReference) != ref {
		t.Errorf("reference %q, check %+v", ref, checks[id])
	}
}

// TestManagedCheckNoPermission: without route53:ListHealthChecks, a record
// that wants a managed check is held, with the permission named, and the
// others are published as before.
func TestManagedCheckNoPermission(t *testing.T) {
	h := newHCEnv(t)
	c := h.cluster("c1")
	h.fake.InjectError("ListHealthChecks", 1, route53fake.APIError{StatusCode: 403, Code: "AccessDenied",
		Message: "User is not authorized to perform: route53:ListHealthChecks"})
	if _, err := c.sync(gslbApp("203.0.113.1", "a", propWeight, "80", "gslb/health-check", "http"),
		owned("plain.example.com", "A", "service/default/plain", "203.0.113.9")); err != nil {
		t.Fatal(err)
	}
	probs := c.p.Problems()
	if len(probs) != 1 || probs[0].Annotation != "external-dns.alpha.kubernetes.io/gslb-health-check" ||
		!strings.Contains(probs[0].Reason, "route53:ListHealthChecks and route53:ListTagsForResources") ||
		!strings.Contains(probs[0].Reason, "AccessDenied") {
		t.Errorf("problems %v", probs)
	}
	got := h.zoneContent(h.zone)
	if len(got) != 2 || !strings.HasPrefix(got[0], "a-plain.example.com. TXT") || !strings.HasPrefix(got[1], "plain.example.com. A") {
		t.Errorf("zone %q, want plain.example.com and its ownership record only", got)
	}
}
