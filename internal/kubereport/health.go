package kubereport

import (
	corev1 "k8s.io/api/core/v1"
)

// Event reasons for the embedded server's health checks.
const (
	ReasonTargetHealthy   = "TargetHealthy"
	ReasonTargetUnhealthy = "TargetUnhealthy"
)

// Health records that a target of the object behind resource changed
// health: a Warning when it left the answers, Normal when it came back.
// It shares the budget of change events.
func (e *Events) Health(resource, note string, healthy bool) {
	ref, ok := e.lookup(resource)
	if !ok {
		return
	}
	if !e.changes.TryAccept() {
		e.dropped.Add(1)
		return
	}
	kind, reason := corev1.EventTypeWarning, ReasonTargetUnhealthy
	if healthy {
		kind, reason = corev1.EventTypeNormal, ReasonTargetHealthy
	}
	e.recorder.Event(objectReference(ref), kind, reason, note)
}
