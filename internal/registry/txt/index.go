package txt

import (
	"iter"

	"github.com/exodns/exodns/internal/endpoint"
)

// ownerIndex files typed ownership records by the key of the record each
// owns. It is keyed by the record's name alone, and the few keys sharing a
// name (other types, set identifiers) are chained through ownership.next:
// at 10^5 records the probes into this map are much of a read's time, and
// one string hashes and compares in a third of the time of an
// endpoint.Key's three.
type ownerIndex map[string]*ownership

func newOwnerIndex(n int) ownerIndex { return make(ownerIndex, n) }

func (x ownerIndex) get(k endpoint.Key) *ownership {
	for o := x[k.DNSName]; o != nil; o = o.next {
		if o.recordType == k.RecordType && o.set == k.SetIdentifier {
			return o
		}
	}
	return nil
}

// put files o under k in place of the record filed there, if any, and
// reports whether there was one. An ownership record is filed in one
// index under one key: a filed one is copied first.
func (x ownerIndex) put(k endpoint.Key, o *ownership) (replaced bool) {
	if o.filed {
		c := *o
		o = &c
	}
	o.filed, o.name, o.recordType, o.set, o.next = true, k.DNSName, k.RecordType, k.SetIdentifier, nil
	head := x[k.DNSName]
	var before *ownership
	for c := head; c != nil; before, c = c, c.next {
		if c.recordType == k.RecordType && c.set == k.SetIdentifier {
			o.next = c.next
			if before == nil {
				x[k.DNSName] = o
			} else {
				before.next = o
			}
			return true
		}
	}
	o.next = head
	x[k.DNSName] = o
	return false
}

func (x ownerIndex) del(k endpoint.Key) {
	var before *ownership
	for c := x[k.DNSName]; c != nil; before, c = c, c.next {
		if c.recordType != k.RecordType || c.set != k.SetIdentifier {
			continue
		}
		switch {
		case before != nil:
			before.next = c.next
		case c.next != nil:
			x[k.DNSName] = c.next
		default:
			delete(x, k.DNSName)
		}
		return
	}
}

// atName returns the first ownership record filed at the name and type,
// whatever its set identifier.
func (x ownerIndex) atName(name, recordType string) *ownership {
	for o := x[name]; o != nil; o = o.next {
		if o.recordType == recordType {
			return o
		}
	}
	return nil
}

// all yields every filed ownership record with its key.
func (x ownerIndex) all() iter.Seq2[endpoint.Key, *ownership] {
	return func(yield func(endpoint.Key, *ownership) bool) {
		for _, head := range x {
			for o := head; o != nil; o = o.next {
				if !yield(endpoint.Key{DNSName: o.name, RecordType: o.recordType, SetIdentifier: o.set}, o) {
					return
				}
			}
		}
	}
}
