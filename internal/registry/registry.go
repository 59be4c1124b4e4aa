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

// Incremental is a registry whose view of one name depends on that name
// alone (and its ownership records), so the controller may plan only the
// names that changed. Registries without it are planned whole each run.
type Incremental interface {
	// MayReserve reports whether ep might be held because of records at
	// other names (the TXT registry holds a TXT or CNAME named like an
	// ownership record). While any desired endpoint may be, the
	// controller plans everything at once.
	MayReserve(ep *endpoint.Endpoint) bool
	// ZoneVersion returns a number that changes whenever a record of the
	// zone does, through this process or not; ok is false when the
	// provider keeps none, and then only a full read tells.
	ZoneVersion() (v uint64, ok bool)
}
