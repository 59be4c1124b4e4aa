package kubereport

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/util/flowcontrol"
	"k8s.io/utils/clock"
	"k8s.io/utils/lru"
)

// The correlator is client-go's record.EventCorrelator with its default
// settings, which Events went through when they were written by client-go's
// broadcaster: per object at most 25 Events at once and then one every
// five minutes; from the tenth Event of one reason on one object with
// different messages within ten minutes, one "(combined from similar
// events)" Event; and a repeat of an Event already written counted on it
// (count, lastTimestamp) rather than written anew. It is used by one
// goroutine only.
const (
	correlatorCacheSize = 4096
	aggregateMaxEvents  = 10
	aggregateInterval   = 600 * time.Second
	spamBurst           = 25
	spamQPS             = 1. / 300.
)

type correlator struct {
	clock      clock.PassiveClock
	spam       *lru.Cache // spam key -> flowcontrol.PassiveRateLimiter
	aggregates *lru.Cache // aggregate key -> *aggregateRecord
	written    *lru.Cache // event key -> eventLog
}

type aggregateRecord struct {
	messages sets.Set[string]
	last     time.Time
}

// eventLog is what was written of an Event, to count its repeats on it.
type eventLog struct {
	count int32
	first metav1.Time
	name  string
}

func newCorrelator(c clock.PassiveClock) *correlator {
	return &correlator{clock: c, spam: lru.New(correlatorCacheSize), aggregates: lru.New(correlatorCacheSize),
		written: lru.New(correlatorCacheSize)}
}

// correlate returns the Event to write and whether it is a repeat of one
// written (to be patched), or nil when the spam filter drops it.
func (c *correlator) correlate(ev *corev1.Event) (out *corev1.Event, repeat bool) {
	ev, key := c.aggregate(ev)
	out = ev.DeepCopy()
	if last, ok := c.written.Get(key); ok {
		l := last.(eventLog)
		out.Name, out.FirstTimestamp, out.Count = l.name, l.first, l.count+1
		repeat = true
	}
	c.written.Add(key, eventLog{count: out.Count, first: out.FirstTimestamp, name: out.Name})
	if !c.allow(out) {
		return nil, false
	}
	return out, repeat
}

// written records the Event as the server stored it.
func (c *correlator) stored(ev *corev1.Event) {
	c.written.Add(eventKey(ev), eventLog{count: ev.Count, first: ev.FirstTimestamp, name: ev.Name})
}

// aggregate replaces the Event by a combined one once an object has had
// too many of one reason with different messages lately. The key says
// which Event a repeat counts on.
func (c *correlator) aggregate(ev *corev1.Event) (*corev1.Event, string) {
	now := c.clock.Now()
	akey := strings.Join([]string{ev.Source.Component, ev.Source.Host, ev.InvolvedObject.Kind, ev.InvolvedObject.Namespace,
		ev.InvolvedObject.Name, string(ev.InvolvedObject.UID), ev.InvolvedObject.APIVersion, ev.Type, ev.Reason,
		ev.ReportingController, ev.ReportingInstance}, "")
	rec := &aggregateRecord{messages: sets.New[string]()}
	if v, ok := c.aggregates.Get(akey); ok && now.Sub(v.(*aggregateRecord).last) <= aggregateInterval {
		rec = v.(*aggregateRecord)
	}
	rec.messages.Insert(ev.Message)
	rec.last = now
	c.aggregates.Add(akey, rec)
	if rec.messages.Len() < aggregateMaxEvents {
		return ev, eventKey(ev)
	}
	rec.messages.PopAny()
	t := metav1.NewTime(now)
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: eventName(ev.InvolvedObject.Name, now), Namespace: ev.Namespace},
		Count:          1,
		FirstTimestamp: t,
		LastTimestamp:  t,
		InvolvedObject: ev.InvolvedObject,
		Message:        "(combined from similar events): " + ev.Message,
		Type:           ev.Type,
		Reason:         ev.Reason,
		Source:         ev.Source,
	}, akey
}

// allow is the spam filter: a token bucket per object and type.
func (c *correlator) allow(ev *corev1.Event) bool {
	key := strings.Join([]string{ev.Source.Component, ev.Source.Host, ev.InvolvedObject.Kind, ev.InvolvedObject.Namespace,
		ev.InvolvedObject.Name, string(ev.InvolvedObject.UID), ev.InvolvedObject.APIVersion, ev.Type}, "")
	var rl flowcontrol.PassiveRateLimiter
	if v, ok := c.spam.Get(key); ok {
		rl = v.(flowcontrol.PassiveRateLimiter)
	} else {
		rl = flowcontrol.NewTokenBucketPassiveRateLimiterWithClock(spamQPS, spamBurst, c.clock)
	}
	c.spam.Add(key, rl)
	return rl.TryAccept()
}

func eventKey(ev *corev1.Event) string {
	return strings.Join([]string{ev.Source.Component, ev.Source.Host, ev.InvolvedObject.Kind, ev.InvolvedObject.Namespace,
		ev.InvolvedObject.Name, ev.InvolvedObject.FieldPath, string(ev.InvolvedObject.UID), ev.InvolvedObject.APIVersion,
		ev.Type, ev.Reason, ev.Message}, "")
}

// eventName is client-go's: the object's name and the time in hex
// nanoseconds.
func eventName(object string, t time.Time) string {
	return fmt.Sprintf("%v.%x", object, t.UnixNano())
}
