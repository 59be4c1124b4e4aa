package kubereport

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The Ready condition exodns writes on DNSEndpoints, and its reasons.
const (
	ConditionReady      = "Ready"
	ReasonApplied       = "Applied"
	ReasonConflict      = "Conflict"
	ReasonInvalidInput  = "InvalidInput"
	ReasonProviderError = "ProviderError"
)

// setCondition is the one place conditions change. It replaces the
// condition of c's type (appending it if missing) and reports whether
// anything changed, so callers write only real changes. lastTransitionTime
// moves only when the status flips: it tells since when an object has been
// ready or not, which a message or reason change does not reset.
func setCondition(conds []metav1.Condition, c metav1.Condition, now time.Time) ([]metav1.Condition, bool) {
	for i, old := range conds {
		if old.Type != c.Type {
			continue
		}
		if old.Status == c.Status {
			c.LastTransitionTime = old.LastTransitionTime
		} else {
			c.LastTransitionTime = metav1.NewTime(now)
		}
		if old == c {
			return conds, false
		}
		out := append([]metav1.Condition(nil), conds...)
		out[i] = c
		return out, true
	}
	c.LastTransitionTime = metav1.NewTime(now)
	return append(append([]metav1.Condition(nil), conds...), c), true
}
