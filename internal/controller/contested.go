package controller

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// contestedFor is how long a record found changed by someone else stays
// reported after it was last seen changed. Two controllers that share an
// owner id overwrite each other on every reconcile; keeping the report
// standing between their writes says it once instead of on every swing.
const contestedFor = 10 * time.Minute

// writtenRecords remembers the targets of every record this controller
// wrote, to notice when one that still carries our owner changes under us.
type writtenRecords struct {
	targets map[endpoint.Key]string
	clashes map[endpoint.Key]contest
}

type contest struct {
	resource string
	err      error
	seen     time.Time
}

// note records what was applied.
func (w *writtenRecords) note(ch *plan.Changes) {
	if w.targets == nil {
		w.targets = map[endpoint.Key]string{}
	}
	for _, e := range ch.Delete {
		delete(w.targets, e.Key())
	}
	for _, list := range [][]*endpoint.Endpoint{ch.Create, ch.UpdateNew} {
		for _, e := range list {
			w.targets[e.Key()] = targetString(e.Targets)
		}
	}
}

// contested returns the records we own whose targets are no longer what we
// wrote, and those reported lately; the plan will write ours back.
func (w *writtenRecords) contested(current []*endpoint.Endpoint, owner string, now time.Time) []contest {
	if len(w.targets) == 0 {
		return nil
	}
	for _, e := range current {
		if owner == "" || e.Labels.Get(endpoint.OwnerLabel) != owner {
			continue
		}
		k := e.Key()
		wrote, ok := w.targets[k]
		if !ok {
			continue
		}
		if sameTargets(e.Targets, wrote) {
			continue
		}
		if found := targetString(e.Targets); found != wrote {
			if w.clashes == nil {
				w.clashes = map[endpoint.Key]contest{}
			}
			prev, seen := w.clashes[k]
			err := fmt.Errorf("record %s, owned by %q, was changed by someone else: exodns wrote [%s], found [%s]; "+
				"if another controller uses the same --txt-owner-id, give each cluster its own", k, owner, wrote, found)
			if seen {
				err = prev.err // the first pair of values names the clash; keep the report stable
			}
			w.clashes[k] = contest{resource: e.Resource(), err: err, seen: now}
			// What is there now is what the next write replaces.
			w.targets[k] = found
		}
	}
	var out []contest
	for k, c := range w.clashes {
		if now.Sub(c.seen) > contestedFor {
			delete(w.clashes, k)
			continue
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b contest) int { return strings.Compare(a.err.Error(), b.err.Error()) })
	return out
}

// sameTargets is targetString(t) == s without building the string for the
// usual single target: a full run compares every record we wrote.
func sameTargets(t endpoint.Targets, s string) bool {
	if len(t) == 1 {
		return canon(t[0]) == s
	}
	return targetString(t) == s
}

func targetString(t endpoint.Targets) string {
	s := make([]string, len(t))
	for i, v := range t {
		s[i] = canon(v)
	}
	slices.Sort(s)
	return strings.Join(s, ",")
}
