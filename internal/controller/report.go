package controller

import (
	"log/slog"
	"slices"
	"sync"

	"github.com/exodns/exodns/internal/source"
)

// Reporter logs and counts what the sources and the controller report about
// objects: invalid input, refusals, contested records, objects with no
// record yet. Each report names the object (kind namespace/name) and the
// reason, so a user can find and fix it.
//
// The same problems are found again on every reconcile, so a report is
// said once: when it appears, when its reason changes, and when it clears.
// Between BeginRun and EndRun the reporter gathers the run's reports;
// EndRun compares them with the previous run's. Reports outside a run are
// said at once.
type Reporter struct {
	Log     *slog.Logger
	Metrics *Metrics
	// Next, when set, is told of each new report (the Kubernetes build
	// records an Event).
	Next source.Reporter

	mu    sync.Mutex
	inRun bool
	run   map[string]*standing // this run's reports, by object
	last  map[string]*standing // the previous complete run's
}

// standing is what is reported about one object.
type standing struct {
	obj   source.ObjectRef
	items map[string]source.Problem // by message
}

func objectKey(o source.ObjectRef) string {
	return o.Kind + "\x00" + o.Namespace + "\x00" + o.Name
}

// Report implements source.Reporter.
func (r *Reporter) Report(p source.Problem) {
	r.mu.Lock()
	if !r.inRun {
		r.mu.Unlock()
		r.say(p)
		return
	}
	k := objectKey(p.Object)
	st := r.run[k]
	if st == nil {
		st = &standing{obj: p.Object, items: map[string]source.Problem{}}
		r.run[k] = st
	}
	st.items[p.Kind.String()+"\x00"+p.Err.Error()] = p
	r.mu.Unlock()
}

// BeginRun starts gathering one reconcile's reports.
func (r *Reporter) BeginRun() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil {
		r.last = map[string]*standing{}
	}
	r.inRun, r.run = true, map[string]*standing{}
}

// EndRun says what changed since the previous run. complete is false when
// the run stopped before every source was read: then nothing is taken as
// cleared, since an unread object reports nothing.
func (r *Reporter) EndRun(complete bool) {
	r.mu.Lock()
	run, last := r.run, r.last
	r.inRun, r.run = false, nil
	if complete {
		r.last = run
	} else {
		// Keep what stood, add what is new.
		merged := make(map[string]*standing, len(last)+len(run))
		for k, st := range last {
			merged[k] = st
		}
		r.last = addRun(merged, run)
	}
	standingNow := r.last
	r.mu.Unlock()

	r.sayNew(run, last)
	if complete {
		for _, k := range sortedKeys(last) {
			if _, ok := run[k]; !ok {
				r.cleared(last[k])
			}
		}
	}
	r.setGauges(standingNow)
}

// EndRunScoped ends an incremental run, which read only some objects: read
// holds their resources (ObjectRef.Resource). What the sources reported
// about the other objects stands; so does what they reported about a read
// object only if it was reported again. The controller's own reports
// (refusals, conflicts, contested records) are made again on every run,
// so those not made again have cleared.
func (r *Reporter) EndRunScoped(read map[string]bool) {
	r.mu.Lock()
	run, last := r.run, r.last
	r.inRun, r.run = false, nil
	next := make(map[string]*standing, len(last)+len(run))
	for k, st := range last {
		if read[st.obj.Resource()] {
			continue
		}
		var kept map[string]source.Problem
		for m, p := range st.items {
			if p.Kind == source.InvalidInput || p.Kind == source.NoRecords {
				if kept == nil {
					kept = map[string]source.Problem{}
				}
				kept[m] = p
			}
		}
		if kept != nil {
			next[k] = &standing{obj: st.obj, items: kept}
		}
	}
	r.last = addRun(next, run)
	r.mu.Unlock()

	r.sayNew(run, last)
	for _, k := range sortedKeys(last) {
		if _, ok := next[k]; !ok {
			r.cleared(last[k])
		}
	}
	r.setGauges(next)
}

// addRun puts what this run reported into into, each object keeping the
// items it stood with there that the run did not make again.
func addRun(into, run map[string]*standing) map[string]*standing {
	for k, st := range run {
		if old := into[k]; old != nil {
			for m, p := range old.items {
				if _, ok := st.items[m]; !ok {
					st.items[m] = p
				}
			}
		}
		into[k] = st
	}
	return into
}

// sayNew reports what this run found that did not stand before it.
func (r *Reporter) sayNew(run, last map[string]*standing) {
	for _, k := range sortedKeys(run) {
		st, old := run[k], last[k]
		for _, m := range sortedKeys(st.items) {
			if old == nil || !hasItem(old, m) {
				r.say(st.items[m])
			}
		}
	}
}

func hasItem(st *standing, m string) bool { _, ok := st.items[m]; return ok }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// say logs one new report, counts it and passes it on.
func (r *Reporter) say(p source.Problem) {
	args := []any{"kind", p.Object.Kind, "namespace", p.Object.Namespace, "name", p.Object.Name, "err", p.Err}
	switch p.Kind {
	case source.NoRecords:
		r.Log.Info("object yields no record", args...)
	case source.Refused:
		r.Log.Warn("record refused by the provider; its name is held", args...)
	case source.Contested:
		r.Log.Warn("record changed by someone else", args...)
	case source.Conflict:
		r.Log.Warn("record conflict; not published", args...)
	default:
		r.Log.Warn("invalid input skipped; existing records are kept", args...)
	}
	if r.Metrics != nil {
		r.Metrics.reportsTotal.WithLabelValues(p.Kind.String()).Inc()
		if p.Kind == source.InvalidInput {
			r.Metrics.invalidInputs.WithLabelValues(p.Object.Kind).Inc()
		}
	}
	if r.Next != nil && p.Kind != source.NoRecords {
		r.Next.Report(p)
	}
}

func (r *Reporter) cleared(st *standing) {
	kinds := map[source.ProblemKind]bool{}
	for _, p := range st.items {
		kinds[p.Kind] = true
	}
	msg := "problem cleared"
	switch {
	case kinds[source.InvalidInput] || kinds[source.Refused]:
		msg = "input now valid; records published"
	case kinds[source.Conflict]:
		msg = "conflict resolved"
	case kinds[source.NoRecords]:
		msg = "object now yields records"
	}
	r.Log.Info(msg, "kind", st.obj.Kind, "namespace", st.obj.Namespace, "name", st.obj.Name)
}

// setGauges counts the reports standing now, by kind.
func (r *Reporter) setGauges(standingNow map[string]*standing) {
	if r.Metrics == nil {
		return
	}
	counts := map[source.ProblemKind]int{}
	for _, st := range standingNow {
		for _, p := range st.items {
			counts[p.Kind]++
		}
	}
	for _, k := range []source.ProblemKind{source.InvalidInput, source.Refused, source.Contested, source.Conflict, source.NoRecords} {
		r.Metrics.reports.WithLabelValues(k.String()).Set(float64(counts[k]))
	}
	r.Metrics.invalidEndpoints.Set(float64(counts[source.InvalidInput]))
}
