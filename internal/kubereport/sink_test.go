package kubereport

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"
)

// memEvents stores Events as the API server does, failing the next calls
// with the errors queued in fail.
type memEvents struct {
	mu     sync.Mutex
	events map[string]*corev1.Event // by namespace/name
	fail   []error
	calls  int
}

var eventsGR = schema.GroupResource{Resource: "events"}

func (m *memEvents) failure() error {
	m.calls++
	if len(m.fail) == 0 {
		return nil
	}
	err := m.fail[0]
	m.fail = m.fail[1:]
	return err
}

func (m *memEvents) create(_ context.Context, ev *corev1.Event) (*corev1.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failure(); err != nil {
		return nil, err
	}
	if m.events == nil {
		m.events = map[string]*corev1.Event{}
	}
	key := ev.Namespace + "/" + ev.Name
	if _, ok := m.events[key]; ok {
		return nil, apierrors.NewAlreadyExists(eventsGR, ev.Name)
	}
	m.events[key] = ev.DeepCopy()
	return ev.DeepCopy(), nil
}

func (m *memEvents) repeat(_ context.Context, ev *corev1.Event) (*corev1.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failure(); err != nil {
		return nil, err
	}
	cur, ok := m.events[ev.Namespace+"/"+ev.Name]
	if !ok {
		return nil, apierrors.NewNotFound(eventsGR, ev.Name)
	}
	cur.Count, cur.LastTimestamp, cur.Message = ev.Count, ev.LastTimestamp, ev.Message
	return cur.DeepCopy(), nil
}

// list returns "reason message xCount" of every stored Event.
func (m *memEvents) list() map[string]bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]bool{}
	for _, ev := range m.events {
		out[fmt.Sprintf("%s %s x%d", ev.Reason, ev.Message, ev.Count)] = true
	}
	return out
}

func svcRef(name string) *corev1.ObjectReference {
	return &corev1.ObjectReference{APIVersion: "v1", Kind: "Service", Namespace: "default", Name: name, UID: types.UID("u-" + name)}
}

// drainSink writes every queued Event, as the sink's goroutine would.
func drainSink(s *Sink) {
	for {
		select {
		case ev := <-s.queue:
			s.record(context.Background(), ev)
		default:
			return
		}
	}
}

func TestSinkCountsRepeats(t *testing.T) {
	store := &memEvents{}
	clk := clocktesting.NewFakeClock(time.Unix(1000, 0))
	s := newSink(store, Component, clk)
	s.Event(svcRef("web"), corev1.EventTypeWarning, "InvalidInput", "bad ttl")
	drainSink(s)
	clk.Step(time.Minute)
	s.Event(svcRef("web"), corev1.EventTypeWarning, "InvalidInput", "bad ttl")
	s.Event(svcRef("web"), corev1.EventTypeNormal, "RecordCreated", "created A a.example.com 1.2.3.4")
	drainSink(s)
	got := store.list()
	if len(got) != 2 || !got["InvalidInput bad ttl x2"] || !got["RecordCreated created A a.example.com 1.2.3.4 x1"] {
		t.Fatalf("stored %v", got)
	}
	for _, ev := range store.events {
		if ev.Source.Component != Component || ev.InvolvedObject.UID == "" || ev.Namespace != "default" {
			t.Errorf("event %+v", ev)
		}
		if ev.Reason == "InvalidInput" && !ev.LastTimestamp.After(ev.FirstTimestamp.Time) {
			t.Errorf("repeat kept lastTimestamp %v (first %v)", ev.LastTimestamp, ev.FirstTimestamp)
		}
	}
	// The Event expired meanwhile: the repeat is written anew.
	store.mu.Lock()
	clear(store.events)
	store.mu.Unlock()
	s.Event(svcRef("web"), corev1.EventTypeWarning, "InvalidInput", "bad ttl")
	drainSink(s)
	if got := store.list(); !got["InvalidInput bad ttl x3"] || len(got) != 1 {
		t.Errorf("after expiry %v", got)
	}
}

