// Package store keeps the embedded DNS server's records: in memory for
// answering, and in a bbolt file so that a change, once Apply returns, is
// on disk and survives kill -9.
//
// The whole record set is held in memory as well, because the server
// rebuilds its answer snapshot from it after every change; the file is read
// only at Open.
package store

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/zone"
)

// Store holds records per zone, with a SOA serial per zone that grows by
// one on every change to that zone.
type Store struct {
	db    *bolt.DB // nil in memory mode
	zones zone.Matcher

	// mu serialises Apply and guards data; readers take it briefly to copy
	// out what they need, never while answering queries.
	mu   sync.RWMutex
	data map[string]*zoneData
	// version counts the commits that changed the controller's records,
	// the set Records lists, so the controller can tell without reading
	// them that nobody changed them since it last looked (Version).
	version uint64
}

type zoneData struct {
	serial uint32
	// records are the controller's, written through Apply; dynamic are
	// those RFC 2136 updates wrote, through ApplyDynamic (dynamic.go).
	// Both are answered; only records are the provider's to list and
	// change.
	records *zone.Set
	dynamic *zone.Set
}

// Zone is one zone's contents at one moment. The endpoints are shared with
// the store, which never modifies a stored endpoint but replaces it, so they
// are safe to read at any time; callers must not modify them.
type Zone struct {
	Name    string
	Serial  uint32
	Records []*endpoint.Endpoint
}

// initialSerial is where a zone new to the store starts.
const initialSerial = 1

// NewMemory returns a store that keeps nothing on disk, for tests and for a
// server whose records are loaded from elsewhere at every start.
func NewMemory(zones []string) *Store {
	s := &Store{zones: zone.NewMatcher(zones), data: map[string]*zoneData{}}
	for _, z := range s.zones.Zones() {
		s.data[z] = &zoneData{serial: initialSerial, records: zone.NewSet(), dynamic: zone.NewSet()}
	}
	return s
}

// load reads every record into memory and gives each configured zone a
// serial, persisting the serial of a zone seen for the first time.
func (s *Store) load(tx *bolt.Tx) error {
	recs, err := tx.CreateBucketIfNotExists([]byte(bucketRecords))
	if err != nil {
		return err
	}
	serials, err := tx.CreateBucketIfNotExists([]byte(bucketSerials))
	if err != nil {
		return err
	}
	for name, zd := range s.data {
		if v := serials.Get([]byte(name)); v != nil {
			zd.serial, err = decodeSerial(v)
			if err != nil {
				return fmt.Errorf("serial of %s: %w", name, err)
			}
			continue
		}
		if err := serials.Put([]byte(name), encodeSerial(zd.serial)); err != nil {
			return err
		}
	}
	if err := s.loadBucket(recs, func(zd *zoneData) *zone.Set { return zd.records }); err != nil {
		return err
	}
	dyn, err := tx.CreateBucketIfNotExists([]byte(bucketDynamic))
	if err != nil {
		return err
	}
	return s.loadBucket(dyn, func(zd *zoneData) *zone.Set { return zd.dynamic })
}

func (s *Store) loadBucket(b *bolt.Bucket, set func(*zoneData) *zone.Set) error {
	return b.ForEach(func(k, v []byte) error {
		e, err := decodeRecord(k, v)
		if err != nil {
			return err
		}
		if z, ok := s.zones.Zone(e.DNSName); ok {
			set(s.data[z]).Put(e)
		}
		return nil
	})
}

// Close releases the file. A memory store has nothing to release.
func (s *Store) Close() error {
	if s.db == nil {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("dnsserver: store: close: %w", err)
	}
	return nil
}

// Zones returns the configured zone names, longest first.
func (s *Store) Zones() []string { return s.zones.Zones() }

// Zone returns a zone's contents, in no particular order, or false if the
// zone is not configured: the controller's records and those of RFC 2136
// updates alike, since both are answered.
func (s *Store) Zone(name string) (Zone, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	zd, ok := s.data[name]
	if !ok {
		return Zone{}, false
	}
	z := Zone{Name: name, Serial: zd.serial, Records: make([]*endpoint.Endpoint, 0, zd.records.Len()+zd.dynamic.Len())}
	collect := func(e *endpoint.Endpoint) bool { z.Records = append(z.Records, e); return true }
	zd.records.All(collect)
	zd.dynamic.All(collect)
	return z, true
}

// Records returns an independent copy of every record the controller
// wrote, in every configured zone, sorted by key. Labels are never stored,
// so none come back. Records of RFC 2136 updates are not among them: the
// controller never sees them, so it never deletes them.
func (s *Store) Records() []*endpoint.Endpoint {
	s.mu.RLock()
	var out []*endpoint.Endpoint
	for _, zd := range s.data {
		zd.records.All(func(e *endpoint.Endpoint) bool { out = append(out, e.DeepCopy()); return true })
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b *endpoint.Endpoint) int { return zone.CompareKeys(a.Key(), b.Key()) })
	return out
}

// Apply validates the whole batch and then commits it in one bbolt
// transaction, synced to disk before Apply returns. A batch with any error
// changes nothing. It returns the zones whose contents changed.
func (s *Store) Apply(c *plan.Changes) ([]string, error) {
	if !c.HasChanges() {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.check(c, false)
	if err != nil {
		return nil, fmt.Errorf("dnsserver: store: %w", err)
	}
	return s.commit(b)
}

// commit persists a checked batch, then applies it in memory. Called with
// mu held.
func (s *Store) commit(b *batch) ([]string, error) {
	if s.db != nil {
		// guard: bbolt panics on a page it finds damaged; that fails this
		// batch instead of the whole server.
		if err := guard(func() error { return s.db.Update(func(tx *bolt.Tx) error { return s.persist(tx, b) }) }); err != nil {
			return nil, fmt.Errorf("dnsserver: store: commit: %w", err)
		}
	}
	for _, k := range b.deletes {
		b.set(s.data[b.zone[k]]).Delete(k)
	}
	for k, e := range b.puts {
		b.set(s.data[b.zone[k]]).Put(e)
	}
	changed := b.zones()
	for _, z := range changed {
		s.data[z].serial = nextSerial(s.data[z].serial)
	}
	if !b.dynamic && len(changed) > 0 {
		s.version++
	}
	return changed, nil
}

// Version changes whenever what Records returns may have changed: it
// counts the commits to the controller's records since the store was
// opened. Records of RFC 2136 updates, serials, and peers' records do
// not move it, since Records never shows them. It starts at zero in each
// process, as does every reader's memory of it.
func (s *Store) Version() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.version
}

func (s *Store) persist(tx *bolt.Tx, b *batch) error {
	bucket := bucketRecords
	if b.dynamic {
		bucket = bucketDynamic
	}
	recs, serials := tx.Bucket([]byte(bucket)), tx.Bucket([]byte(bucketSerials))
	if recs == nil || serials == nil {
		return errors.New("buckets missing")
	}
	for _, k := range b.deletes {
		if err := recs.Delete(encodeKey(k)); err != nil {
			return err
		}
	}
	for k, e := range b.puts {
		v, err := encodeRecord(e)
		if err != nil {
			return err
		}
		if err := recs.Put(encodeKey(k), v); err != nil {
			return err
		}
	}
	for _, z := range b.zones() {
		if err := serials.Put([]byte(z), encodeSerial(nextSerial(s.data[z].serial))); err != nil {
			return err
		}
	}
	return nil
}

// nextSerial skips zero on wrap-around, since some tools read serial 0 as
// "unset".
func nextSerial(n uint32) uint32 {
	if n+1 == 0 {
		return 1
	}
	return n + 1
}
