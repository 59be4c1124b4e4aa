// Package kubereport writes what exodns has to say about Kubernetes
// objects onto them: Events (invalid input, refusals, conflicts, records
// changed by someone else, applied changes) and the status of DNSEndpoints.
// It is the controller's one Kubernetes-facing observer, so neither the
// controller nor the informer plumbing in internal/kube knows of plans,
// sources or conditions.
package kubereport

import (
	"github.com/exodns/exodns/internal/controller"
	"github.com/exodns/exodns/internal/source"
)

// Reporter is a controller.Observer and a source.Reporter (chain it behind
// the controller's reporter, which passes each report on once). Events and
// status are shared by every replica, so only the leader writes them.
type Reporter struct {
	Events *Events
	Status *StatusWriter // nil without the crd source
	// Leading says whether this replica writes; nil means always.
	Leading func() bool
}

var (
	_ controller.Observer = (*Reporter)(nil)
	_ source.Reporter     = (*Reporter)(nil)
)

func (r *Reporter) leading() bool { return r.Leading == nil || r.Leading() }

// Report records a warning Event for p on its object.
func (r *Reporter) Report(p source.Problem) {
	if r.Events != nil && r.leading() {
		r.Events.Report(p)
	}
}

// Reconciled records an Event per applied change and judges DNSEndpoint
// status.
func (r *Reporter) Reconciled(o controller.Outcome) {
	if !r.leading() {
		return
	}
	if r.Events != nil && o.Applied != nil {
		r.Events.Applied(o.Applied)
	}
	if r.Status != nil {
		r.Status.Reconciled(o)
	}
}

// Health records a health change of one of the object's targets.
func (r *Reporter) Health(resource, note string, healthy bool) {
	if r.Events != nil && r.leading() {
		r.Events.Health(resource, note, healthy)
	}
}