// TestSinkSpamFilter: 25 Events per object at once, then one every five
// minutes; other objects are not held back.
func TestSinkSpamFilter(t *testing.T) {
	store := &memEvents{}
	clk := clocktesting.NewFakeClock(time.Unix(1000, 0))
	s := newSink(store, Component, clk)
	for i := range 30 {
		clk.Step(time.Microsecond) // Events are named by the time
		s.Event(svcRef("web"), corev1.EventTypeNormal, fmt.Sprintf("Reason%d", i), "m")
	}
	s.Event(svcRef("other"), corev1.EventTypeNormal, "Reason", "m")
	drainSink(s)
	if n := len(store.list()); n != spamBurst+1 {
		t.Fatalf("%d Events stored, want %d of one object and 1 of another", n, spamBurst)
	}
	clk.Step(5 * time.Minute)
	s.Event(svcRef("web"), corev1.EventTypeNormal, "Later", "m")
	clk.Step(time.Microsecond)
	s.Event(svcRef("web"), corev1.EventTypeNormal, "Later2", "m")
	drainSink(s)
	if got := store.list(); !got["Later m x1"] || got["Later2 m x1"] {
		t.Errorf("five minutes on, want one more Event: %d stored", len(got))
	}
}

// TestSinkAggregates: from the tenth message of one reason on one object
// within ten minutes, the messages are combined into one Event.
func TestSinkAggregates(t *testing.T) {
	store := &memEvents{}
	clk := clocktesting.NewFakeClock(time.Unix(1000, 0))
	s := newSink(store, Component, clk)
	for i := range 12 {
		clk.Step(time.Microsecond)
		s.Event(svcRef("web"), corev1.EventTypeNormal, "RecordCreated", fmt.Sprintf("created %d", i))
	}
	drainSink(s)
	got := store.list()
	if len(got) != 10 || !got["RecordCreated (combined from similar events): created 11 x3"] {
		t.Errorf("stored %v", got)
	}
}

func TestSinkRetries(t *testing.T) {
	store := &memEvents{fail: []error{errors.New("connection refused"), errors.New("connection refused")}}
	clk := clocktesting.NewFakeClock(time.Unix(1000, 0))
	s := newSink(store, Component, clk)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.record(context.Background(), &corev1.Event{InvolvedObject: *svcRef("web"), Reason: "R", Message: "m", Count: 1,
			Type: corev1.EventTypeNormal})
	}()
	for range 2 { // a random part of the delay first, then the delay
		waitSinkBlocked(t, clk)
		clk.Step(eventRetryDelay)
	}
	<-done
	if store.calls != 3 || len(store.list()) != 1 {
		t.Errorf("%d calls, %v stored", store.calls, store.list())
	}

	// A refusal is final.
	store.fail = []error{apierrors.NewBadRequest("no")}
	s.record(context.Background(), &corev1.Event{InvolvedObject: *svcRef("other"), Reason: "R", Message: "m", Count: 1,
		Type: corev1.EventTypeNormal})
	if store.calls != 4 {
		t.Errorf("%d calls after a refusal, want one more", store.calls)
	}
}

func waitSinkBlocked(t *testing.T, clk *clocktesting.FakeClock) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !clk.HasWaiters() {
		if time.Now().After(deadline) {
			t.Fatal("the sink never waited to retry")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestSinkNeverBlocks: a full queue drops, and bad input is refused.
func TestSinkNeverBlocks(t *testing.T) {
	s := newSink(&memEvents{}, Component, clocktesting.NewFakeClock(time.Unix(1000, 0)))
	for range sinkQueue + 10 {
		s.Event(svcRef("web"), corev1.EventTypeNormal, "R", "m")
	}
	if len(s.queue) != sinkQueue {
		t.Errorf("%d queued", len(s.queue))
	}
	s = newSink(&memEvents{}, Component, clocktesting.NewFakeClock(time.Unix(1000, 0)))
	s.Event(svcRef("web"), "Loud", "R", "m")
	s.Event(&corev1.Service{}, corev1.EventTypeNormal, "R", "m")
	if len(s.queue) != 0 {
		t.Error("an Event of an unknown type or on no reference was queued")
	}
}
