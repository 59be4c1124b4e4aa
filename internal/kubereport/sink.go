package kubereport

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"github.com/exodns/exodns/internal/kube"
)

// Recorder records an Event about an object: the one method of client-go's
// record.EventRecorder that Events uses (so record.FakeRecorder still
// serves the tests).
type Recorder interface {
	Event(object runtime.Object, eventtype, reason, message string)
}

// Sink writes core/v1 Events as client-go's event broadcaster did, which
// cannot be used without linking strategic merge patches and with them
// the OpenAPI models (some megabytes of binary): Event never blocks, and
// drops the Event when 1,000 are queued; one goroutine correlates
// (correlate.go) and writes them, trying an Event up to 12 times, 10
// seconds apart, while the API server cannot be reached, and not again
// once it refused it.
type Sink struct {
	writer     eventWriter
	component  string
	clock      clock.Clock
	retryDelay time.Duration
	queue      chan *corev1.Event
	corr       *correlator
}

const (
	sinkQueue        = 1000
	maxTriesPerEvent = 12
	eventRetryDelay  = 10 * time.Second
)

// eventWriter stores Events.
type eventWriter interface {
	create(ctx context.Context, ev *corev1.Event) (*corev1.Event, error)
	// repeat sets count, lastTimestamp and message of a written Event.
	repeat(ctx context.Context, ev *corev1.Event) (*corev1.Event, error)
}

// NewSink writes Events of component through c until ctx ends.
func NewSink(ctx context.Context, c *kube.Client, component string) *Sink {
	s := newSink(restEvents{c}, component, clock.RealClock{})
	go s.run(ctx)
	return s
}

func newSink(w eventWriter, component string, c clock.Clock) *Sink {
	return &Sink{writer: w, component: component, clock: c, retryDelay: eventRetryDelay,
		queue: make(chan *corev1.Event, sinkQueue), corr: newCorrelator(c)}
}

var _ Recorder = (*Sink)(nil)

// Event queues an Event about object, an *corev1.ObjectReference (the only
// kind of object Events records on).
func (s *Sink) Event(object runtime.Object, eventtype, reason, message string) {
	ref, ok := object.(*corev1.ObjectReference)
	if !ok {
		klog.Errorf("Could not construct reference to: '%#v' due to: 'not an object reference'. Will not report event: '%v' '%v' '%v'", object, eventtype, reason, message)
		return
	}
	if eventtype != corev1.EventTypeNormal && eventtype != corev1.EventTypeWarning {
		klog.Errorf("Unsupported event type: '%v'", eventtype)
		return
	}
	t := metav1.NewTime(s.clock.Now())
	ns := ref.Namespace
	if ns == "" {
		ns = metav1.NamespaceDefault
	}
	ev := &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: eventName(ref.Name, t.Time), Namespace: ns},
		InvolvedObject: *ref,
		Reason:         reason,
		Message:        message,
		FirstTimestamp: t,
		LastTimestamp:  t,
		Count:          1,
		Type:           eventtype,
		Source:         corev1.EventSource{Component: s.component},
	}
	select {
	case s.queue <- ev:
	default:
		klog.Errorf("Event queue full, dropping event %s %s %s", ev.Type, ev.Reason, ev.Message)
	}
}

func (s *Sink) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-s.queue:
			s.record(ctx, ev)
		}
	}
}

// record correlates ev and writes it, with retries.
func (s *Sink) record(ctx context.Context, ev *corev1.Event) {
	ev, repeat := s.corr.correlate(ev)
	if ev == nil {
		return
	}
	for tries := 1; ; tries++ {
		if s.write(ctx, ev, repeat) {
			return
		}
		if tries >= maxTriesPerEvent {
			klog.Errorf("Unable to write event %s/%s (retry limit exceeded!)", ev.Namespace, ev.Name)
			return
		}
		delay := s.retryDelay
		if tries == 1 {
			// Replicas that lost the API server at once do not all
			// come back at once.
			delay = time.Duration(float64(delay) * rand.Float64())
		}
		select {
		case <-ctx.Done():
			return
		case <-s.clock.After(delay):
		}
	}
}

// write stores ev, a repeat on the Event written before if repeat (or
// anew if that one is gone). It reports false if it should be tried again.
func (s *Sink) write(ctx context.Context, ev *corev1.Event, repeat bool) bool {
	var stored *corev1.Event
	var err error
	if repeat {
		stored, err = s.writer.repeat(ctx, ev)
	}
	if !repeat || apierrors.IsNotFound(err) {
		c := ev.DeepCopy()
		c.ResourceVersion = ""
		stored, err = s.writer.create(ctx, c)
	}
	if err == nil {
		s.corr.stored(stored)
		return true
	}
	var status *apierrors.StatusError
	var construction *rest.RequestConstructionError
	switch {
	case errors.As(err, &status), errors.As(err, &construction):
		// Refused, or malformed: the same again would be too.
		if !apierrors.IsAlreadyExists(err) && !apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
			klog.Errorf("Server rejected event %s/%s (will not retry!): %v", ev.Namespace, ev.Name, err)
		}
		return true
	}
	klog.Errorf("Unable to write event %s/%s (may retry after sleeping): %v", ev.Namespace, ev.Name, err)
	return false
}

var eventsGVR = schema.GroupVersionResource{Version: "v1", Resource: "events"}

// restEvents stores Events in the API server.
type restEvents struct{ c *kube.Client }

func (r restEvents) create(ctx context.Context, ev *corev1.Event) (*corev1.Event, error) {
	ev.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Event"}
	var out corev1.Event
	if err := r.c.Create(ctx, kube.Path(eventsGVR, ev.Namespace, ""), ev, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (r restEvents) repeat(ctx context.Context, ev *corev1.Event) (*corev1.Event, error) {
	patch, err := json.Marshal(map[string]any{"count": ev.Count, "lastTimestamp": ev.LastTimestamp, "message": ev.Message})
	if err != nil {
		return nil, err
	}
	var out corev1.Event
	if err := r.c.Patch(ctx, kube.Path(eventsGVR, ev.Namespace, ev.Name), types.MergePatchType, patch, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
