// Package controller runs the reconcile loop: read what should exist from the
// sources, what does exist from the registry, plan the difference, apply it.
package controller

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/registry"
	"github.com/exodns/exodns/internal/source"
)

// Controller holds one reconcile pipeline. Fields are set once before Run.
type Controller struct {
	Source   source.Source
	Registry registry.Registry

	Policy       plan.Policy
	DomainFilter endpoint.DomainFilter
	ManagedTypes []string
	ExcludeTypes []string

	// Interval is the slow periodic resync; MinEventSyncInterval the least
	// time between two reconciles, so a burst of events costs one run.
	Interval             time.Duration
	MinEventSyncInterval time.Duration

	Log     *slog.Logger
	Metrics *Metrics
	Health  *Health
	// OnConflict, when set, is told of every conflict in a plan (the
	// Kubernetes build records an Event on the losing objects).
	OnConflict func(plan.Conflict)
	// OnReconciled, when set, is told each plan's outcome once the registry
	// returned: events on the owning objects, DNSEndpoint status.
	OnReconciled func(changes *plan.Changes, conflicts []plan.Conflict, err error)
	// Reporter, when set, is told of desired endpoints the provider refused
	// in AdjustEndpoints (marked held), like any other invalid input.
	Reporter source.Reporter
	// Resolve maps a resource label (kind/namespace/name) to the object,
	// for those reports; nil or a miss falls back to the label itself.
	Resolve func(resource string) (source.ObjectRef, bool)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (c *Controller) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// RunOnce performs one reconcile. Errors are returned, logged and counted;
// they never stop the process.
func (c *Controller) RunOnce(ctx context.Context) error {
	start := c.now()
	c.Metrics.lastReconcile.Set(float64(start.Unix()))
	n, err := c.reconcile(ctx)
	c.Metrics.reconcileSeconds.Observe(c.now().Sub(start).Seconds())
	c.Health.Record(err, c.now())
	if err != nil {
		c.Metrics.reconciles.WithLabelValues("error").Inc()
		c.Metrics.consecutiveErrors.Inc()
		c.Log.ErrorContext(ctx, "reconcile failed; retrying next run", "err", err)
		return err
	}
	c.Metrics.reconciles.WithLabelValues("success").Inc()
	c.Metrics.consecutiveErrors.Set(0)
	c.Metrics.lastSync.Set(float64(c.now().Unix()))
	if n == 0 {
		c.Metrics.noOpRuns.Inc()
	}
	c.Log.DebugContext(ctx, "reconcile done", "changes", n, "took", c.now().Sub(start))
	return nil
}

func (c *Controller) reconcile(ctx context.Context) (int, error) {
	c.Metrics.invalidThisRun.Store(0)
	desired, err := c.Source.Endpoints(ctx)
	c.Metrics.invalidEndpoints.Set(float64(c.Metrics.invalidThisRun.Load()))
	if err != nil {
		c.Metrics.sourceErrors.Inc()
		return 0, fmt.Errorf("controller: reading sources: %w", err)
	}
	desired, held := splitHeld(desired)
	countByType(c.Metrics.sourceRecords, desired)
	c.Metrics.sourceEndpoints.Set(float64(len(desired)))

	desired, err = c.Registry.AdjustEndpoints(desired)
	if err != nil {
		c.Metrics.registryErrors.Inc()
		return 0, fmt.Errorf("controller: adjusting endpoints: %w", err)
	}
	// The sources' holds were taken out above, so any held endpoint now is
	// one the provider refused (Route 53 would reject it): report it like
	// an invalid annotation. The plan freezes its name.
	for _, e := range desired {
		if e.Held() {
			c.reportRefused(e)
		}
	}
	current, err := c.Registry.Records(ctx)
	if err != nil {
		c.Metrics.registryErrors.Inc()
		return 0, fmt.Errorf("controller: reading records: %w", err)
	}
	countByType(c.Metrics.registryRecords, current)
	c.Metrics.registryEndpoints.Set(float64(len(current)))

	res := plan.Calculate(plan.Input{
		Desired:      desired,
		Current:      current,
		OwnerID:      c.Registry.OwnerID(),
		Policy:       c.Policy,
		DomainFilter: c.DomainFilter,
		ManagedTypes: c.ManagedTypes,
		ExcludeTypes: c.ExcludeTypes,
		Held:         held,
	})
	c.Metrics.conflicts.Set(float64(len(res.Conflicts)))
	for _, cf := range res.Conflicts {
		c.Log.WarnContext(ctx, "record conflict", "record", cf.Key.String(), "winner", cf.Winner,
			"losers", cf.Losers, "reason", cf.Reason)
		if c.OnConflict != nil {
			c.OnConflict(cf)
		}
	}
	ch := res.Changes
	logChanges(ctx, c.Log, ch)
	// The registry is called even with an empty plan: it may have its own
	// work, such as writing ownership records missing after a migration.
	err = c.Registry.ApplyChanges(ctx, ch)
	if c.OnReconciled != nil {
		c.OnReconciled(ch, res.Conflicts, err)
	}
	if err != nil {
		c.Metrics.registryErrors.Inc()
		return 0, fmt.Errorf("controller: applying %d changes: %w", ch.Len(), err)
	}
	c.Metrics.changes.WithLabelValues("create").Add(float64(len(ch.Create)))
	c.Metrics.changes.WithLabelValues("update").Add(float64(len(ch.UpdateNew)))
	c.Metrics.changes.WithLabelValues("delete").Add(float64(len(ch.Delete)))
	return ch.Len(), nil
}

// Run reconciles at start, on every source event (debounced), and every
// Interval, until ctx ends.
func (c *Controller) Run(ctx context.Context) error {
	trigger := make(chan struct{}, 1)
	c.Source.AddEventHandler(ctx, func() {
		select {
		case trigger <- struct{}{}:
		default: // a run is already pending; it will see this change too
		}
	})
	interval := c.Interval
	if interval <= 0 {
		interval = time.Minute
	}
	resync := time.NewTimer(0)
	defer resync.Stop()
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-resync.C:
		case <-trigger:
			if wait := c.MinEventSyncInterval - c.now().Sub(last); wait > 0 {
				if !sleep(ctx, wait) {
					return nil
				}
			}
		}
		last = c.now()
		_ = c.RunOnce(ctx)
		if !resync.Stop() {
			select {
			case <-resync.C:
			default:
			}
		}
		resync.Reset(interval)
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func countByType(g *prometheus.GaugeVec, eps []*endpoint.Endpoint) {
	counts := map[string]int{}
	for _, e := range eps {
		counts[e.RecordType]++
	}
	g.Reset()
	for t, n := range counts {
		g.WithLabelValues(t).Set(float64(n))
	}
}

func (c *Controller) reportRefused(e *endpoint.Endpoint) {
	if c.Reporter == nil {
		c.Log.Warn("provider refused record", "record", e.Key().String(), "resource", e.Resource(), "reason", e.Labels[endpoint.HoldLabel])
		return
	}
	ref, ok := source.ObjectRef{}, false
	if c.Resolve != nil {
		ref, ok = c.Resolve(e.Resource())
	}
	if !ok {
		ref.Name = e.Resource()
		if kind, ns, name, ok := source.ParseResource(e.Resource()); ok {
			ref = source.ObjectRef{Kind: kind, Namespace: ns, Name: name}
		}
	}
	c.Reporter.Report(source.Problem{Object: ref, Err: fmt.Errorf("record %s refused by the provider: %s", e.Key(), e.Labels[endpoint.HoldLabel])})
}

// splitHeld takes out the endpoints that only hold a name (invalid input),
// so providers never see them; the plan freezes their names.
func splitHeld(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, []string) {
	var held []string
	kept := eps[:0:0]
	for _, e := range eps {
		if e.Held() {
			held = append(held, e.DNSName)
			continue
		}
		kept = append(kept, e)
	}
	return kept, held
}

func logChanges(ctx context.Context, log *slog.Logger, ch *plan.Changes) {
	each := func(action string, eps []*endpoint.Endpoint) {
		for _, e := range eps {
			log.InfoContext(ctx, "record change", "action", action, "name", e.DNSName, "type", e.RecordType,
				"set", e.SetIdentifier, "targets", []string(e.Targets), "resource", e.Resource())
		}
	}
	each("create", ch.Create)
	each("update", ch.UpdateNew)
	each("delete", ch.Delete)
}
