package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// Errors that reject a whole batch; they are wrapped with the record's key.
var (
	ErrRecordExists  = errors.New("record already exists")
	ErrRecordMissing = errors.New("record does not exist")
	ErrNoZone        = errors.New("name is in no managed zone")
	ErrMismatch      = errors.New("record to change does not match the stored record")
	ErrInvalid       = errors.New("invalid record")
)

// batch is a validated set of changes, ready to persist and then apply.
type batch struct {
	deletes []endpoint.Key
	puts    map[endpoint.Key]*endpoint.Endpoint
	zone    map[endpoint.Key]string
}

func (b *batch) zones() []string {
	var out []string
	for _, z := range b.zone {
		if !slices.Contains(out, z) {
			out = append(out, z)
		}
	}
	slices.Sort(out)
	return out
}

// check validates c against the stored records as the batch proceeds:
// deletes first, then updates, then creates, the order DNS APIs use. It
// follows the inmemory provider, the reference for change semantics: a
// stale delete or update must fail rather than clobber a record.
func (s *Store) check(c *plan.Changes) (*batch, error) {
	if len(c.UpdateOld) != len(c.UpdateNew) {
		return nil, fmt.Errorf("%d old and %d new updates", len(c.UpdateOld), len(c.UpdateNew))
	}
	b := &batch{puts: map[endpoint.Key]*endpoint.Endpoint{}, zone: map[endpoint.Key]string{}}
	gone := map[endpoint.Key]bool{}
	for _, e := range c.Delete {
		if err := s.checkMatch("delete", e, gone); err != nil {
			return nil, err
		}
		gone[e.Key()] = true
		b.deletes = append(b.deletes, e.Key())
		b.zone[e.Key()], _ = s.zones.Zone(e.DNSName)
	}
	for i, old := range c.UpdateOld {
		if err := s.checkMatch("update", old, gone); err != nil {
			return nil, err
		}
		nw := c.UpdateNew[i]
		if err := s.checkNew("update", nw); err != nil {
			return nil, err
		}
		if nw.Key() != old.Key() {
			return nil, fmt.Errorf("update of %s changes its key to %s: %w", old.Key(), nw.Key(), ErrInvalid)
		}
		b.put(nw, s)
	}
	for _, e := range c.Create {
		if err := s.checkNew("create", e); err != nil {
			return nil, err
		}
		k := e.Key()
		z, _ := s.zones.Zone(e.DNSName)
		if _, ok := s.data[z].records[k]; (ok && !gone[k]) || b.puts[k] != nil {
			return nil, fmt.Errorf("create %s: %w", k, ErrRecordExists)
		}
		b.put(e, s)
	}
	return b, nil
}

func (b *batch) put(e *endpoint.Endpoint, s *Store) {
	c := e.DeepCopy()
	c.Labels = nil // a DNS backend keeps no ownership labels
	k := c.Key()
	b.puts[k] = c
	b.zone[k], _ = s.zones.Zone(c.DNSName)
}

// checkMatch requires the record to exist, not already deleted in this
// batch, with the same targets.
func (s *Store) checkMatch(op string, e *endpoint.Endpoint, gone map[endpoint.Key]bool) error {
	if e == nil {
		return fmt.Errorf("%s of a nil record: %w", op, ErrInvalid)
	}
	z, ok := s.zones.Zone(e.DNSName)
	if !ok {
		return fmt.Errorf("%s %s: %w", op, e.Key(), ErrNoZone)
	}
	cur, ok := s.data[z].records[e.Key()]
	if !ok || gone[e.Key()] {
		return fmt.Errorf("%s %s: %w", op, e.Key(), ErrRecordMissing)
	}
	if !cur.Targets.Same(e.Targets) {
		return fmt.Errorf("%s %s: %w", op, e.Key(), ErrMismatch)
	}
	return nil
}

// checkNew rejects what the store could not key or persist faithfully.
func (s *Store) checkNew(op string, e *endpoint.Endpoint) error {
	switch {
	case e == nil:
		return fmt.Errorf("%s of a nil record: %w", op, ErrInvalid)
	case e.DNSName == "" || e.RecordType == "":
		return fmt.Errorf("%s %s: name and type are required: %w", op, e.Key(), ErrInvalid)
	case strings.ContainsRune(e.DNSName, 0) || strings.ContainsRune(e.RecordType, 0):
		return fmt.Errorf("%s %q: NUL in name or type: %w", op, e.Key(), ErrInvalid)
	case len(e.Targets) == 0:
		return fmt.Errorf("%s %s: a record needs at least one target: %w", op, e.Key(), ErrInvalid)
	}
	if _, ok := s.zones.Zone(e.DNSName); !ok {
		return fmt.Errorf("%s %s: %w", op, e.Key(), ErrNoZone)
	}
	return nil
}
