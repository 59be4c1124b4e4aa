package provider

import (
	"context"
	"sync"
	"time"
)

// Versioned is a provider that counts the changes of its zone, so a
// controller can tell without reading the zone that nothing changed since
// it last did. ZoneVersion changes whenever any record changes.
type Versioned interface {
	ZoneVersion() uint64
}

// ZoneVersionOf returns p's zone version, looking through wrappers that
// offer Unwrap (such as DryRun); ok is false when none keeps one.
func ZoneVersionOf(p Provider) (uint64, bool) {
	for p != nil {
		if v, ok := p.(Versioned); ok {
			return v.ZoneVersion(), true
		}
		u, ok := p.(interface{ Unwrap() Provider })
		if !ok {
			return 0, false
		}
		p = u.Unwrap()
	}
	return 0, false
}

// Stamps turns what a provider can cheaply observe of its zone (SOA
// serials, an etcd revision: a stamp) into a zone version. The version
// moves whenever the stamp differs from the last one seen, and at every
// call while no stamp can be read, so that the controller then reads the
// zone and meets the error. The zero value is ready; Equal compares two
// stamps.
type Stamps[T any] struct {
	Equal func(a, b T) bool

	mu      sync.Mutex
	last    T
	have    bool
	version uint64
}

// Observe records the stamp just read (ok false: none could be) and
// returns the zone version.
func (s *Stamps[T]) Observe(stamp T, ok bool) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !ok || !s.have || !s.Equal(stamp, s.last) {
		s.version++
		s.last, s.have = stamp, ok
	}
	return s.version
}

// StampContext bounds the reading of a stamp: ZoneVersion has no context
// of its own. timeout <= 0 means 10 s.
func StampContext(timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return context.WithTimeout(context.Background(), timeout)
}
