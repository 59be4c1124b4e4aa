// Package controller runs the reconcile loop: read what should exist from the
// sources, what does exist from the registry, plan the difference, apply it.
package controller

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
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

	// FullResyncEvery makes every n-th periodic resync a full one even
	// when nothing says the input or the zone changed: a safety net under
	// the incremental runs. Zero means 60 (an hour at the default
	// one-minute --interval); negative, never.
	FullResyncEvery int

	// AfterRun, when set, is called on the Run goroutine after each
	// successful reconcile, saying whether it was a full one: the moment
	// a converged controller has just made the most garbage it makes in
	// an interval (the cli hands the heap's free pages back to the kernel
	// there).
	AfterRun func(full bool)

	// Only the Run goroutine touches these.
	refused      refusals
	clashes      clashes
	retryRefused bool
	resyncs      int

	// ix is what incremental runs plan from, and Explain reads.
	ix index
	// fullNeeded is set by events of sources that cannot say what
	// changed; watching says Run registered those event handlers.
	fullNeeded atomic.Bool
	watching   bool
}

// runReporter is a Reporter that gathers each reconcile's reports.
type runReporter interface {
	BeginRun()
	EndRun(complete bool)
}

// scopedReporter also ends incremental runs, which read only some objects.
type scopedReporter interface {
	EndRunScoped(read map[string]bool)
}

func (c *Controller) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// RunOnce performs one full reconcile: every source is read, the
// registry's records too, and everything is planned. Errors are returned,
// logged and counted; they never stop the process. Changes the provider
// refused are not errors: they are reported against their objects and
// their names held.
func (c *Controller) RunOnce(ctx context.Context) error { return c.run(ctx, runFull) }

// runMode says how much a reconcile reads.
type runMode uint8

const (
	// runFull reads and plans everything.
	runFull runMode = iota
	// runEvent plans only the names the changed objects touch, when the
	// sources and the registry can say what changed; else it is full.
	runEvent
	// runResync is the periodic one: like runEvent when the zone's
	// version says nothing changed under us (so a no-op costs no O(N)
	// work), full otherwise, and full every FullResyncEvery-th time.
	runResync
)

