package zone

import (
	"slices"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
)

// Set is a collection of record sets indexed by key and by name, the shape
// both the inmemory provider and the embedded store keep their records in.
// It is not safe for concurrent use; its owner locks.
type Set struct {
	byKey  map[endpoint.Key]*endpoint.Endpoint
	byName map[string][]endpoint.Key
}

// NewSet returns an empty set.
func NewSet() *Set {
	return &Set{byKey: map[endpoint.Key]*endpoint.Endpoint{}, byName: map[string][]endpoint.Key{}}
}

// Len is the number of record sets.
func (s *Set) Len() int { return len(s.byKey) }

// Get returns the record set with key k.
func (s *Set) Get(k endpoint.Key) (*endpoint.Endpoint, bool) {
	e, ok := s.byKey[k]
	return e, ok
}

// Keys returns the keys of every record set at name, under any type and
// set identifier. The name is compared without case and final dot.
func (s *Set) Keys(name string) []endpoint.Key { return slices.Clone(s.byName[nameKey(name)]) }

// Put stores e under its key, replacing what was there. The set keeps e
// itself: callers hand over a copy they no longer change.
func (s *Set) Put(e *endpoint.Endpoint) {
	k := e.Key()
	if _, ok := s.byKey[k]; !ok {
		n := nameKey(k.DNSName)
		s.byName[n] = append(s.byName[n], k)
	}
	s.byKey[k] = e
}

// Delete removes the record set with key k, if any.
func (s *Set) Delete(k endpoint.Key) {
	if _, ok := s.byKey[k]; !ok {
		return
	}
	delete(s.byKey, k)
	n := nameKey(k.DNSName)
	keys := slices.DeleteFunc(s.byName[n], func(o endpoint.Key) bool { return o == k })
	if len(keys) == 0 {
		delete(s.byName, n)
	} else {
		s.byName[n] = keys
	}
}

// All calls yield for every record set, in no order, until it returns false.
func (s *Set) All(yield func(*endpoint.Endpoint) bool) {
	for _, e := range s.byKey {
		if !yield(e) {
			return
		}
	}
}

// Sorted returns every record set ordered by key.
func (s *Set) Sorted() []*endpoint.Endpoint {
	out := make([]*endpoint.Endpoint, 0, len(s.byKey))
	for _, e := range s.byKey {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *endpoint.Endpoint) int { return CompareKeys(a.Key(), b.Key()) })
	return out
}

// CompareKeys orders keys by name, then type, then set identifier.
func CompareKeys(a, b endpoint.Key) int {
	if c := strings.Compare(a.DNSName, b.DNSName); c != 0 {
		return c
	}
	if c := strings.Compare(a.RecordType, b.RecordType); c != 0 {
		return c
	}
	return strings.Compare(a.SetIdentifier, b.SetIdentifier)
}

func nameKey(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }
