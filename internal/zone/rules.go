package zone

import (
	"errors"
	"fmt"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// Errors with which Check refuses a change; each comes wrapped with the
// action and the record's key. They mean that the content was refused, so
// a smaller batch without that change may pass (see provider.ApplyIsolated).
var (
	ErrRecordExists  = errors.New("record already exists")
	ErrRecordMissing = errors.New("record does not exist")
	ErrNoZone        = errors.New("name is in no managed zone")
	ErrMismatch      = errors.New("record to change does not match the stored record")
	ErrCNAMEConflict = errors.New("a CNAME cannot share its name with other records")
	ErrInvalid       = errors.New("invalid record")
)

// Refused reports whether err carries one of the errors above: a verdict
// on a change, not a failure of the backend.
func Refused(err error) bool {
	for _, e := range []error{ErrRecordExists, ErrRecordMissing, ErrNoZone, ErrMismatch, ErrCNAMEConflict, ErrInvalid} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// Records is what the rules read of the records as they are before a
// batch. *Set provides it.
type Records interface {
	Get(k endpoint.Key) (*endpoint.Endpoint, bool)
	// Keys returns the keys at a name, under any type and set identifier.
	Keys(name string) []endpoint.Key
}

// Rules checks batches against the records a backend holds.
type Rules struct {
	// Zones, when it has any zone, requires every name to be in one.
	Zones Matcher
	// Current holds the records the batch changes.
	Current Records
	// Reserved, when set, holds records the batch may not change but which
	// still occupy their keys and names: a CREATE of one of their keys is
	// refused, and they count for CNAME exclusivity. ReservedBy says whose
	// they are, for the error.
	Reserved   Records
	ReservedBy string
}

// Check validates c as the batch proceeds, in the order DNS APIs apply
// one: deletes, then updates, then creates. It refuses
//   - a DELETE or UPDATE of a record that does not exist (or is already
//     deleted in this batch), or whose targets differ from the stored
//     ones: a stale plan must fail rather than clobber (ErrRecordMissing,
//     ErrMismatch);
//   - an UPDATE that changes the record's key (ErrInvalid);
//   - a CREATE of a record that exists, or is created twice
//     (ErrRecordExists);
//   - a CREATE that would leave a CNAME beside other records at its name
//     (ErrCNAMEConflict);
//   - a name outside every zone (ErrNoZone), when Zones is set.
//
// It changes nothing: the caller applies the batch once it passes.
func (r Rules) Check(c *plan.Changes) error {
	if len(c.UpdateOld) != len(c.UpdateNew) {
		return fmt.Errorf("%d old and %d new updates: %w", len(c.UpdateOld), len(c.UpdateNew), ErrInvalid)
	}
	// Sized up front: a controller's first batch creates every record at
	// once, and growing the maps cost 8.3 MB for 10^4 creates, against
	// 4.6 (BenchmarkCheckCreates).
	gone := make(map[endpoint.Key]bool, len(c.Delete))
	added := make(map[endpoint.Key]bool, len(c.Create))
	addedAt := make(map[string][]endpoint.Key, len(c.Create)) // created keys by name
	for _, e := range c.Delete {
		if err := r.checkMatch("delete", e, gone); err != nil {
			return err
		}
		gone[e.Key()] = true
	}
	for i, old := range c.UpdateOld {
		if err := r.checkMatch("update", old, gone); err != nil {
			return err
		}
		nw := c.UpdateNew[i]
		if nw == nil {
			return fmt.Errorf("update of %s to nothing: %w", old.Key(), ErrInvalid)
		}
		if nw.Key() != old.Key() {
			return fmt.Errorf("update of %s changes its key to %s: %w", old.Key(), nw.Key(), ErrInvalid)
		}
	}
	for _, e := range c.Create {
		if err := r.checkZone("create", e); err != nil {
			return err
		}
		k := e.Key()
		if _, ok := r.Current.Get(k); (ok && !gone[k]) || added[k] {
			return fmt.Errorf("create %s: %w", k, ErrRecordExists)
		}
		if r.Reserved != nil {
			if _, ok := r.Reserved.Get(k); ok {
				return fmt.Errorf("create %s: %w (%s)", k, ErrRecordExists, r.ReservedBy)
			}
		}
		added[k] = true
		addedAt[nameKey(k.DNSName)] = append(addedAt[nameKey(k.DNSName)], k)
	}
	for _, e := range c.Create {
		if err := r.checkCNAME(e, gone, addedAt); err != nil {
			return err
		}
	}
	return nil
}

func (r Rules) checkZone(op string, e *endpoint.Endpoint) error {
	if e == nil {
		return fmt.Errorf("%s of a nil record: %w", op, ErrInvalid)
	}
	if len(r.Zones.zones) > 0 {
		if _, ok := r.Zones.Zone(e.DNSName); !ok {
			return fmt.Errorf("%s %s: %w", op, e.Key(), ErrNoZone)
		}
	}
	return nil
}

// checkMatch requires the record to exist, not already deleted in this
// batch, with the same targets.
func (r Rules) checkMatch(op string, e *endpoint.Endpoint, gone map[endpoint.Key]bool) error {
	if err := r.checkZone(op, e); err != nil {
		return err
	}
	cur, ok := r.Current.Get(e.Key())
	if !ok || gone[e.Key()] {
		return fmt.Errorf("%s %s: %w", op, e.Key(), ErrRecordMissing)
	}
	if !cur.Targets.Same(e.Targets) {
		return fmt.Errorf("%s %s: %w", op, e.Key(), ErrMismatch)
	}
	return nil
}

// checkCNAME looks at the name of a created record as it will be after
// the batch: a CNAME there excludes every other type.
func (r Rules) checkCNAME(e *endpoint.Endpoint, gone map[endpoint.Key]bool, addedAt map[string][]endpoint.Key) error {
	var cname, other bool
	see := func(k endpoint.Key) {
		if k.RecordType == endpoint.RecordTypeCNAME {
			cname = true
		} else {
			other = true
		}
	}
	name := nameKey(e.DNSName)
	for _, k := range r.Current.Keys(name) {
		if !gone[k] {
			see(k)
		}
	}
	if r.Reserved != nil {
		for _, k := range r.Reserved.Keys(name) {
			see(k)
		}
	}
	for _, k := range addedAt[name] {
		see(k)
	}
	if cname && other {
		return fmt.Errorf("create %s: %w", e.Key(), ErrCNAMEConflict)
	}
	return nil
}