func (c *Controller) run(ctx context.Context, mode runMode) error {
	start := c.now()
	c.Metrics.lastReconcile.Set(float64(start.Unix()))
	rr, _ := c.Reporter.(runReporter)
	if rr != nil {
		rr.BeginRun()
	}
	var n int
	var complete bool
	var err error
	var touched map[string]bool
	partial := false
	if mode != runFull {
		n, touched, partial, err = c.reconcileDelta(ctx, mode == runResync)
	}
	if !partial && err == nil {
		n, complete, err = c.reconcile(ctx)
	}
	if rr != nil {
		sr, scoped := rr.(scopedReporter)
		switch {
		case partial && scoped:
			sr.EndRunScoped(touched)
		case partial:
			rr.EndRun(false)
		default:
			rr.EndRun(complete)
		}
	}
	kind := "full"
	if partial {
		kind = "incremental"
	}
	c.Metrics.reconcileSeconds.Observe(c.now().Sub(start).Seconds())
	c.Metrics.runs.WithLabelValues(kind).Inc()
	c.Health.Record(err, c.now())
	if err != nil {
		c.ix.mu.Lock()
		c.ix.ready = false // what landed is not known: the next run is full
		c.ix.mu.Unlock()
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
	c.Log.DebugContext(ctx, "reconcile done", "changes", n, "kind", kind, "took", c.now().Sub(start))
	if c.AfterRun != nil {
		c.AfterRun(!partial)
	}
	return nil
}

// parts returns the sources one by one: the parts of a source.Multi are
// tracked apart, so an incremental one is not made full by another.
func (c *Controller) parts() []source.Source {
	if m, ok := c.Source.(source.Multi); ok {
		return m
	}
	return []source.Source{c.Source}
}

func (c *Controller) zoneVersion() (uint64, bool) {
	if ir, ok := c.Registry.(registry.Incremental); ok {
		return ir.ZoneVersion()
	}
	return 0, false
}

func (c *Controller) mayReserve() func(*endpoint.Endpoint) bool {
	if ir, ok := c.Registry.(registry.Incremental); ok {
		return ir.MayReserve
	}
	return func(*endpoint.Endpoint) bool { return true }
}

// reconcile is a full run. It returns the number of changes applied, and
// whether every source was read (so reports that are gone may be taken as
// cleared).
func (c *Controller) reconcile(ctx context.Context) (int, bool, error) {
	c.ix.mu.Lock()
	c.ix.ready = false
	c.ix.mu.Unlock()
	c.fullNeeded.Store(false) // events from here on are seen by the next run
	version, haveVersion := c.zoneVersion()

	parts := c.parts()
	perPart := make([][]*endpoint.Endpoint, len(parts))
	var incomplete []error
	for i, s := range parts {
		eps, err := s.Endpoints(ctx)
		if ie, ok := source.AsIncomplete(err); ok {
			incomplete = append(incomplete, ie.Errs...)
		} else if err != nil {
			c.Metrics.sourceErrors.Inc()
			if len(parts) > 1 {
				err = fmt.Errorf("source %d: %w", i, err)
			}
			return 0, false, fmt.Errorf("controller: reading sources: %w", err)
		}
		perPart[i] = eps
	}
	policy := c.Policy
	if len(incomplete) > 0 {
		// Some input is not readable yet and the names it would publish
		// are unknown: apply what is known, delete nothing.
		c.Log.DebugContext(ctx, "sources incomplete; no record is deleted this run", "err", &source.IncompleteError{Errs: incomplete})
		if policy == plan.PolicySync {
			policy = plan.PolicyUpsertOnly
		}
	}
	raw := perPart[0]
	if len(parts) > 1 {
		raw = slices.Concat(perPart...)
	}

	current, err := c.Registry.Records(ctx)
	if err != nil {
		c.Metrics.registryErrors.Inc()
		return 0, true, fmt.Errorf("controller: reading records: %w", err)
	}
	ix := &c.ix
	ix.mu.Lock()
	contested := c.clashes.find(current, ix, c.Registry.OwnerID(), c.now())
	ix.rebuild(perPart, current, c.mayReserve())
	ix.zoneVersion, ix.haveVersion = version, haveVersion
	// Incremental runs need the whole input: a run that could not read
	// some of it leaves the next to a full one. planApply (and run, on
	// an error) may still take this back.
	ix.ready = len(incomplete) == 0
	ix.mu.Unlock()

	n, err := c.planApply(ctx, raw, current, policy, nil, contested)
	return n, true, err
}

// planApply plans raw (the sources' endpoints, held ones included) against
// current and applies the plan. scope lists the names planned, sorted; nil
// means all. The index already holds raw and current; planApply records
// what landed in it.
func (c *Controller) planApply(ctx context.Context, raw, current []*endpoint.Endpoint, policy plan.Policy, scope []string, contested []contest) (int, error) {
	desired, heldEps := splitHeld(raw)
	held := make([]string, len(heldEps))
	for i, e := range heldEps {
		held[i] = e.DNSName
	}
	desired, err := c.Registry.AdjustEndpoints(desired)
	if err != nil {
		c.Metrics.registryErrors.Inc()
		return 0, fmt.Errorf("controller: adjusting endpoints: %w", err)
	}
	// The sources' holds were taken out above, so any held endpoint now is
	// one the provider refused (Route 53 would reject it): report it like
	// an invalid annotation. The plan freezes its name.
	var adjHeld []*endpoint.Endpoint
	for _, e := range desired {
		if e.Held() {
			adjHeld = append(adjHeld, e)
		}
	}
	if c.retryRefused && scope == nil {
		c.refused.clear()
		c.retryRefused = false
	}
	var inScope func(string) bool
	if scope != nil {
		inScope = func(n string) bool { _, ok := slices.BinarySearch(scope, n); return ok }
	}
	stillHeld := c.refused.stillHeld(desired, inScope)
	for _, r := range stillHeld {
		held = append(held, r.name)
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

	ix := &c.ix
	ix.mu.Lock()
	ix.setConflicts(scope, res.Conflicts)
	ix.setAdjHeld(scope, adjHeld)
	allConflicts := ix.allConflicts()
	allAdjHeld := ix.allAdjHeld()
	ix.mu.Unlock()
	c.Metrics.conflicts.Set(float64(len(allConflicts)))

	// Every standing report the controller makes is made again, on every
	// run: an incremental run's reporter keeps only the sources' reports
	// of the objects it did not read.
	for _, e := range allAdjHeld {
		c.report(e.Resource(), source.Refused, fmt.Errorf("record %s refused by the provider: %s", e.Key(), e.Labels.Get(endpoint.HoldLabel)))
	}
	for _, r := range stillHeld {
		c.report(r.resource, source.Refused, r.err)
	}
	for _, ct := range contested {
		c.report(ct.resource, source.Contested, ct.err)
	}
	for _, cf := range allConflicts {
		winner := cf.Winner
		if winner == "" {
			winner = "a record exodns does not own"
		}
		for _, loser := range cf.Losers {
			c.report(loser, source.Conflict, fmt.Errorf("record %s not published: %s holds it (%s)", cf.Key, winner, cf.Reason))
		}
	}
	defer func() {
		// After the apply, so refusals it found are included, and the
		// registry's records are what the zone now holds.
		ix.mu.Lock()
		ix.at, ix.refused, ix.contested = c.now(), c.refused.list(), contested
		c.Metrics.sourceEndpoints.Set(float64(ix.desiredN))
		setByType(c.Metrics.sourceRecords, ix.desiredTypes)
		c.Metrics.registryEndpoints.Set(float64(ix.currentN))
		setByType(c.Metrics.registryRecords, ix.currentTypes)
		ix.mu.Unlock()
	}()

	ch := res.Changes
	logChanges(ctx, c.Log, slog.LevelDebug, "planned record change", ch)
	// The registry is called even with an empty plan on a full run: it
	// may have its own work, such as writing ownership records missing
	// after a migration (which only a full read finds).
	if scope != nil && !ch.HasChanges() {
		if len(scope) > 0 && c.Observer != nil {
			// Objects changed without a record to change (a loser of a
			// conflict, say): observers judge them all the same.
			c.Observer.Reconciled(Outcome{Tried: ch, Applied: ch, Conflicts: allConflicts})
		}
		return 0, nil
	}
	err = c.Registry.ApplyChanges(ctx, ch)
	applied := ch
	refusedSome := false
	if re, ok := provider.AsRefused(err); ok {
		refusedSome = true
		applied = withoutRefused(ch, re)
		for _, r := range c.refused.remember(desired, re) {
			c.report(r.resource, source.Refused, r.err)
		}
	}
	if c.Observer != nil {
		// Every standing conflict, not only those of the names planned:
		// an observer judges every object it knows.
		o := Outcome{Tried: ch, Conflicts: allConflicts}
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
		return 0, fmt.Errorf("controller: applying %d changes: %w", ch.Len(), err)
	}
	if c.DryRun {
		logChanges(ctx, c.Log, slog.LevelInfo, "dry-run: would change record", applied)
		return applied.Len(), nil
	}
	ix.mu.Lock()
	ix.applied(applied)
	ix.noteChanges(applied, c.now())
	if applied.HasChanges() {
		// What this controller wrote is what the zone now holds.
		ix.zoneVersion, ix.haveVersion = c.zoneVersion()
	}
	if refusedSome {
		// A batch that landed in part leaves the registry's view of the
		// ownership records behind: the next run reads the zone again.
		ix.ready = false
	}
	ix.mu.Unlock()
	logChanges(ctx, c.Log, slog.LevelInfo, "record changed", applied)
	c.Metrics.changes.WithLabelValues("create").Add(float64(len(applied.Create)))
	c.Metrics.changes.WithLabelValues("update").Add(float64(len(applied.UpdateNew)))
	c.Metrics.changes.WithLabelValues("delete").Add(float64(len(applied.Delete)))
	return applied.Len(), nil
}

// Run reconciles at start, on every source event (debounced), and every
// Interval, until ctx ends. A failed reconcile is retried after a backoff
// that starts at RetryBackoff and doubles up to Interval, so a provider
// that comes back (a freed disk, an API outage) is used within seconds.
func (c *Controller) Run(ctx context.Context) error {
	trigger := make(chan struct{}, 1)
	poke := func() {
		select {
		case trigger <- struct{}{}:
		default: // a run is already pending; it will see this change too
		}
	}
	for _, s := range c.parts() {
		if _, ok := s.(source.Incremental); ok {
			s.AddEventHandler(ctx, poke)
			continue
		}
		// It cannot say what changed: its events make the next run full.
		s.AddEventHandler(ctx, func() {
			c.fullNeeded.Store(true)
			poke()
		})
	}
	c.watching = true
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
		mode := runEvent
		select {
		case <-ctx.Done():
			return nil
		case <-resync.C:
			mode = runResync
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
		if err := c.run(ctx, mode); err != nil {
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

func setByType(g *prometheus.GaugeVec, counts map[string]int) {
	g.Reset()
	for t, n := range counts {
		if n > 0 {
			g.WithLabelValues(t).Set(float64(n))
		}
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
