package controller

import (
	"log/slog"

	"github.com/exodns/exodns/internal/source"
)

// Reporter logs and counts invalid inputs. Each report names the object
// (kind namespace/name) and the field, value and reason, so a user can find
// and fix it; the endpoint itself was already skipped by the source.
type Reporter struct {
	Log     *slog.Logger
	Metrics *Metrics
	// Next, when set, is also told (the Kubernetes build records an Event).
	Next source.Reporter
}

// Report implements source.Reporter.
func (r *Reporter) Report(p source.Problem) {
	r.Log.Warn("invalid input skipped", "kind", p.Object.Kind, "namespace", p.Object.Namespace,
		"name", p.Object.Name, "err", p.Err)
	r.Metrics.invalidInputs.WithLabelValues(p.Object.Kind).Inc()
	r.Metrics.invalidThisRun.Add(1)
	if r.Next != nil {
		r.Next.Report(p)
	}
}
