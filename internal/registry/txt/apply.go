package txt

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// ApplyChanges applies the record changes together with the ownership
// changes they need, in one provider call, so a provider that applies a
// batch atomically never leaves a record without its ownership record.
//
// It also gives records still owned through a legacy ownership record a
// current one, even when changes is empty, so users migrating from old
// external-dns versions do not end up with orphans. When there is nothing
// to do, the provider is not called.
func (r *Registry) ApplyChanges(ctx context.Context, changes *plan.Changes) error {
	if changes == nil {
		changes = &plan.Changes{}
	}
	if len(changes.UpdateOld) != len(changes.UpdateNew) {
		return fmt.Errorf("txt registry: %d old and %d new records in the updates", len(changes.UpdateOld), len(changes.UpdateNew))
	}

	r.mu.Lock()
	known := r.state != nil
	r.mu.Unlock()
	if !known {
		// Without Records there is no telling which ownership records
		// exist; read them rather than guess.
		if _, err := r.Records(ctx); err != nil {
			return err
		}
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	b := &batch{r: r, snap: r.state, touched: map[endpoint.Key]bool{}, set: map[endpoint.Key]*ownership{}, dropped: map[nameKey]bool{}}
	creates, refused := r.refuseReserved(changes, b.snap)
	if err := b.checkOwned(changes.Delete); err != nil {
		return err
	}
	if err := b.checkOwned(changes.UpdateOld); err != nil {
		return err
	}
	for _, ep := range changes.Delete {
		b.delete(ep)
	}
	for i := range changes.UpdateOld {
		if err := b.update(changes.UpdateOld[i], changes.UpdateNew[i]); err != nil {
			return err
		}
	}
	for _, ep := range creates {
		if err := b.create(ep, false); err != nil {
			return err
		}
	}
	if err := b.migrate(); err != nil {
		return err
	}

	out := &plan.Changes{
		Create:    slices.Concat(creates, b.txt.Create),
		UpdateOld: slices.Concat(changes.UpdateOld, b.txt.UpdateOld),
		UpdateNew: slices.Concat(changes.UpdateNew, b.txt.UpdateNew),
		Delete:    slices.Concat(changes.Delete, b.txt.Delete),
	}
	if out.HasChanges() {
		if err := r.provider.ApplyChanges(ctx, out); err != nil {
			return errors.Join(fmt.Errorf("txt registry: %w", err), refused)
		}
		b.commit()
		r.applied++
	}
	return refused
}

// batch gathers the ownership changes of one ApplyChanges call.
type batch struct {
	r    *Registry
	snap *snapshot
	txt  plan.Changes
	// touched holds the lookup keys already handled, so a record named
	// twice, or both changed and pending, gets one ownership change.
	touched map[endpoint.Key]bool
	// set and dropped are what the snapshot becomes once the provider has
	// applied the batch: nil in set means deleted.
	set     map[endpoint.Key]*ownership
	dropped map[nameKey]bool
}

// checkOwned refuses changes to records that another owner holds. The plan
// should never produce them; if it does, writing would take over or destroy
// someone else's record, so nothing is written.
func (b *batch) checkOwned(eps []*endpoint.Endpoint) error {
	for _, ep := range eps {
		// Both the caller's view and the zone's, in case either is stale.
		owners := []string{ep.Labels.Get(endpoint.OwnerLabel), ""}
		if o, _ := b.snap.find(b.r.lookupKey(ep), ep); o != nil {
			owners[1] = o.owner
		}
		for _, owner := range owners {
			if owner != "" && owner != b.r.ownerID {
				return fmt.Errorf("txt registry: %s %s is owned by %q, not %q", ep.DNSName, ep.RecordType, owner, b.r.ownerID)
			}
		}
	}
	return nil
}

func (b *batch) current(k endpoint.Key) *ownership {
	if o, ok := b.set[k]; ok {
		return o
	}
	return b.snap.typed.get(k)
}

func (b *batch) delete(ep *endpoint.Endpoint) {
	k := b.r.lookupKey(ep)
	if b.touched[k] {
		return
	}
	b.touched[k] = true
	if o := b.current(k); o.ownedBy(b.r.ownerID) {
		b.txt.Delete = append(b.txt.Delete, labelled(o.txt, ep.DNSName))
		b.set[k] = nil
	}
	// The legacy or alias "cname-" record goes too. Other records it
	// still covers are pending, and get their own ownership records in
	// this same batch.
	if o, kind := b.snap.find(k, ep); kind == fromAliasCNAME {
		b.dropAliasCNAME(k, o, ep.DNSName)
	}
	if ep.RecordType == endpoint.RecordTypeAAAA {
		return
	}
	nk := nameKey{k.DNSName, k.SetIdentifier}
	if o := b.snap.legacy[nk]; o.ownedBy(b.r.ownerID) && !b.dropped[nk] {
		b.txt.Delete = append(b.txt.Delete, labelled(o.txt, ep.DNSName))
		b.dropped[nk] = true
	}
}

func (b *batch) update(old, new *endpoint.Endpoint) error {
	oldKey, newKey := b.r.lookupKey(old), b.r.lookupKey(new)
	if oldKey != newKey && !b.touched[oldKey] {
		b.touched[oldKey] = true
		if o := b.current(oldKey); o.ownedBy(b.r.ownerID) {
			b.txt.Delete = append(b.txt.Delete, labelled(o.txt, old.DNSName))
			b.set[oldKey] = nil
		}
	}
	return b.create(new, true)
}

// create makes the ownership record of ep what it should be: created when
// missing, updated when it differs, left alone when it already matches or
// belongs to someone else (as upstream leaves it: such a record is not
// ours to rewrite). An updated record that was owned through a legacy
// record only keeps that record's labels where ep sets none.
func (b *batch) create(ep *endpoint.Endpoint, inheritLegacy bool) error {
	k := b.r.lookupKey(ep)
	if b.touched[k] {
		return nil
	}
	b.touched[k] = true
	existing := b.current(k)
	if existing != nil && !existing.ownedBy(b.r.ownerID) {
		return nil
	}
	base := existing
	if base == nil && inheritLegacy {
		if o, kind := b.snap.find(k, ep); kind != outdated && o.ownedBy(b.r.ownerID) {
			base = o
			if kind == fromAliasCNAME {
				b.dropAliasCNAME(k, o, ep.DNSName)
			}
		}
	}
	return b.put(k, ep, existing, base)
}

// put writes the ownership record of ep over existing (nil: none), keeping
// labels found in base that ep does not set.
func (b *batch) put(k endpoint.Key, ep *endpoint.Endpoint, existing, base *ownership) error {
	txt, o, err := b.r.ownershipRecord(ep, existing, base)
	if err != nil {
		return err
	}
	switch {
	case existing == nil:
		b.txt.Create = append(b.txt.Create, txt)
	case !strings.EqualFold(existing.txt.DNSName, txt.DNSName):
		// Read back under this key but named otherwise (an ambiguous
		// templated affix, say): replacing is safer than asking a
		// provider to rename a record through an update.
		b.txt.Delete = append(b.txt.Delete, labelled(existing.txt, ep.DNSName))
		b.txt.Create = append(b.txt.Create, txt)
	case b.r.differs(existing, o, txt):
		b.txt.UpdateOld = append(b.txt.UpdateOld, labelled(existing.txt, ep.DNSName))
		b.txt.UpdateNew = append(b.txt.UpdateNew, txt)
	default:
		return nil
	}
	b.set[k] = o
	return nil
}

// commit records in the snapshot what the provider has just applied, so a
// second ApplyChanges before the next Records does not repeat it.
func (b *batch) commit() {
	for k, o := range b.set {
		if o == nil {
			b.snap.typed.del(k)
			continue
		}
		if !o.txt.Labels.IsZero() {
			// The label naming the owned record served the provider's
			// batch; the snapshot keeps the record without it, so the
			// batch's label storage is not kept for as long as the
			// snapshot lives.
			c := *o.txt
			c.Labels = endpoint.Labels{}
			o.txt = &c
		}
		b.snap.typed.put(k, o)
	}
	for nk := range b.dropped {
		delete(b.snap.legacy, nk)
	}
	b.snap.pending = nil
}
