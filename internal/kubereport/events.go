package kubereport

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/flowcontrol"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/kube"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/source"
)

// Component is the source component of exodns's Events.
const Component = "exodns"

// Event reasons.
const (
	ReasonHostnameConflict = "HostnameConflict" // source.Conflict
	ReasonRecordCreated    = "RecordCreated"
	ReasonRecordUpdated    = "RecordUpdated"
	ReasonRecordDeleted    = "RecordDeleted"
)

// Event budgets. The sink queues 1,000 events and logs an error for
// each one it drops, so the first reconcile of a large cluster (thousands
// of RecordCreated at once) must be thinned out before it, not by it.
// Warnings have their own budget: a warning that does not fit is not
// marked as said and goes out on a later reconcile; a change event that
// does not fit is only counted, as the change itself is logged anyway.
const (
	warningQPS, warningBurst = 5, 200
	changeQPS, changeBurst   = 2, 100
)

// repeatAfter is how long a repeated warning stays quiet. Problems and
// conflicts are found again on every reconcile; saying so once an hour
// keeps them visible (Events expire after an hour) without an API write
// per reconcile.
const repeatAfter = time.Hour

// Resolver finds the object behind a resource label (service/ns/name,
// ingress/ns/name, crd/ns/name, httproute/ns/name), usually in an informer
// cache so the reference carries the UID kubectl describe matches on.
type Resolver func(resource string) (source.ObjectRef, bool)

// Events records Kubernetes Events on the objects records come from. It is
// a source.Reporter (warnings, with the report's kind as reason) and a
// change hook (RecordCreated/Updated/Deleted). Recording never blocks:
// the sink drops events when its queue is full.
type Events struct {
	recorder Recorder
	resolve  Resolver
	now      func() time.Time
	warnings flowcontrol.PassiveRateLimiter
	changes  flowcontrol.PassiveRateLimiter
	dropped  atomic.Int64

	mu     sync.Mutex
	recent map[string]time.Time // warnings said lately, by object+reason+note
}

// NewEvents starts a Sink writing core/v1 Events through client until ctx
// ends. client should have a rate limit of its own
// (Cluster.NewClients().Core) so Events cannot use up the budget status
// writes need.
func NewEvents(ctx context.Context, client *kube.Client, resolve Resolver) *Events {
	return NewEventsWithRecorder(NewSink(ctx, client, Component), resolve)
}

// NewEventsWithRecorder records through r (record.FakeRecorder in tests).
func NewEventsWithRecorder(r Recorder, resolve Resolver) *Events {
	return &Events{recorder: r, resolve: resolve, now: time.Now, recent: map[string]time.Time{},
		warnings: flowcontrol.NewTokenBucketPassiveRateLimiter(warningQPS, warningBurst),
		changes:  flowcontrol.NewTokenBucketPassiveRateLimiter(changeQPS, changeBurst)}
}

// Dropped counts change events left out because they came faster than
// the budget allows (a first sync, a mass rename).
func (e *Events) Dropped() int64 { return e.dropped.Load() }

// Report records a Warning on the object of p, with the report's kind as
// reason (InvalidInput, ProviderRefused, HostnameConflict,
// RecordContested). It implements source.Reporter; chain it behind the
// controller's reporter (controller.Reporter.Next), which passes each
// report on once.
func (e *Events) Report(p source.Problem) {
	note := p.Err.Error()
	switch p.Kind {
	case source.InvalidInput:
		note = "skipped invalid input, existing records are kept: " + note
	case source.Refused:
		note = "not published, existing records are kept: " + note
	}
	ref := p.Object
	if ref.UID == "" && e.resolve != nil {
		// The controller names refused and conflicting records by their
		// resource label; the cache knows the object's UID.
		if r, ok := e.resolve(strings.ToLower(ref.Kind) + "/" + ref.Namespace + "/" + ref.Name); ok {
			ref = r
		}
	}
	e.warnOnce(ref, p.Kind.String(), note)
}

// Applied records a Normal event per applied change on the resource the
// record belongs to. Call it after ApplyChanges succeeded; a failed batch
// changed nothing.
func (e *Events) Applied(ch *plan.Changes) {
	if ch == nil {
		return
	}
	each := func(reason, verb string, eps []*endpoint.Endpoint) {
		for _, ep := range eps {
			ref, ok := e.lookup(ep.Resource())
			if !ok {
				continue
			}
			if !e.changes.TryAccept() {
				e.dropped.Add(1)
				continue
			}
			e.recorder.Event(objectReference(ref), corev1.EventTypeNormal, reason,
				fmt.Sprintf("%s %s %s %s", verb, ep.RecordType, ep.DNSName, strings.Join(ep.Targets, ",")))
		}
	}
	each(ReasonRecordCreated, "created", ch.Create)
	each(ReasonRecordUpdated, "updated", ch.UpdateNew)
	each(ReasonRecordDeleted, "deleted", ch.Delete)
}

func (e *Events) lookup(resource string) (source.ObjectRef, bool) {
	if resource == "" || e.resolve == nil {
		return source.ObjectRef{}, false
	}
	return e.resolve(resource)
}

func (e *Events) warnOnce(ref source.ObjectRef, reason, note string) {
	key := ref.APIVersion + "/" + ref.Kind + "/" + ref.Namespace + "/" + ref.Name + "/" + ref.UID + "\x00" + reason + "\x00" + note
	now := e.now()
	e.mu.Lock()
	if t, ok := e.recent[key]; (ok && now.Sub(t) < repeatAfter) || !e.warnings.TryAccept() {
		e.mu.Unlock()
		return
	}
	e.recent[key] = now
	if len(e.recent) > 4096 {
		for k, t := range e.recent {
			if now.Sub(t) >= repeatAfter {
				delete(e.recent, k)
			}
		}
	}
	e.mu.Unlock()
	e.recorder.Event(objectReference(ref), corev1.EventTypeWarning, reason, note)
}

func objectReference(ref source.ObjectRef) *corev1.ObjectReference {
	return &corev1.ObjectReference{
		APIVersion: ref.APIVersion,
		Kind:       ref.Kind,
		Namespace:  ref.Namespace,
		Name:       ref.Name,
		UID:        types.UID(ref.UID),
	}
}
