package plan

import (
	"cmp"
	"strings"
	"sync"

	"github.com/exodns/exodns/internal/endpoint"
)

// Input is everything one plan needs.
type Input struct {
	// Desired comes from the sources. Current comes from the registry with
	// Labels[owner] filled in; it is passed whole, including types and names
	// outside the plan's scope, because those still block CNAMEs.
	Desired, Current []*endpoint.Endpoint
	// OwnerID marks our records. With the noop registry it is "", and then
	// every record without an owner label counts as ours.
	OwnerID      string
	Policy       Policy
	DomainFilter endpoint.DomainFilter
	// ManagedTypes defaults to A, AAAA and CNAME when empty.
	ManagedTypes []string
	ExcludeTypes []string
	// Held names are frozen: no record at them is created, updated or
	// deleted. A source holds a name when the input that would describe it
	// is invalid, so a typo never deletes a live record. Desired endpoints
	// marked endpoint.HoldLabel hold their names too.
	Held []string
}

// Result is a plan: the changes to apply and the desired records that were
// held back. Changes is never nil.
type Result struct {
	Changes   *Changes
	Conflicts []Conflict
}

type action uint8

const (
	actNone action = iota
	actCreate
	actUpdate
	actDelete
)

// slot gathers everything known about one key. Slots live in one slice and
// are found through an index map, so the per-record cost is a map entry and
// no allocation.
type slot struct {
	// name, recordType and setIdentifier are the slot's key, the name
	// canonical; next is the following slot at the same name, or -1.
	name, recordType, setIdentifier string
	next                            int32

	win  claim              // the (winning) desired claim; ep is nil if none
	cur  *endpoint.Endpoint // the in-scope current record, if any
	ours bool               // cur carries our owner
	// curRes is cur's resource label.
	curRes string
	multi  bool // several resources claim the key: see planner.extra
	lost   bool // claims exist but may not be applied
	act    action
}

func (s *slot) wanted() bool { return s.win.ep != nil && !s.lost }

// planner is the working state of one Calculate call.
type planner struct {
	in        Input
	scope     scope
	slots     []slot
	index     *nameTable
	extra     map[int32][]claim // every claim of a multi slot; rare
	conflicts []Conflict
	creates   int
	held      map[string]bool
}

// Calculate works out the changes that turn Current into Desired within the
// scope and policy of in. It never modifies in: every endpoint in the result
// is a copy. See README.md for the rules.
func Calculate(in Input) Result {
	n := max(len(in.Desired), len(in.Current))
	n += n / 8 // room for keys only one side has, so a steady state never regrows the map
	held := heldNames(in)
	buf := getBuffers(n)
	defer putBuffers(buf)
	p := &planner{
		held:  held,
		in:    in,
		scope: newScope(in),
		slots: buf.slots,
		index: buf.index,
	}
	defer func() { buf.slots = p.slots }()
	p.addDesired()
	p.addCurrent()
	p.resolveClaims()
	p.keepCNAMEsAlone()
	p.decide()
	p.blockCreatesBesideCNAMEs()
	return p.result()
}

// buffers are the slots and index of one plan, kept for the next: a
// resync at 10^5 records would otherwise allocate both anew each time.
// Nothing of them outlives Calculate (the result is made of copies).
type buffers struct {
	slots []slot
	index *nameTable
}

var bufferPool sync.Pool

// pooledFrom is the least size of a plan that uses the pool: clearing a
// large map costs about what a small plan does, so small plans (the
// incremental ones) allocate their own.
const pooledFrom = 4096

func getBuffers(n int) *buffers {
	if n < pooledFrom {
		return &buffers{slots: make([]slot, 0, n), index: newNameTable(n)}
	}
	if b, ok := bufferPool.Get().(*buffers); ok {
		if cap(b.slots) < n {
			b.slots = make([]slot, 0, n)
		}
		b.index.reset(n)
		return b
	}
	return &buffers{slots: make([]slot, 0, n), index: newNameTable(n)}
}

func putBuffers(b *buffers) {
	if cap(b.slots) < pooledFrom {
		return
	}
	clear(b.slots[:cap(b.slots)]) // drop the endpoints they point to
	b.slots = b.slots[:0]
	bufferPool.Put(b)
}

// slotForHashed returns the slot of e's key, adding one if there is none.
// name is e's canonical name, h its hash.
func (p *planner) slotForHashed(e *endpoint.Endpoint, name string, h uint64) int32 {
	recordType := canonType(e.RecordType)
	first, at, tag := p.index.findHashed(name, h, p.slots)
	if first < 0 {
		i := p.newSlot(name, recordType, e.SetIdentifier)
		p.index.put(at, tag, i, p.slots)
		return i
	}
	for i := first; ; {
		s := &p.slots[i]
		if s.recordType == recordType && s.setIdentifier == e.SetIdentifier {
			return i
		}
		if s.next < 0 {
			n := p.newSlot(name, recordType, e.SetIdentifier) // may move p.slots
			p.slots[i].next = n
			return n
		}
		i = s.next
	}
}

func (p *planner) newSlot(name, recordType, setIdentifier string) int32 {
	p.slots = append(p.slots, slot{name: name, recordType: recordType, setIdentifier: setIdentifier, next: -1})
	return int32(len(p.slots) - 1)
}

