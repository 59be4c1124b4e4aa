package controller

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
)

// contestedFor is how long a record found changed by someone else stays
// reported after it was last seen changed. Two controllers that share an
// owner id overwrite each other on every reconcile; keeping the report
// standing between their writes says it once instead of on every swing.
const contestedFor = 10 * time.Minute

// clashes remembers the records found changed under us lately. Nothing
// else is kept for it: what this controller last wrote or read of every
// record is the index's current view, which a full run compares the zone
// with before it replaces it (a map of what was written cost 1.15 MB at
// 10^4 records).
type clashes map[endpoint.Key]contest

type contest struct {
	resource string
	err      error
	seen     time.Time
}

// find returns the records of ours in current (the zone as just read)
// whose targets are no longer what the index saw of them (written, or read
// at the last full run and not written since), and those reported lately;
// the plan will write ours back. ix is the index before the read replaces
// it; nil (a first run) finds nothing.
func (w *clashes) find(current []*endpoint.Endpoint, ix *index, owner string, now time.Time) []contest {
	for _, e := range current {
		if ix == nil || owner == "" || e.Labels.Get(endpoint.OwnerLabel) != owner {
			continue
		}
		k := e.Key()
		before := ix.currentRecord(k)
		if before == nil || before.Labels.Get(endpoint.OwnerLabel) != owner || sameTargets(e.Targets, before.Targets) {
			continue
		}
		had, found := targetString(before.Targets), targetString(e.Targets)
		if *w == nil {
			*w = clashes{}
		}
		prev, seen := (*w)[k]
		err := fmt.Errorf("record %s, owned by %q, was changed by someone else: exodns last had [%s] there, found [%s]; "+
			"if another controller uses the same --txt-owner-id, give each cluster its own", k, owner, had, found)
		if seen {
			err = prev.err // the first pair of values names the clash; keep the report stable
		}
		(*w)[k] = contest{resource: e.Resource(), err: err, seen: now}
	}
	var out []contest
	for k, c := range *w {
		if now.Sub(c.seen) > contestedFor {
			delete(*w, k)
			continue
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b contest) int { return strings.Compare(a.err.Error(), b.err.Error()) })
	return out
}

// sameTargets reports whether a and b are the same targets, without
// building strings for the usual single target: a full run compares every
// record we own.
func sameTargets(a, b endpoint.Targets) bool {
	if len(a) == 1 && len(b) == 1 {
		return canon(a[0]) == canon(b[0])
	}
	return targetString(a) == targetString(b)
}

func targetString(t endpoint.Targets) string {
	s := make([]string, len(t))
	for i, v := range t {
		s[i] = canon(v)
	}
	slices.Sort(s)
	return strings.Join(s, ",")
}
