// Package noop is the registry for --registry=noop: it keeps no ownership
// records. Records carry no owner, and the owner id is empty too, so the
// plan treats every record in the managed domains as its own, as upstream
// does. It suits zones that exodns alone writes to.
package noop

import (
	"context"
	"fmt"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/registry"
)

// Registry passes records and changes straight through to its provider.
type Registry struct {
	provider provider.Provider
}

var _ registry.Registry = (*Registry)(nil)

// New returns a noop registry over p.
func New(p provider.Provider) *Registry { return &Registry{provider: p} }

// Records returns the provider's records unchanged.
func (r *Registry) Records(ctx context.Context) ([]*endpoint.Endpoint, error) {
	eps, err := r.provider.Records(ctx)
	if err != nil {
		return nil, fmt.Errorf("noop registry: %w", err)
	}
	return eps, nil
}

// ApplyChanges hands changes to the provider, unless there are none: an
// empty call would still cost providers an API round trip.
func (r *Registry) ApplyChanges(ctx context.Context, changes *plan.Changes) error {
	if !changes.HasChanges() {
		return nil
	}
	if err := r.provider.ApplyChanges(ctx, changes); err != nil {
		return fmt.Errorf("noop registry: %w", err)
	}
	return nil
}

// AdjustEndpoints delegates to the provider.
func (r *Registry) AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	return r.provider.AdjustEndpoints(eps)
}

// OwnerID is empty: this registry owns nothing.
func (r *Registry) OwnerID() string { return "" }

// MayReserve implements registry.Incremental: no name is reserved.
func (r *Registry) MayReserve(*endpoint.Endpoint) bool { return false }

// ZoneVersion implements registry.Incremental with the provider's.
func (r *Registry) ZoneVersion() (uint64, bool) { return provider.ZoneVersionOf(r.provider) }
