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
	"github.com/exodns/exodns/internal/provider"
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
	// RetryBackoff is the first wait after a failed reconcile; it doubles
	// with each failure in a row, up to Interval. Zero means one second.
	RetryBackoff time.Duration
	// DryRun says the provider changes nothing, so logs say "would".
	DryRun bool

	Log     *slog.Logger
	Metrics *Metrics
	Health  *Health
	// Observer, when set, is told each reconcile's outcome once the
	// registry returned (Events and status, in a cluster).
	Observer Observer
	// Reporter is told of desired endpoints the provider refused, of the
	// losers of conflicts, and of records someone else changed. A
	// *Reporter also hears when each reconcile starts and ends, to say
	// each report once.
	Reporter source.Reporter
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// Only the Run goroutine touches these.
	refused      refusals
	written      writtenRecords
	retryRefused bool

	explain explainState
}

// runReporter is a Reporter that gathers each reconcile's reports.
type runReporter interface {
	BeginRun()
	EndRun(complete bool)
}

func (c *Controller) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// RunOnce performs one reconcile. Errors are returned, logged and counted;
// they never stop the process. Changes the provider refused are not
// errors: they are reported against their objects and their names held.
func (c *Controller) RunOnce(ctx context.Context) error {
	start := c.now()
	c.Metrics.lastReconcile.Set(float64(start.Unix()))
	rr, _ := c.Reporter.(runReporter)
	if rr != nil {
		rr.BeginRun()
	}
	n, complete, err := c.reconcile(ctx)
	if rr != nil {
		rr.EndRun(complete)
	}
	c.Metrics.reconcileSeconds.Observe(c.now().Sub(start).Seconds())
	c.Health.Record(err, c.now())
	if err != nil {
		c.Metrics.reconciles.WithLabelValues("error").Inc()
		c.Metrics.consecutiveErrors.Inc()
		c.Log.ErrorContext(ctx, "reconcile failed; retrying with backoff", "err", err)
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

// reconcile returns the number of changes applied, and whether every
// source was read (so reports that are gone may be taken as cleared).
func (c *Controller) reconcile(ctx context.Context) (int, bool, error) {
	desired, err := c.Source.Endpoints(ctx)
	policy := c.Policy
	if _, ok := source.AsIncomplete(err); ok {
		// Some input is not readable yet and the names it would publish
		// are unknown: apply what is known, delete nothing.
		c.Log.DebugContext(ctx, "sources incomplete; no record is deleted this run", "err", err)
		if policy == plan.PolicySync {
			policy = plan.PolicyUpsertOnly
		}
	} else if err != nil {
		c.Metrics.sourceErrors.Inc()
		return 0, false, fmt.Errorf("controller: reading sources: %w", err)
	}
	desired, heldEps := splitHeld(desired)
	held := make([]string, len(heldEps))
	for i, e := range heldEps {
		held[i] = e.DNSName
	}
	countByType(c.Metrics.sourceRecords, desired)
	c.Metrics.sourceEndpoints.Set(float64(len(desired)))

	desired, err = c.Registry.AdjustEndpoints(desired)
	if err != nil {
		c.Metrics.registryErrors.Inc()
		return 0, true, fmt.Errorf("controller: adjusting endpoints: %w", err)
	}
	// The sources' holds were taken out above, so any held endpoint now is
	// one the provider refused (Route 53 would reject it): report it like
	// an invalid annotation. The plan freezes its name.
	for _, e := range desired {
		if e.Held() {
			c.report(e.Resource(), source.Refused, fmt.Errorf("record %s refused by the provider: %s", e.Key(), e.Labels[endpoint.HoldLabel]))
		}
	}
	if c.retryRefused {
		c.refused.clear()
		c.retryRefused = false
	}
	for _, r := range c.refused.stillHeld(desired) {
		held = append(held, r.name)
		c.report(r.resource, source.Refused, r.err)
	}
	current, err := c.Registry.Records(ctx)
	if err != nil {
		c.Metrics.registryErrors.Inc()
		return 0, true, fmt.Errorf("controller: reading records: %w", err)
	}
	countByType(c.Metrics.registryRecords, current)
	c.Metrics.registryEndpoints.Set(float64(len(current)))
	contested := c.written.contested(current, c.Registry.OwnerID(), c.now())
	for _, ct := range contested {
		c.report(ct.resource, source.Contested, ct.err)
	}

	res := plan.Calculate(plan.Input{
		Desired:      desired,
		Current:      current,
		OwnerID:      c.Registry.OwnerID(),
		Policy:       policy,
		DomainFilter: c.DomainFilter,
		ManagedTypes: c.ManagedTypes,
		ExcludeTypes: c.ExcludeTypes,
		Held:         held,
	})
	c.Metrics.conflicts.Set(float64(len(res.Conflicts)))
	defer func() {
		// After the apply, so refusals it found are included.
		c.explain.seen(c.now(), desired, heldEps, current, res.Conflicts, c.refused.list(), contested)
	}()
	for _, cf := range res.Conflicts {
		winner := cf.Winner
		if winner == "" {
			winner = "a record exodns does not own"
		}
		for _, loser := range cf.Losers {
			c.report(loser, source.Conflict, fmt.Errorf("record %s not published: %s holds it (%s)", cf.Key, winner, cf.Reason))
		}
	}
	ch := res.Changes
	logChanges(ctx, c.Log, slog.LevelDebug, "planned record change", ch)
	// The registry is called even with an empty plan: it may have its own
	// work, such as writing ownership records missing after a migration.
	err = c.Registry.ApplyChanges(ctx, ch)
	applied := ch
	if re, ok := provider.AsRefused(err); ok {
		applied = withoutRefused(ch, re)
		for _, r := range c.refused.remember(desired, re) {
			c.report(r.resource, source.Refused, r.err)
		}
	}
	if c.Observer != nil {
		o := Outcome{Tried: ch, Conflicts: res.Conflicts}
		if re, ok := provider.AsRefused(err); ok {
			o.Applied, o.Refused = applied, re.Refused
		} else if err != nil {
			o.Err = err
		} else {
			o.Applied = ch
		}
		c.Observer.Reconciled(o)
	}
	if err != nil && !provider.OnlyRefused(err) {
		// Refusals joined to a failure (an outage part-way through a
		// batch) still fail the reconcile, so it is retried.
		c.Metrics.registryErrors.Inc()
		return 0, true, fmt.Errorf("controller: applying %d changes: %w", ch.Len(), err)
	}
	if c.DryRun {
		logChanges(ctx, c.Log, slog.LevelInfo, "dry-run: would change record", applied)
		return applied.Len(), true, nil
	}
	c.written.note(applied)
	c.explain.applied(applied, c.Registry.OwnerID(), c.now())
	logChanges(ctx, c.Log, slog.LevelInfo, "record changed", applied)
	c.Metrics.changes.WithLabelValues("create").Add(float64(len(applied.Create)))
	c.Metrics.changes.WithLabelValues("update").Add(float64(len(applied.UpdateNew)))
	c.Metrics.changes.WithLabelValues("delete").Add(float64(len(applied.Delete)))
	return applied.Len(), true, nil
}

// Run reconciles at start, on every source event (debounced), and every
// Interval, until ctx ends. A failed reconcile is retried after a backoff
// that starts at RetryBackoff and doubles up to Interval, so a provider
// that comes back (a freed disk, an API outage) is used within seconds.
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
	var backoff time.Duration
	retrying := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-resync.C:
			if retrying {
				c.Metrics.retries.Inc()
			} else {
				// A slow resync gives refused changes another try.
				c.retryRefused = true
			}
		case <-trigger:
			if wait := c.MinEventSyncInterval - c.now().Sub(last); wait > 0 {
				if !sleep(ctx, wait) {
					return nil
				}
			}
		}
		last = c.now()
		next := interval
		if err := c.RunOnce(ctx); err != nil {
			backoff = nextBackoff(backoff, c.RetryBackoff, interval)
			next, retrying = backoff, true
		} else {
			backoff, retrying = 0, false
		}
		if !resync.Stop() {
			select {
			case <-resync.C:
			default:
			}
		}
		resync.Reset(next)
	}
}

