package provider

import (
	"context"
	"log/slog"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// DryRun wraps a provider so that ApplyChanges logs the plan and changes
// nothing. Reads still reach the real provider, so the logged plan is the
// one a real run would apply.
func DryRun(p Provider, log *slog.Logger) Provider {
	return &dryRun{Provider: p, log: log}
}

type dryRun struct {
	Provider
	log *slog.Logger
}

// Unwrap returns the real provider, so callers can find optional
// interfaces it implements (such as the TXT registry's OwnershipFormer)
// behind the wrapper.
func (d *dryRun) Unwrap() Provider { return d.Provider }

func (d *dryRun) ApplyChanges(ctx context.Context, c *plan.Changes) error {
	logList := func(action string, eps []*endpoint.Endpoint) {
		for _, e := range eps {
			d.log.InfoContext(ctx, "dry-run: would change record", "action", action, "name", e.DNSName,
				"type", e.RecordType, "set", e.SetIdentifier, "ttl", int64(e.RecordTTL), "targets", []string(e.Targets))
		}
	}
	logList("create", c.Create)
	logList("update-old", c.UpdateOld)
	logList("update-new", c.UpdateNew)
	logList("delete", c.Delete)
	return nil
}
