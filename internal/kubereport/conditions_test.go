package kubereport

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestSetCondition(t *testing.T) {
	t0, t1 := metav1.Unix(100, 0), time.Unix(200, 0)
	ready := func(status metav1.ConditionStatus, reason, msg string, gen int64, at metav1.Time) metav1.Condition {
		return metav1.Condition{Type: ConditionReady, Status: status, Reason: reason, Message: msg, ObservedGeneration: gen, LastTransitionTime: at}
	}
	other := metav1.Condition{Type: "Other", Status: metav1.ConditionTrue, Reason: "X", LastTransitionTime: t0}
	tests := []struct {
		name    string
		conds   []metav1.Condition
		set     metav1.Condition
		want    []metav1.Condition
		changed bool
	}{
		{name: "added when missing, stamped now",
			conds: []metav1.Condition{other}, set: ready(metav1.ConditionTrue, ReasonApplied, "ok", 1, metav1.Time{}),
			want: []metav1.Condition{other, ready(metav1.ConditionTrue, ReasonApplied, "ok", 1, metav1.NewTime(t1))}, changed: true},
		{name: "same condition is no change",
			conds: []metav1.Condition{ready(metav1.ConditionTrue, ReasonApplied, "ok", 1, t0)}, set: ready(metav1.ConditionTrue, ReasonApplied, "ok", 1, metav1.Time{}),
			want: []metav1.Condition{ready(metav1.ConditionTrue, ReasonApplied, "ok", 1, t0)}},
		{name: "status flip moves the transition time",
			conds: []metav1.Condition{ready(metav1.ConditionTrue, ReasonApplied, "ok", 1, t0), other},
			set:   ready(metav1.ConditionFalse, ReasonConflict, "lost", 1, metav1.Time{}),
			want:  []metav1.Condition{ready(metav1.ConditionFalse, ReasonConflict, "lost", 1, metav1.NewTime(t1)), other}, changed: true},
		{name: "reason or generation change keeps the transition time",
			conds: []metav1.Condition{ready(metav1.ConditionFalse, ReasonConflict, "lost", 1, t0)},
			set:   ready(metav1.ConditionFalse, ReasonInvalidInput, "bad ttl", 2, metav1.Time{}),
			want:  []metav1.Condition{ready(metav1.ConditionFalse, ReasonInvalidInput, "bad ttl", 2, t0)}, changed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := append([]metav1.Condition(nil), tt.conds...)
			got, changed := setCondition(tt.conds, tt.set, t1)
			for i := range before {
				if before[i] != tt.conds[i] {
					t.Errorf("input modified")
				}
			}
			got = append([]metav1.Condition(nil), got...)
			if changed != tt.changed || len(got) != len(tt.want) {
				t.Fatalf("changed=%v got %+v", changed, got)
			}
			for i := range got {
				if !got[i].LastTransitionTime.Equal(&tt.want[i].LastTransitionTime) {
					t.Errorf("condition %d time %v, want %v", i, got[i].LastTransitionTime, tt.want[i].LastTransitionTime)
				}
				got[i].LastTransitionTime, tt.want[i].LastTransitionTime = metav1.Time{}, metav1.Time{}
				if got[i] != tt.want[i] {
					t.Errorf("condition %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}
