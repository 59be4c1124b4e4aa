// Package registry adds ownership to a provider: which records belong to
// this controller, so it never touches anyone else's.
package registry

import (
	"context"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// Registry wraps a provider. Records returns the provider's records with the
// owner and resource labels filled in from the ownership records, and hides
// the ownership records themselves. ApplyChanges writes the records and
// their ownership records together.
type Registry interface {
	Records(ctx context.Context) ([]*endpoint.Endpoint, error)
	ApplyChanges(ctx context.Context, changes *plan.Changes) error
	AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error)
	// OwnerID is the owner this registry writes; the plan changes only
	// records carrying it.
	OwnerID() string
}