// lookup returns the slot of e's key, if there is one.
func (p *planner) lookup(e *endpoint.Endpoint) (int32, bool) {
	first, _, _ := p.index.find(canonName(e.DNSName), p.slots)
	if first < 0 {
		return 0, false
	}
	recordType := canonType(e.RecordType)
	for i := first; i >= 0; i = p.slots[i].next {
		if s := &p.slots[i]; s.recordType == recordType && s.setIdentifier == e.SetIdentifier {
			return i, true
		}
	}
	return 0, false
}

func (p *planner) addDesired() {
	p.slotInBatches(p.in.Desired, func(e *endpoint.Endpoint) bool {
		if e.Held() {
			p.held[canonName(e.DNSName)] = true
			return false
		}
		return p.scope.contains(e)
	}, func(e *endpoint.Endpoint, i int32) {
		p.addClaim(i, claim{ep: e, res: e.Resource()})
	})
}

func (p *planner) addClaim(i int32, c claim) {
	s := &p.slots[i]
	switch {
	case s.win.ep == nil:
		s.win = c
		return
	case !s.multi && s.win.res == c.res:
		s.win.merge(c.ep)
		return
	case !s.multi:
		// From here on all claims live in extra; s.win is set again once
		// resolveClaims has chosen.
		if p.extra == nil {
			p.extra = map[int32][]claim{}
		}
		s.multi = true
		p.extra[i] = []claim{s.win, c}
		return
	}
	more := p.extra[i]
	for j := range more {
		if more[j].res == c.res {
			more[j].merge(c.ep)
			return
		}
	}
	p.extra[i] = append(more, c)
}

// claims returns every claim at slot i.
func (p *planner) claims(i int) []claim {
	if s := &p.slots[i]; !s.multi {
		return []claim{s.win}
	}
	return p.extra[int32(i)]
}

func (p *planner) addCurrent() {
	p.slotInBatches(p.in.Current, func(e *endpoint.Endpoint) bool {
		return p.scope.contains(e)
	}, func(e *endpoint.Endpoint, i int32) {
		s := &p.slots[i]
		if s.cur != nil && !preferCurrent(e, s.cur, p.in.OwnerID) {
			return
		}
		s.cur = e
		s.ours = e.Labels.Get(endpoint.OwnerLabel) == p.in.OwnerID
		s.curRes = e.Resource() // while its labels are at hand
	})
}

// slotInBatches calls each with every endpoint of list that keep accepts,
// in order, and its slot (added when there is none). It works a batch at
// a time, in three passes: the endpoints' names and hashes, read in
// list's order; their slots, in a tight loop of table probes; then each.
// At 10^5 records the probes are cache misses, which one probe after
// another in the middle of each record's other work left one at a time;
// in a loop of nothing else the processor overlaps them.
func (p *planner) slotInBatches(list []*endpoint.Endpoint, keep func(*endpoint.Endpoint) bool, each func(*endpoint.Endpoint, int32)) {
	const batch = 64
	var (
		eps    [batch]*endpoint.Endpoint
		names  [batch]string
		hashes [batch]uint64
		at     [batch]int32
	)
	for len(list) > 0 {
		n := 0
		for len(list) > 0 && n < batch {
			e := list[0]
			list = list[1:]
			if e == nil || !keep(e) {
				continue
			}
			eps[n], names[n] = e, canonName(e.DNSName)
			hashes[n] = p.index.hash(names[n])
			n++
		}
		for i := range n {
			at[i] = p.slotForHashed(eps[i], names[i], hashes[i])
		}
		for i, e := range eps[:n] {
			each(e, at[i])
		}
	}
}

// preferCurrent breaks ties between two current records with one key, which
// happens when a provider serves the same name from two zones. A record
// that is not ours wins, so a duplicate never tricks us into touching it.
func preferCurrent(a, b *endpoint.Endpoint, owner string) bool {
	aOurs := a.Labels.Get(endpoint.OwnerLabel) == owner
	bOurs := b.Labels.Get(endpoint.OwnerLabel) == owner
	if aOurs != bOurs {
		return !aOurs
	}
	return cmp.Or(
		strings.Compare(a.Labels.Get(endpoint.OwnerLabel), b.Labels.Get(endpoint.OwnerLabel)),
		strings.Compare(a.Resource(), b.Resource()),
		strings.Compare(a.String(), b.String()),
	) < 0
}

func (p *planner) decide() {
	for i := range p.slots {
		s := &p.slots[i]
		switch {
		case s.wanted() && s.cur == nil:
			s.act = actCreate
			p.creates++
		case s.wanted() && s.ours:
			if p.in.Policy.allowsUpdate() && p.needsUpdate(s.cur, s.curRes, &s.win) {
				s.act = actUpdate
			}
		case s.cur != nil && s.ours && p.in.Policy.allowsDelete():
			s.act = actDelete
		}
	}
}

// needsUpdate leaves alone what nobody asked for: an unset TTL and a missing
// resource label are not differences.
func (p *planner) needsUpdate(cur *endpoint.Endpoint, have string, want *claim) bool {
	w := want.ep
	if !sameTargets(cur.Targets, w.Targets) || !sameProviderSpecific(cur.ProviderSpecific, w.ProviderSpecific) {
		return true
	}
	if w.RecordTTL.IsConfigured() && w.RecordTTL != cur.RecordTTL {
		return true
	}
	// The noop registry stores no labels, so without an owner ID a missing
	// resource label would be "changed" on every run, forever.
	if want.res == "" || (have == "" && p.in.OwnerID == "") {
		return false
	}
	return have != want.res
}
