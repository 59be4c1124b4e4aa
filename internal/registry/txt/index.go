package txt

import (
	"hash/maphash"
	"iter"

	"github.com/exodns/exodns/internal/endpoint"
)

// ownerIndex files typed ownership records by the key of the record each
// owns. It is keyed by the record's name alone, and the few keys sharing a
// name (other types, set identifiers) are chained through ownership.next:
// one string hashes and compares in a third of the time of an
// endpoint.Key's three.
//
// Every read files each of a zone's ownership records again, into a table
// it emptied: at 10^5 records those inserts were a tenth of a resync, as
// cache misses in a Go map (its control word, then the slot). This is an
// open addressing table of 16-byte entries that keep 32 bits of the
// name's hash beside the chain's head, so an insert into an empty place
// (nearly all of them) touches one entry and reads no name.
type ownerIndex struct {
	seed    maphash.Seed
	entries []indexEntry // a power of two long; o == nil is an empty entry
	used    int
}

type indexEntry struct {
	tag uint32 // the low 32 bits of the name's hash: its home is tag & mask
	o   *ownership
}

func newOwnerIndex(n int) ownerIndex {
	var x ownerIndex
	x.reserve(n)
	return x
}

// reserve makes room for n more names, so that filing them does not grow
// the table. The table stays at most half full: linear probing stays
// short, and an absent name ends at an empty entry soon.
func (x *ownerIndex) reserve(n int) {
	size := max(16, len(x.entries))
	for size < 2*(x.used+n) {
		size *= 2
	}
	if size == len(x.entries) {
		return
	}
	old := x.entries
	if old == nil {
		x.seed = maphash.MakeSeed()
	}
	x.entries = make([]indexEntry, size)
	mask := size - 1
	for _, e := range old {
		if e.o == nil {
			continue
		}
		i := int(e.tag) & mask
		for x.entries[i].o != nil {
			i = (i + 1) & mask
		}
		x.entries[i] = e
	}
}

// reset empties x, keeping its memory.
func (x *ownerIndex) reset() {
	clear(x.entries)
	x.used = 0
}

// hash returns the tag of a name in x, for fileHashed.
func (x *ownerIndex) hash(name string) uint32 {
	x.reserve(0) // the seed
	return uint32(maphash.String(x.seed, name))
}

// find returns the index of the entry of the name whose tag is given, or
// of the empty entry where it goes.
func (x *ownerIndex) find(tag uint32, name string) (int, bool) {
	mask := len(x.entries) - 1
	for i := int(tag) & mask; ; i = (i + 1) & mask {
		e := &x.entries[i]
		if e.o == nil {
			return i, false
		}
		if e.tag == tag && e.o.name == name {
			return i, true
		}
	}
}

// at returns the index of name's entry, if it has one.
func (x *ownerIndex) at(name string) (int, bool) {
	if x.used == 0 {
		return 0, false
	}
	return x.find(x.hash(name), name)
}

func (x *ownerIndex) head(name string) *ownership {
	if i, ok := x.at(name); ok {
		return x.entries[i].o
	}
	return nil
}

func (x *ownerIndex) get(k endpoint.Key) *ownership {
	for o := x.head(k.DNSName); o != nil; o = o.next {
		if o.recordType == k.RecordType && o.set == k.SetIdentifier {
			return o
		}
	}
	return nil
}

// put files o under k in place of the record filed there, if any, and
// reports whether there was one. An ownership record is filed in one
// index under one key: a filed one is copied first.
func (x *ownerIndex) put(k endpoint.Key, o *ownership) (replaced bool) {
	o = keyed(k, o)
	return x.fileHashed(x.hash(k.DNSName), o)
}

// keyed returns o with k as the key it is to be filed under: o itself, or
// a copy when o is filed already.
func keyed(k endpoint.Key, o *ownership) *ownership {
	if o.filed {
		c := *o
		o = &c
	}
	o.name, o.recordType, o.set, o.next = k.DNSName, k.RecordType, k.SetIdentifier, nil
	return o
}

// fileHashed files o, keyed (see keyed), under its key, whose name has
// the tag given (see hash). It is put with the hashing done before: see
// deferredFiling.
func (x *ownerIndex) fileHashed(tag uint32, o *ownership) (replaced bool) {
	o.filed = true
	x.reserve(1)
	i, ok := x.find(tag, o.name)
	if !ok {
		x.entries[i] = indexEntry{tag: tag, o: o}
		x.used++
		return false
	}
	head := x.entries[i].o
	var before *ownership
	for c := head; c != nil; before, c = c, c.next {
		if c.recordType == o.recordType && c.set == o.set {
			o.next = c.next
			if before == nil {
				x.entries[i].o = o
			} else {
				before.next = o
			}
			return true
		}
	}
	o.next = head
	x.entries[i].o = o
	return false
}

func (x *ownerIndex) del(k endpoint.Key) {
	i, ok := x.at(k.DNSName)
	if !ok {
		return
	}
	var before *ownership
	for c := x.entries[i].o; c != nil; before, c = c, c.next {
		if c.recordType != k.RecordType || c.set != k.SetIdentifier {
			continue
		}
		switch {
		case before != nil:
			before.next = c.next
		case c.next != nil:
			x.entries[i].o = c.next
		default:
			x.remove(i)
		}
		return
	}
}

// remove empties entry i, moving back the entries after it that would
// otherwise no longer be found from their homes (backward shift: no
// tombstones, so lookups stay as short as in a table never deleted from).
func (x *ownerIndex) remove(i int) {
	mask := len(x.entries) - 1
	for j := (i + 1) & mask; x.entries[j].o != nil; j = (j + 1) & mask {
		home := int(x.entries[j].tag) & mask
		// Entry j may fill the hole at i unless its home lies
		// cyclically in (i, j].
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			x.entries[i] = x.entries[j]
			i = j
		}
	}
	x.entries[i] = indexEntry{}
	x.used--
}

// atName returns the first ownership record filed at the name and type,
// whatever its set identifier.
func (x *ownerIndex) atName(name, recordType string) *ownership {
	for o := x.head(name); o != nil; o = o.next {
		if o.recordType == recordType {
			return o
		}
	}
	return nil
}

// all yields every filed ownership record with its key.
func (x *ownerIndex) all() iter.Seq2[endpoint.Key, *ownership] {
	return func(yield func(endpoint.Key, *ownership) bool) {
		for _, e := range x.entries {
			for o := e.o; o != nil; o = o.next {
				if !yield(endpoint.Key{DNSName: o.name, RecordType: o.recordType, SetIdentifier: o.set}, o) {
					return
				}
			}
		}
	}
}

// deferredFiling collects a read's ownership records, hashed while their
// names are in the cache, and files them all at its end. Filed one by one
// in the middle of the read's work, each cost a cache miss on the table
// that nothing overlapped; filed in a tight loop of independent inserts,
// the processor overlaps the misses of several.
type deferredFiling []hashedOwnership

type hashedOwnership struct {
	tag uint32
	o   *ownership
}

// add keys o under k (see keyed) and queues it for x.
func (d *deferredFiling) add(x *ownerIndex, k endpoint.Key, o *ownership) *ownership {
	o = keyed(k, o)
	*d = append(*d, hashedOwnership{x.hash(k.DNSName), o})
	return o
}

// fileInto files the queued records into x, in the order queued (the
// later of two at one key wins, as with put), and reports whether one
// replaced another.
func (d deferredFiling) fileInto(x *ownerIndex) (replaced bool) {
	x.reserve(len(d))
	for _, h := range d {
		if x.fileHashed(h.tag, h.o) {
			replaced = true
		}
	}
	return replaced
}
