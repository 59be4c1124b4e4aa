package provider

import (
	"context"

	"github.com/exodns/exodns/internal/plan"
)

// DryRun wraps a provider so that ApplyChanges changes nothing. Reads still
// reach the real provider, so the plan is the one a real run would apply;
// the controller (with DryRun set) logs it as what it would change.
func DryRun(p Provider) Provider {
	return &dryRun{Provider: p}
}

type dryRun struct {
	Provider
}

// Unwrap returns the real provider, so callers can find optional
// interfaces it implements (such as the TXT registry's OwnershipFormer)
// behind the wrapper.
func (d *dryRun) Unwrap() Provider { return d.Provider }

func (d *dryRun) ApplyChanges(context.Context, *plan.Changes) error { return nil }
