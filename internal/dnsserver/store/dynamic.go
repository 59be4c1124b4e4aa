package store

import (
	"errors"
	"fmt"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// ErrOwned refuses a dynamic change at a name where the controller has
// records: exodns owns that name, and an RFC 2136 client may not change
// anything there, not even add a type exodns does not use.
var ErrOwned = errors.New("name holds records written by exodns")

// Records of RFC 2136 updates ("dynamic" records) live beside the
// controller's, in their own bucket and their own set per zone:
//   - they are answered like any record, and transferred;
//   - Records (the embedded provider's view) leaves them out, so the
//     controller's plan never sees them, and so never deletes or changes
//     them, whatever the registry or policy;
//   - a controller CREATE of a key or name they hold is refused by the
//     batch rules (held and reported, like any refusal), and an update may
//     not touch a name where the controller has records (ErrOwned).
// The two namespaces never share a name, except through a conflict the
// rules refuse.

// ApplyDynamic validates and commits a batch to the dynamic records, with
// the same rules and durability as Apply. It returns the zones changed.
func (s *Store) ApplyDynamic(c *plan.Changes) ([]string, error) {
	if !c.HasChanges() {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, list := range [][]*endpoint.Endpoint{c.Create, c.UpdateNew, c.Delete} {
		for _, e := range list {
			if e != nil && s.ownedLocked(e.DNSName) {
				return nil, fmt.Errorf("dnsserver: store: update %s: %w", e.Key(), ErrOwned)
			}
		}
	}
	b, err := s.check(c, true)
	if err != nil {
		return nil, fmt.Errorf("dnsserver: store: %w", err)
	}
	return s.commit(b)
}

// Owned reports whether the controller has any record at name.
func (s *Store) Owned(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ownedLocked(name)
}

func (s *Store) ownedLocked(name string) bool {
	return len(view{s: s}.Keys(name)) > 0
}

// Dynamic returns the dynamic records at name, shared with the store
// (callers must not modify them).
func (s *Store) Dynamic(name string) []*endpoint.Endpoint {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v := view{s: s, dynamic: true}
	var out []*endpoint.Endpoint
	for _, k := range v.Keys(name) {
		if e, ok := v.Get(k); ok {
			out = append(out, e)
		}
	}
	return out
}

// DynamicRecords returns a copy of every dynamic record, sorted by key.
func (s *Store) DynamicRecords() []*endpoint.Endpoint {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*endpoint.Endpoint
	for _, z := range s.zones.Zones() {
		for _, e := range s.data[z].dynamic.Sorted() {
			out = append(out, e.DeepCopy())
		}
	}
	return out
}

// At returns every record at name, the controller's and the dynamic ones,
// shared with the store (callers must not modify them).
func (s *Store) At(name string) []*endpoint.Endpoint {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*endpoint.Endpoint
	for _, v := range []view{{s: s}, {s: s, dynamic: true}} {
		for _, k := range v.Keys(name) {
			if e, ok := v.Get(k); ok {
				out = append(out, e)
			}
		}
	}
	return out
}
