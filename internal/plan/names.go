package plan

import "hash/maphash"

// nameTable finds the first slot of each canonical name (the others at a
// name are chained through slot.next). At 10^5 records its probes are
// most of a plan's time, which goes into cache misses: it is an open
// addressing table of 8-byte entries, a third of the memory a Go map of
// strings takes for the same names, that finds or places a name in one
// probe sequence. Each entry keeps 32 bits of its name's hash, so a probe
// reads a slot's name only when those match.
type nameTable struct {
	seed    maphash.Seed
	entries []uint64 // hash tag << 32 | slot index + 1; 0 is empty
	used    int
}

func newNameTable(n int) *nameTable {
	t := &nameTable{seed: maphash.MakeSeed()}
	t.reset(n)
	return t
}

// reset empties t for about n names, keeping its memory when it is large
// enough.
func (t *nameTable) reset(n int) {
	size := 16
	for size < 2*n {
		size *= 2
	}
	if size <= len(t.entries) {
		clear(t.entries)
	} else {
		t.entries = make([]uint64, size)
	}
	t.used = 0
}

// find returns the first slot of name, or -1 and where to put it.
func (t *nameTable) find(name string, slots []slot) (first int32, at int, tag uint64) {
	return t.findHashed(name, t.hash(name), slots)
}

// hash is name's hash, for findHashed.
func (t *nameTable) hash(name string) uint64 { return maphash.String(t.seed, name) }

// findHashed is find with the name's hash given.
func (t *nameTable) findHashed(name string, h uint64, slots []slot) (first int32, at int, tag uint64) {
	mask := uint64(len(t.entries) - 1)
	tag = h >> 32 << 32
	for i := h & mask; ; i = (i + 1) & mask {
		e := t.entries[i]
		if e == 0 {
			return -1, int(i), tag
		}
		if e&^0xffffffff == tag {
			if s := int32(uint32(e)) - 1; slots[s].name == name {
				return s, int(i), tag
			}
		}
	}
}

// put records slot as the first of a name find did not find, at the
// place and with the tag find gave.
func (t *nameTable) put(at int, tag uint64, slot int32, slots []slot) {
	t.entries[at] = tag | uint64(uint32(slot+1))
	t.used++
	if 2*t.used > len(t.entries) {
		t.grow(slots)
	}
}

func (t *nameTable) grow(slots []slot) {
	old := t.entries
	t.entries = make([]uint64, 2*len(old))
	mask := uint64(len(t.entries) - 1)
	for _, e := range old {
		if e == 0 {
			continue
		}
		h := maphash.String(t.seed, slots[int32(uint32(e))-1].name)
		i := h & mask
		for t.entries[i] != 0 {
			i = (i + 1) & mask
		}
		t.entries[i] = e
	}
}