// nextBackoff doubles prev, starting at first (one second when zero) and
// never past limit.
func nextBackoff(prev, first, limit time.Duration) time.Duration {
	if first <= 0 {
		first = time.Second
	}
	next := first
	if prev > 0 {
		next = 2 * prev
	}
	return min(next, limit)
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

// report tells the Reporter about the object behind a resource label.
func (c *Controller) report(resource string, kind source.ProblemKind, err error) {
	if c.Reporter == nil {
		c.Log.Warn("record not published", "resource", resource, "reason", kind.String(), "err", err)
		return
	}
	c.Reporter.Report(source.Problem{Object: c.objectOf(resource), Kind: kind, Err: err})
}

// objectOf names the object behind a resource label. The Kubernetes
// reporter finds its UID for Events itself.
func (c *Controller) objectOf(resource string) source.ObjectRef {
	if kind, ns, name, ok := source.ParseResource(resource); ok {
		return source.ObjectRef{Kind: kind, Namespace: ns, Name: name}
	}
	return source.ObjectRef{Name: resource}
}

// splitHeld takes out the endpoints that only hold a name (invalid input),
// so providers never see them; the plan freezes their names.
func splitHeld(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, []*endpoint.Endpoint) {
	var held []*endpoint.Endpoint
	kept := eps[:0:0]
	for _, e := range eps {
		if e.Held() {
			held = append(held, e)
			continue
		}
		kept = append(kept, e)
	}
	return kept, held
}

func logChanges(ctx context.Context, log *slog.Logger, level slog.Level, msg string, ch *plan.Changes) {
	if !log.Enabled(ctx, level) {
		return
	}
	each := func(action string, eps []*endpoint.Endpoint) {
		for _, e := range eps {
			log.Log(ctx, level, msg, "action", action, "name", e.DNSName, "type", e.RecordType,
				"set", e.SetIdentifier, "targets", []string(e.Targets), "resource", e.Resource())
		}
	}
	each("create", ch.Create)
	each("update", ch.UpdateNew)
	each("delete", ch.Delete)
}
