package kubereport

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/record"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/source"
)

func drain(r *record.FakeRecorder) []string {
	var out []string
	for {
		select {
		case e := <-r.Events:
			out = append(out, e)
		default:
			return out
		}
	}
}

func TestEvents(t *testing.T) {
	rec := record.NewFakeRecorder(100)
	resolve := func(res string) (source.ObjectRef, bool) {
		if res == "service/default/gone" {
			return source.ObjectRef{}, false
		}
		kind, rest, _ := strings.Cut(res, "/")
		ns, name, _ := strings.Cut(rest, "/")
		return source.ObjectRef{APIVersion: "v1", Kind: kind, Namespace: ns, Name: name, UID: "u-" + name}, true
	}
	e := NewEventsWithRecorder(rec, resolve)
	now := time.Unix(0, 0)
	e.now = func() time.Time { return now }

	p := source.Problem{Object: source.ObjectRef{Kind: "Service", Namespace: "default", Name: "web"},
		Err: &endpoint.ValidationError{Field: "external-dns.alpha.kubernetes.io/ttl", Value: "soon", Reason: "not a duration"}}
	e.Report(p)
	e.Report(p) // found again by the next reconcile: said once
	// The controller names a conflict's loser by its resource label; the
	// object is resolved for its UID. A loser no longer in the cache still
	// gets its Event, on the reference the controller gave.
	e.Report(source.Problem{Object: source.ObjectRef{Kind: "service", Namespace: "default", Name: "b"}, Kind: source.Conflict,
		Err: errors.New("record a.example.com/A not published: service/default/a holds it (claimed)")})
	ch := &plan.Changes{
		Create: []*endpoint.Endpoint{withResource(endpoint.New("a.example.com", "A", "1.2.3.4"), "service/default/a")},
		Delete: []*endpoint.Endpoint{withResource(endpoint.New("old.example.com", "A", "1.2.3.4"), "service/default/gone")},
	}
	e.Applied(ch)
	got := drain(rec)
	want := []string{
		`Warning InvalidInput skipped invalid input, existing records are kept: invalid external-dns.alpha.kubernetes.io/ttl "soon": not a duration`,
		"Warning HostnameConflict record a.example.com/A not published: service/default/a holds it",
		"Normal RecordCreated created A a.example.com 1.2.3.4",
	}
	if len(got) != len(want) {
		t.Fatalf("events %q", got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("event %d\n got  %q\n want %q...", i, got[i], want[i])
		}
	}
	now = now.Add(repeatAfter)
	e.Report(p)
	if got := drain(rec); len(got) != 1 {
		t.Errorf("after an hour the warning is said again; got %q", got)
	}
	e.Report(source.Problem{Object: p.Object, Err: errors.New("another problem")})
	if got := drain(rec); len(got) != 1 {
		t.Errorf("a different problem is said at once; got %q", got)
	}
}

func withResource(e *endpoint.Endpoint, res string) *endpoint.Endpoint {
	e.Labels = endpoint.NewLabels(endpoint.ResourceLabel, res)
	return e
}

func TestChangeEventBudget(t *testing.T) {
	rec := record.NewFakeRecorder(1000)
	e := NewEventsWithRecorder(rec, func(res string) (source.ObjectRef, bool) {
		return source.ObjectRef{APIVersion: "v1", Kind: "Service", Namespace: "default", Name: res}, true
	})
	ch := &plan.Changes{}
	for i := range changeBurst + 50 {
		ch.Create = append(ch.Create, withResource(endpoint.New("a.example.com", "A", "1.2.3.4"), fmt.Sprint(i)))
	}
	e.Applied(ch)
	if got := len(drain(rec)); got != changeBurst {
		t.Errorf("%d change events recorded at once, want the burst of %d", got, changeBurst)
	}
	if e.Dropped() != 50 {
		t.Errorf("Dropped() = %d, want 50", e.Dropped())
	}
}
