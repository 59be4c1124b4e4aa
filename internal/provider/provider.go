// Package provider defines what a DNS backend must do, and the helpers every
// backend shares: dry-run, applying a batch with refusals set apart
// (ApplyIsolated), batching and bisection (Pack, Submitter), and the errors
// a change is refused with. Zone matching and the batch rules live one
// level down, in internal/zone, where the embedded store can use them too.
package provider

import (
	"context"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// Provider tells what records exist, and changes them.
type Provider interface {
	// Records returns every record in the zones the provider manages.
	Records(ctx context.Context) ([]*endpoint.Endpoint, error)
	// ApplyChanges applies one batch of changes.
	ApplyChanges(ctx context.Context, changes *plan.Changes) error
	// AdjustEndpoints rewrites desired endpoints into the form the provider
	// will report back from Records, so the plan does not see a permanent
	// difference (for example a default TTL, or a property it ignores).
	AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error)
}
