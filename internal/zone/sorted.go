package zone

import (
	"slices"
	"sync"

	"github.com/exodns/exodns/internal/endpoint"
)

// sortedCache keeps a Set's record sets in key order between calls of
// Sorted, with the changes since: a provider lists its zone sorted on
// every read, and sorting 10^5 record sets again each time was most of
// a full reconcile's time. The changes are merged into the kept order,
// which costs a pass over it; when they are many, it is sorted anew.
type sortedCache struct {
	// mu lets Sorted run under its owner's read lock (concurrent reads);
	// Put and Delete run under the write lock, alone.
	mu    sync.Mutex
	valid bool
	order []*endpoint.Endpoint
	// added are the record sets put since, and removed the keys deleted
	// or replaced since: order without removed, plus those of added
	// still in the set, is the set.
	added   []*endpoint.Endpoint
	removed map[endpoint.Key]bool
}

// changed notes that k now holds e (nil: deleted).
func (c *sortedCache) changed(k endpoint.Key, e *endpoint.Endpoint) {
	if !c.valid {
		return
	}
	if c.removed == nil {
		c.removed = map[endpoint.Key]bool{}
	}
	c.removed[k] = true
	if e != nil {
		c.added = append(c.added, e)
	}
	if len(c.added) > len(c.order)/4+64 {
		// Merging would cost about what sorting does.
		c.reset()
	}
}

func (c *sortedCache) reset() {
	c.valid, c.order, c.added, c.removed = false, nil, nil, nil
}

// Sorted returns every record set ordered by key, in a slice of the
// caller's.
func (s *Set) Sorted() []*endpoint.Endpoint {
	c := &s.order
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case !c.valid:
		c.order = make([]*endpoint.Endpoint, 0, s.n)
		for _, sets := range s.byName {
			c.order = append(c.order, sets...)
		}
		slices.SortFunc(c.order, compareEndpoints)
		c.valid = true
	case len(c.removed) > 0 || len(c.added) > 0:
		c.order = c.merge(s)
	}
	c.added, c.removed = nil, nil
	return slices.Clone(c.order)
}

// merge returns the kept order with the changes since merged in.
func (c *sortedCache) merge(s *Set) []*endpoint.Endpoint {
	// Of the sets put since, those the set still holds, each once.
	var fresh []*endpoint.Endpoint
	for _, e := range c.added {
		if cur, ok := s.Get(e.Key()); ok && cur == e {
			fresh = append(fresh, e)
		}
	}
	slices.SortFunc(fresh, compareEndpoints)
	fresh = slices.Compact(fresh)
	out := make([]*endpoint.Endpoint, 0, s.n)
	i := 0
	for _, e := range c.order {
		if c.removed[e.Key()] {
			continue
		}
		for i < len(fresh) && compareEndpoints(fresh[i], e) < 0 {
			out = append(out, fresh[i])
			i++
		}
		out = append(out, e)
	}
	return append(out, fresh[i:]...)
}

func compareEndpoints(a, b *endpoint.Endpoint) int { return CompareKeys(a.Key(), b.Key()) }
