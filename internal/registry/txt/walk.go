package txt

import (
	"slices"

	"github.com/exodns/exodns/internal/endpoint"
)

// walk lines one read's records up with the previous read's (its seen and
// at), so that in a zone that barely changed each record is matched with
// what it was by position, not by probing maps of 10^5 keys, which is
// where a resync's time went. Providers list in a stable order; records
// created or deleted since shift the rest, and the walk follows the
// shift. Whatever the walk cannot line up is looked up as before, so it
// changes the cost of a read, never its result.
type walk struct {
	prev *snapshot
	// delta is added to a position of this read to give the previous
	// read's position of the same record.
	delta int
	// succ holds, by the previous read's position of a TXT record, the
	// ownership record this read made of the one read there.
	succ []*ownership
	// duplicates is set when this read filed two ownership records
	// under one key: the later wins, and which ownership record a
	// record is found through is then left to the index.
	duplicates bool
}

// newWalk starts a walk after prev (nil: the first read), with succ's
// memory for its successors.
func newWalk(prev *snapshot, succ []*ownership) *walk {
	w := &walk{}
	if prev != nil {
		w.prev = prev
		w.succ = slices.Grow(succ[:0], len(prev.seen))[:len(prev.seen)] // cleared by recycle
	}
	return w
}

// alignedTXT returns the ownership record the previous read made of the
// TXT record at the position lined up with this read's j, if any.
func (w *walk) alignedTXT(j int) *ownership {
	p := j + w.delta
	if p < 0 || p >= len(w.prev.at) {
		return nil
	}
	if o := w.prev.at[p]; o != nil && int(o.pos) == p {
		return o
	}
	return nil
}

// made reports whether o is the ownership record the previous read made
// of the TXT record at o.pos.
func (w *walk) made(o *ownership) bool {
	return o.pos >= 0 && int(o.pos) < len(w.prev.at) && w.prev.at[o.pos] == o
}

// realign follows a shift: this read's TXT record at j was found, through
// the index, to be the previous read's o.
func (w *walk) realign(j int, o *ownership) {
	if w.made(o) {
		w.delta = int(o.pos) - j
	}
}

// reused notes that this read's n is the previous read's o, unchanged.
func (w *walk) reused(o, n *ownership) {
	if w.made(o) {
		w.succ[o.pos] = n
	}
}

// foundBefore returns the typed ownership record the previous read found
// the record at this read's j through, if the walk lines the record up.
func (w *walk) foundBefore(j int, rec *endpoint.Endpoint) *ownership {
	if w.prev == nil {
		return nil
	}
	// A record created or deleted since shifts the rest by one; two
	// such in a row, by two.
	for _, d := range [...]int{0, -1, 1, -2, 2} {
		p := j + w.delta + d
		if p < 0 || p >= len(w.prev.seen) {
			continue
		}
		if s := w.prev.seen[p]; s.name == rec.DNSName && s.recordType == rec.RecordType && s.set == rec.SetIdentifier {
			w.delta += d
			if o := w.prev.at[p]; o != nil && int(o.pos) != p {
				return o
			}
			// Unowned then, or an ownership record itself (a TXT
			// record not read as one now may share its key).
			return nil
		}
	}
	return nil
}

// foundAgain returns the ownership record this read made of was, the one
// the record was found through before: the one it is found through now.
// nil leaves the record to the index.
func (w *walk) foundAgain(was *ownership) *ownership {
	if was == nil || w.duplicates || !w.made(was) {
		return nil
	}
	return w.succ[was.pos]
}

// other is a record of the read that is no ownership record, with its
// position and what the walk found for it.
type other struct {
	rec *endpoint.Endpoint
	pos int32
	was *ownership
}
