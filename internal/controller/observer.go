package controller

import (
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
)

// Observer is told the outcome of every reconcile that reached the
// provider. The Kubernetes build (internal/kubereport) turns it into Events
// on the objects and DNSEndpoint status; it is the one hook besides the
// Reporter, so the controller knows nothing of Kubernetes.
type Observer interface {
	Reconciled(Outcome)
}

// Outcome is what one reconcile did.
type Outcome struct {
	// Tried is the whole plan; Applied the part that landed (nil when Err
	// is set: then what landed is not known for sure).
	Tried, Applied *plan.Changes
	// Refused are the changes the provider would not take; they are held.
	Refused []provider.Refusal
	// Conflicts are the records claimed by more than one object, or held
	// by another owner.
	Conflicts []plan.Conflict
	// Err is a failure other than refusals (a full disk, an API outage);
	// the reconcile is retried with backoff.
	Err error
}

// Observers tells each of several observers, in order.
type Observers []Observer

// Reconciled implements Observer.
func (os Observers) Reconciled(o Outcome) {
	for _, ob := range os {
		ob.Reconciled(o)
	}
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(Outcome)

// Reconciled calls f.
func (f ObserverFunc) Reconciled(o Outcome) { f(o) }
