package store

import (
	"fmt"
	"slices"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/zone"
)

// Errors that reject a whole batch; they are wrapped with the record's key.
// They are the shared batch-rule errors of internal/zone, so the embedded
// provider and the inmemory one refuse a change with the same values.
var (
	ErrRecordExists  = zone.ErrRecordExists
	ErrRecordMissing = zone.ErrRecordMissing
	ErrNoZone        = zone.ErrNoZone
	ErrMismatch      = zone.ErrMismatch
	ErrCNAMEConflict = zone.ErrCNAMEConflict
	ErrInvalid       = zone.ErrInvalid
)

// batch is a validated set of changes, ready to persist and then apply.
type batch struct {
	dynamic bool // to the records of RFC 2136 updates, not the controller's
	deletes []endpoint.Key
	puts    map[endpoint.Key]*endpoint.Endpoint
	zone    map[endpoint.Key]string
}

// set is the record set of zd that b changes.
func (b *batch) set(zd *zoneData) *zone.Set {
	if b.dynamic {
		return zd.dynamic
	}
	return zd.records
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

// view reads one namespace of the store (the controller's records, or
// those of updates) across zones, for zone.Rules.
type view struct {
	s       *Store
	dynamic bool
}

func (v view) set(name string) *zone.Set {
	z, ok := v.s.zones.Zone(name)
	if !ok {
		return nil
	}
	if v.dynamic {
		return v.s.data[z].dynamic
	}
	return v.s.data[z].records
}

func (v view) Get(k endpoint.Key) (*endpoint.Endpoint, bool) {
	if set := v.set(k.DNSName); set != nil {
		return set.Get(k)
	}
	return nil, false
}

func (v view) Keys(name string) []endpoint.Key {
	if set := v.set(name); set != nil {
		return set.Keys(name)
	}
	return nil
}

// check validates c with the shared batch rules (zone.Rules: deletes
// first, then updates, then creates; stale deletes and updates fail rather
// than clobber; CNAME exclusivity), against one namespace, with the other
// holding its keys and names. It adds what only the store needs: every
// record must be one it can key and persist.
func (s *Store) check(c *plan.Changes, dynamic bool) (*batch, error) {
	rules := zone.Rules{Zones: s.zones, Current: view{s, dynamic}, Reserved: view{s, !dynamic}, ReservedBy: "written by an RFC 2136 update"}
	if dynamic {
		rules.ReservedBy = "written by exodns"
	}
	if err := rules.Check(c); err != nil {
		return nil, err
	}
	b := &batch{dynamic: dynamic, puts: map[endpoint.Key]*endpoint.Endpoint{}, zone: map[endpoint.Key]string{}}
	for _, e := range c.Delete {
		b.deletes = append(b.deletes, e.Key())
		b.zone[e.Key()], _ = s.zones.Zone(e.DNSName)
	}
	for _, e := range c.UpdateNew {
		if err := checkNew("update", e); err != nil {
			return nil, err
		}
		b.put(e, s)
	}
	for _, e := range c.Create {
		if err := checkNew("create", e); err != nil {
			return nil, err
		}
		b.put(e, s)
	}
	return b, nil
}

func (b *batch) put(e *endpoint.Endpoint, s *Store) {
	c := e.DeepCopy()
	c.Labels = endpoint.Labels{} // a DNS backend keeps no ownership labels
	k := c.Key()
	b.puts[k] = c
	b.zone[k], _ = s.zones.Zone(c.DNSName)
}

// checkNew rejects what the store could not key or persist faithfully.
func checkNew(op string, e *endpoint.Endpoint) error {
	switch {
	case e.DNSName == "" || e.RecordType == "":
		return fmt.Errorf("%s %s: name and type are required: %w", op, e.Key(), ErrInvalid)
	case strings.ContainsRune(e.DNSName, 0) || strings.ContainsRune(e.RecordType, 0):
		return fmt.Errorf("%s %q: NUL in name or type: %w", op, e.Key(), ErrInvalid)
	case len(e.Targets) == 0:
		return fmt.Errorf("%s %s: a record needs at least one target: %w", op, e.Key(), ErrInvalid)
	}
	return nil
}
