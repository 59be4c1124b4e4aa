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

// refuseReserved takes out of the creates those at a name reserved for an
// ownership record (see reserved.go), which AdjustEndpoints holds once it
// knows the zone; on the first run it may not, and this is the last line.
// The rest goes ahead; the refused ones come back as one error naming each.
func (r *Registry) refuseReserved(c *plan.Changes, snap *snapshot) ([]*endpoint.Endpoint, error) {
	desired := r.desiredKeys(c.Create, c.UpdateNew)
	var errs []error
	creates := c.Create
	for i, ep := range c.Create {
		reason := r.reservedBy(ep, snap, desired)
		if reason == "" {
			if errs != nil {
				creates = append(creates, ep)
			}
			continue
		}
		if errs == nil {
			creates = slices.Clone(c.Create[:i])
		}
		who := ep.Key().String()
		if res := ep.Resource(); res != "" {
			who += " (" + res + ")"
		}
		errs = append(errs, fmt.Errorf("txt registry: %s not created: %s", who, reason))
	}
	return creates, errors.Join(errs...)
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
		owners := []string{ep.Labels[endpoint.OwnerLabel], ""}
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
	return b.snap.typed[k]
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

// dropAliasCNAME deletes, once, the "cname-" ownership record o through
// which the alias record owned at k was found.
func (b *batch) dropAliasCNAME(k endpoint.Key, o *ownership, owned string) {
	ck := endpoint.Key{DNSName: k.DNSName, RecordType: endpoint.RecordTypeCNAME, SetIdentifier: k.SetIdentifier}
	if o.ownedBy(b.r.ownerID) && b.current(ck) == o {
		b.txt.Delete = append(b.txt.Delete, labelled(o.txt, owned))
		b.set[ck] = nil
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

// migrate gives each pending record its ownership record in the current
// form: a typed one where it was found through a legacy or alias "cname-"
// record (the latter then deleted in the same batch), a rewritten one
// where the form is outdated.
func (b *batch) migrate() error {
	for _, p := range b.snap.pending {
		if b.touched[p.key] {
			continue
		}
		existing := b.current(p.key)
		if p.kind != outdated && existing != nil {
			continue
		}
		b.touched[p.key] = true
		if err := b.put(p.key, p.record, existing, p.base); err != nil {
			return err
		}
		if p.kind == fromAliasCNAME {
			b.dropAliasCNAME(p.key, p.base, p.record.DNSName)
		}
	}
	return nil
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
			delete(b.snap.typed, k)
		} else {
			b.snap.typed[k] = o
		}
	}
	for nk := range b.dropped {
		delete(b.snap.legacy, nk)
	}
	b.snap.pending = nil
}

// ownershipRecord builds the ownership TXT record of ep. Its labels are
// those of base, overlaid with ep's, with our owner. It has the record's
// set identifier and, like upstream's, no TTL of its own: the provider's
// default applies, on create and update alike. A provider with a form of
// its own (OwnershipFormer) sets the TTL and the provider-specific
// properties, as upstream's copy of the record's properties comes out on
// it; other providers get none.
func (r *Registry) ownershipRecord(ep *endpoint.Endpoint, existing, base *ownership) (*endpoint.Endpoint, *ownership, error) {
	labels := endpoint.Labels{}
	if base != nil {
		if parsed, err := ParseLabels(base.text); err == nil {
			labels = parsed
		}
	}
	for k, v := range ep.Labels {
		labels[k] = v
	}
	// Bookkeeping and notes of this process, not ownership.
	delete(labels, endpoint.NonceLabel)
	delete(labels, endpoint.OwnershipNoteLabel)
	delete(labels, endpoint.HoldLabel)
	labels[endpoint.OwnerLabel] = r.ownerID
	text := SerializeLabels(labels)

	value := quote(text)
	var nonce []byte
	if r.encrypt {
		// An unchanged text keeps its nonce, so it encrypts to the same
		// value and providers see no change. A changed text gets a fresh
		// nonce: reusing a GCM nonce for another text would leak the key
		// stream.
		if existing != nil && existing.nonce != nil && existing.text == text {
			nonce = existing.nonce
		} else {
			var err error
			if nonce, err = newNonce(); err != nil {
				return nil, nil, fmt.Errorf("txt registry: %w", err)
			}
		}
		sealed, err := r.sealer.seal(text, nonce)
		if err != nil {
			return nil, nil, fmt.Errorf("txt registry: encrypting ownership of %s: %w", ep.DNSName, err)
		}
		value = quote(sealed)
	}

	txt := &endpoint.Endpoint{
		DNSName:       r.mapper.ToTXTName(ep.DNSName, ep.RecordType),
		RecordType:    endpoint.RecordTypeTXT,
		Targets:       endpoint.Targets{value},
		SetIdentifier: ep.SetIdentifier,
		Labels:        endpoint.Labels{endpoint.OwnedRecordLabel: ep.DNSName},
	}
	if txt.DNSName == "" {
		return nil, nil, errors.New("txt registry: record without a name")
	}
	if r.former != nil {
		ttl, ps, err := r.former.OwnershipForm(ep)
		if err != nil {
			return nil, nil, fmt.Errorf("txt registry: ownership record of %s: %w", ep.Key(), err)
		}
		txt.RecordTTL, txt.ProviderSpecific = ttl, ps
	}
	return txt, &ownership{txt: txt, owner: r.ownerID, text: text, nonce: nonce}, nil
}

// differs reports whether the existing ownership record must be rewritten
// to become want. Labels are compared in canonical form, so a value that
// upstream or a provider quoted differently is not rewritten for nothing.
// The TTL and the provider-specific properties count only when the
// provider gave a form for them.
func (r *Registry) differs(existing, want *ownership, txt *endpoint.Endpoint) bool {
	if (existing.nonce != nil) != r.encrypt {
		return true
	}
	if txt.RecordTTL.IsConfigured() && txt.RecordTTL != existing.txt.RecordTTL {
		return true
	}
	if r.former != nil && !txt.ProviderSpecific.Same(existing.txt.ProviderSpecific) {
		return true
	}
	if existing.text == want.text {
		return false
	}
	labels, err := ParseLabels(existing.text)
	return err != nil || SerializeLabels(labels) != want.text
}
