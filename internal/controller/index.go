package controller

import (
	"slices"
	"sync"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// index is what the controller keeps between runs so that one changed
// object re-plans only the names it touches: the desired endpoints of
// every object, and per name the desired endpoints and the registry's
// records (as read by the last full run, then updated from the changes
// this controller applied since). It also answers Explain.
//
// Only the reconciling goroutine writes it, under mu; Explain and
// ResourceOf read it under mu.
type index struct {
	mu sync.Mutex
	// ready says a full run built the index and every run since kept it
	// up to date; until then every run is a full one.
	ready bool
	at    time.Time // when the last run finished with it

	objects map[objKey][]*endpoint.Endpoint // the sources' endpoints, held ones included
	names   map[string]*nameEntry           // by canonical name
	// reservable counts desired endpoints the registry may hold because
	// of records at other names; while there are any, runs are full.
	reservable int
	// counts by record type, for the metrics.
	desiredTypes, currentTypes map[string]int
	desiredN, currentN         int

	conflicts map[string][]plan.Conflict      // by canonical name
	adjHeld   map[string][]*endpoint.Endpoint // desired endpoints the registry held, by name
	refused   []refused
	contested []contest
	last      map[string]lastChange // by canonical name; bounded by the names that changed

	// zoneVersion is the registry's zone version after this controller's
	// last change, or after the last full read.
	zoneVersion uint64
	haveVersion bool
}

// objKey is one object of one source (of a source.Multi): its resource
// label.
type objKey struct {
	part     int
	resource string
}

type nameEntry struct {
	desired []*endpoint.Endpoint
	current []*endpoint.Endpoint
}

// reset empties e, keeping its lists' memory.
func (e *nameEntry) reset() {
	clear(e.desired)
	clear(e.current)
	e.desired, e.current = e.desired[:0], e.current[:0]
}

func (ix *index) entry(name string) *nameEntry {
	e := ix.names[name]
	if e == nil {
		e = &nameEntry{}
		ix.names[name] = e
	}
	return e
}

// currentAt returns the entry of k's name and the position of k's record
// in its current list: -1 when there is none.
func (ix *index) currentAt(k endpoint.Key) (string, *nameEntry, int) {
	name := canon(k.DNSName)
	ent := ix.names[name]
	if ent == nil {
		return name, nil, -1
	}
	return name, ent, slices.IndexFunc(ent.current, func(c *endpoint.Endpoint) bool {
		return c.RecordType == k.RecordType && c.SetIdentifier == k.SetIdentifier
	})
}

// currentRecord returns the record at k in the registry's view the index
// keeps, or nil.
func (ix *index) currentRecord(k endpoint.Key) *endpoint.Endpoint {
	if _, ent, i := ix.currentAt(k); i >= 0 {
		return ent.current[i]
	}
	return nil
}

func (ix *index) dropIfEmpty(name string, e *nameEntry) {
	if len(e.desired) == 0 && len(e.current) == 0 {
		delete(ix.names, name)
	}
}

// rebuild replaces the index with what a full run read. At 10^5 objects
// it is done in place: the name entries and their lists are kept for reuse
// (emptied first, and those left empty dropped at the end), and an
// object's endpoints, which sources list together, are kept as a slice of
// the source's list rather than copied, where a fresh index cost 3·10^5
// allocations per full run.
func (ix *index) rebuild(parts [][]*endpoint.Endpoint, current []*endpoint.Endpoint, mayReserve func(*endpoint.Endpoint) bool) {
	n := len(current)
	for _, p := range parts {
		n = max(n, len(p))
	}
	ix.objects = make(map[objKey][]*endpoint.Endpoint, n)
	if ix.names == nil {
		ix.names = make(map[string]*nameEntry, n)
	}
	for _, e := range ix.names {
		e.reset()
	}
	ix.reservable = 0
	ix.desiredTypes, ix.currentTypes = map[string]int{}, map[string]int{}
	ix.desiredN, ix.currentN = 0, 0
	for i, eps := range parts {
		for a := 0; a < len(eps); {
			res := eps[a].Resource()
			b := a + 1
			for b < len(eps) && eps[b].Resource() == res {
				b++
			}
			k := objKey{i, res}
			// Capped, so an append (another run of the same object, or an
			// incremental change) copies instead of writing into the
			// source's list.
			run := eps[a:b:b]
			if old, ok := ix.objects[k]; ok {
				run = append(old, run...)
			}
			ix.objects[k] = run
			for _, e := range eps[a:b] {
				ix.addDesired(e, mayReserve)
			}
			a = b
		}
	}
	for _, e := range current {
		ix.addCurrent(e)
	}
	for name, e := range ix.names {
		if len(e.desired) == 0 && len(e.current) == 0 {
			delete(ix.names, name)
		}
	}
}

func (ix *index) addDesired(e *endpoint.Endpoint, mayReserve func(*endpoint.Endpoint) bool) {
	ent := ix.entry(canon(e.DNSName))
	ent.desired = append(ent.desired, e)
	if mayReserve(e) {
		ix.reservable++
	}
	if !e.Held() {
		ix.desiredTypes[e.RecordType]++
		ix.desiredN++
	}
}

func (ix *index) removeDesired(e *endpoint.Endpoint, mayReserve func(*endpoint.Endpoint) bool) {
	name := canon(e.DNSName)
	ent := ix.names[name]
	if ent == nil {
		return
	}
	i := slices.Index(ent.desired, e)
	if i < 0 {
		return
	}
	ent.desired = slices.Delete(ent.desired, i, i+1)
	if mayReserve(e) {
		ix.reservable--
	}
	if !e.Held() {
		ix.desiredTypes[e.RecordType]--
		ix.desiredN--
	}
	ix.dropIfEmpty(name, ent)
}

func (ix *index) addCurrent(e *endpoint.Endpoint) {
	ent := ix.entry(canon(e.DNSName))
	ent.current = append(ent.current, e)
	ix.currentTypes[e.RecordType]++
	ix.currentN++
}

// removeCurrent takes out the record at e's key (name, type and set
// identifier), if there is one.
func (ix *index) removeCurrent(e *endpoint.Endpoint) {
	name, ent, i := ix.currentAt(e.Key())
	if i < 0 {
		return
	}
	ix.currentTypes[ent.current[i].RecordType]--
	ix.currentN--
	ent.current = slices.Delete(ent.current, i, i+1)
	ix.dropIfEmpty(name, ent)
}

// applied updates the registry's records with changes that landed, as the
// registry would read them back: the plan's endpoints carry the labels
// their ownership records get.
func (ix *index) applied(ch *plan.Changes) {
	for _, e := range ch.Delete {
		ix.removeCurrent(e)
	}
	for _, e := range ch.UpdateOld {
		ix.removeCurrent(e)
	}
	for _, list := range [][]*endpoint.Endpoint{ch.UpdateNew, ch.Create} {
		for _, e := range list {
			ix.removeCurrent(e)
			// The plan's endpoints are its own copies, which nobody
			// changes once applied: kept as they are, not copied again.
			// They carry no bookkeeping labels (holds are never planned).
			ix.addCurrent(e)
		}
	}
}

// gather collects the desired endpoints and the records at the given names.
func (ix *index) gather(names []string) (desired, current []*endpoint.Endpoint) {
	for _, n := range names {
		if e := ix.names[n]; e != nil {
			desired = append(desired, e.desired...)
			current = append(current, e.current...)
		}
	}
	return desired, current
}

// setConflicts replaces the conflicts at names (all of them when names is
// nil) with cs.
func (ix *index) setConflicts(names []string, cs []plan.Conflict) {
	if names == nil {
		ix.conflicts = map[string][]plan.Conflict{}
	}
	for _, n := range names {
		delete(ix.conflicts, n)
	}
	for _, cf := range cs {
		n := canon(cf.Key.DNSName)
		ix.conflicts[n] = append(ix.conflicts[n], cf)
	}
}

// allConflicts returns every standing conflict, sorted by name.
func (ix *index) allConflicts() []plan.Conflict {
	var out []plan.Conflict
	for _, n := range sortedKeys(ix.conflicts) {
		out = append(out, ix.conflicts[n]...)
	}
	return out
}

// setAdjHeld replaces the registry's holds at names (all when nil).
func (ix *index) setAdjHeld(names []string, held []*endpoint.Endpoint) {
	if names == nil {
		ix.adjHeld = map[string][]*endpoint.Endpoint{}
	}
	for _, n := range names {
		delete(ix.adjHeld, n)
	}
	for _, e := range held {
		n := canon(e.DNSName)
		ix.adjHeld[n] = append(ix.adjHeld[n], e)
	}
}

func (ix *index) allAdjHeld() []*endpoint.Endpoint {
	var out []*endpoint.Endpoint
	for _, n := range sortedKeys(ix.adjHeld) {
		out = append(out, ix.adjHeld[n]...)
	}
	return out
}

func (ix *index) noteChanges(ch *plan.Changes, at time.Time) {
	if ix.last == nil {
		ix.last = map[string]lastChange{}
	}
	note := func(action changeAction, eps []*endpoint.Endpoint) {
		for _, e := range eps {
			// The applied endpoint's targets are not changed after: shared.
			ix.last[canon(e.DNSName)] = lastChange{targets: e.Targets, typ: e.RecordType, at: at.UnixNano(), action: action}
		}
	}
	note(changeCreate, ch.Create)
	note(changeUpdate, ch.UpdateNew)
	note(changeDelete, ch.Delete)
}

// lastChange is the ChangeRecord the index keeps for each name changed. A
// converged controller has one for every name it created, so its size
// counts: 56 bytes where a ChangeRecord is 80 (the time as Unix
// nanoseconds, the action as a number); at 10^4 names the map is 0.4 MB
// smaller.
type lastChange struct {
	targets endpoint.Targets
	typ     string
	at      int64
	action  changeAction
}

type changeAction uint8

const (
	changeCreate changeAction = iota
	changeUpdate
	changeDelete
)

func (a changeAction) String() string {
	switch a {
	case changeCreate:
		return "create"
	case changeUpdate:
		return "update"
	}
	return "delete"
}

// record is the Explain form of l.
func (l lastChange) record() *ChangeRecord {
	return &ChangeRecord{Action: l.action.String(), Type: l.typ, Targets: l.targets, At: time.Unix(0, l.at)}
}
