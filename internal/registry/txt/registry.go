package txt

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/registry"
)

// Config holds the --txt-* settings of the TXT registry.
type Config struct {
	// OwnerID is --txt-owner-id: the owner written into, and required
	// from, ownership records before a record is changed.
	OwnerID string
	// Prefix, Suffix and WildcardReplacement shape ownership record names;
	// see NameMapper.
	Prefix, Suffix, WildcardReplacement string
	// EncryptKey is --txt-encrypt-aes-key: 32 raw bytes or base64 of 32
	// bytes. Nil leaves ownership records in plain text.
	EncryptKey []byte
	// DecryptOnly reads encrypted ownership records with EncryptKey but
	// writes plain text, which is what upstream does with a key and
	// --txt-encrypt-enabled=false; it lets users turn encryption off
	// without losing their records.
	DecryptOnly bool
	// OldOwnerID is --migrate-from-txt-owner: ownership records of this
	// owner are taken over as ours and rewritten with OwnerID on the next
	// ApplyChanges. Empty turns migration off.
	OldOwnerID string
	// CacheInterval is --txt-cache-interval: the provider's records are
	// read at most this often (see CacheRecords). 0 reads them on every
	// Records.
	CacheInterval time.Duration
	// Now is the cache's clock; nil means time.Now.
	Now func() time.Time
	// SpareFor is how long the snapshot a read replaced is kept for the
	// next read to reuse its memory (see Registry.spare). 0 means
	// DefaultSpareFor; negative, never kept.
	SpareFor time.Duration
	// SpareDropped, when set, is called on a timer's goroutine after the
	// spare was let go: some 500 bytes a record just became garbage,
	// which an idle process would otherwise hold until its next
	// collection, minutes away.
	SpareDropped func()
}

// DefaultSpareFor keeps the memory of the snapshot before last through a
// burst of full reads (a manifest or Gateway source's events, each a
// full run, come seconds apart), and lets it go well before the next
// periodic read: an hour away with a provider that keeps a zone version,
// a minute (--interval) with one that keeps none.
const DefaultSpareFor = 15 * time.Second

// Registry keeps ownership in TXT records next to the records they own.
type Registry struct {
	provider provider.Provider
	// former gives ownership records the provider's own form (routing,
	// TTL); nil when the provider has none.
	former  OwnershipFormer
	ownerID string
	// oldOwnerID is the owner migrated from; "" when not migrating.
	oldOwnerID string
	mapper     NameMapper
	sealer     *sealer // nil without a key
	encrypt    bool    // write encrypted values

	// mu guards state and serialises ApplyChanges, whose changes are
	// computed from state and written back into it.
	mu    sync.Mutex
	state *snapshot // nil until the first Records
	// spare is the snapshot state replaced, whose memory the next read
	// reuses, for spareFor after it was replaced; reading counts the
	// reads under way. Reusing it spares a read about 290 bytes a record
	// of allocation (Reconcile100k/steady: 50 -> 22 MB at 10^5); keeping
	// it costs some 500 bytes a record (ConvergedHeap10k/reread), which
	// at rest, between reads an hour or a minute apart, would be for
	// nothing.
	spare        *snapshot
	reading      int
	spareFor     time.Duration
	spareUntil   time.Time
	spareTimer   *time.Timer
	spareDropped func()
	// applied counts committed ApplyChanges calls, so a Records that read
	// the zone before one of them does not install its older view.
	applied uint64
}

var _ registry.Registry = (*Registry)(nil)

// New returns a TXT registry over p.
func New(p provider.Provider, cfg Config) (*Registry, error) {
	if cfg.OwnerID == "" {
		return nil, errors.New("txt registry: owner id must not be empty")
	}
	m, err := NewNameMapper(cfg.Prefix, cfg.Suffix, cfg.WildcardReplacement)
	if err != nil {
		return nil, fmt.Errorf("txt registry: %w", err)
	}
	if cfg.OldOwnerID == cfg.OwnerID {
		// Migrating from ourselves is no migration.
		cfg.OldOwnerID = ""
	}
	p = CacheRecords(p, cfg.CacheInterval, cfg.Now)
	r := &Registry{provider: p, former: formerOf(p), ownerID: cfg.OwnerID, oldOwnerID: cfg.OldOwnerID, mapper: m, spareFor: cfg.SpareFor, spareDropped: cfg.SpareDropped}
	if r.spareFor == 0 {
		r.spareFor = DefaultSpareFor
	}
	if len(cfg.EncryptKey) > 0 {
		key, err := ParseAESKey(cfg.EncryptKey)
		if err != nil {
			return nil, fmt.Errorf("txt registry: %w", err)
		}
		if r.sealer, err = newSealer(key); err != nil {
			return nil, fmt.Errorf("txt registry: %w", err)
		}
		r.encrypt = !cfg.DecryptOnly
	} else if cfg.DecryptOnly {
		return nil, errors.New("txt registry: decrypt-only needs an encryption key")
	}
	return r, nil
}

// keepSpare keeps s as the spare until spareFor has passed with no read
// taking it. Called with mu held.
func (r *Registry) keepSpare(s *snapshot) {
	r.spare = s
	if s == nil {
		return
	}
	r.spareUntil = time.Now().Add(r.spareFor)
	if r.spareTimer == nil {
		r.spareTimer = time.AfterFunc(r.spareFor, r.dropSpare)
		return
	}
	r.spareTimer.Reset(r.spareFor)
}

// dropSpare lets the spare go once no read came for it in time. A timer
// that fired just as a newer spare was kept waits for that one's time.
func (r *Registry) dropSpare() {
	r.mu.Lock()
	if left := time.Until(r.spareUntil); left > 0 {
		r.spareTimer.Reset(left)
		r.mu.Unlock()
		return
	}
	dropped := r.spare != nil
	r.spare = nil
	// The working lists the live snapshot keeps for when it is the spare
	// go too: a read that comes now allocates anew.
	if r.state != nil {
		r.state.others, r.state.succ, r.state.filing = nil, nil, nil
	}
	r.mu.Unlock()
	if dropped && r.spareDropped != nil {
		r.spareDropped()
	}
}

// OwnerID returns the owner this registry writes.
func (r *Registry) OwnerID() string { return r.ownerID }

// AdjustEndpoints lets the provider adjust the desired records, then holds
// those whose ownership record cannot be written: a TXT or CNAME record
// whose name is some record's ownership record name, and records whose
// ownership record the provider cannot store (see OwnershipFormer). A held
// endpoint freezes its name in the plan and carries the reason.
func (r *Registry) AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	out, err := r.provider.AdjustEndpoints(eps)
	if err != nil {
		return nil, err
	}
	// The snapshot is read under the lock: ApplyChanges updates it.
	r.mu.Lock()
	defer r.mu.Unlock()
	snap := r.state
	desired := r.desiredKeys(out)
	for i, ep := range out {
		if ep.Held() {
			continue
		}
		reason := r.reservedBy(ep, snap, desired)
		if reason == "" && r.former != nil {
			if _, _, ferr := r.former.OwnershipForm(ep); ferr != nil {
				reason = "its ownership record cannot be written: " + ferr.Error()
			}
		}
		if reason != "" {
			held := ep.DeepCopy()
			held.WithLabel(endpoint.HoldLabel, "txt registry: "+ep.Key().String()+": "+reason)
			out[i] = held
		}
	}
	return out, nil
}

// Records returns the provider's records, with the owner, resource and other
// labels of their ownership records, and without the ownership records.
func (r *Registry) Records(ctx context.Context) ([]*endpoint.Endpoint, error) {
	r.mu.Lock()
	generation := r.applied
	prev := r.state
	r.reading++
	// The snapshot before prev is unused unless another read is under
	// way (which may be reading it as its prev): reuse its memory.
	spare := r.spare
	if r.reading > 1 {
		spare = nil
	}
	r.spare = nil
	r.mu.Unlock()
	done := false
	defer func() {
		if !done {
			r.mu.Lock()
			r.reading--
			r.mu.Unlock()
		}
	}()
	records, err := r.provider.Records(ctx)
	if err != nil {
		return nil, fmt.Errorf("txt registry: %w", err)
	}
	snap := spare
	if snap == nil {
		snap = &snapshot{
			typed:  newOwnerIndex(len(records) / 2),
			legacy: make(map[nameKey]*ownership),
			cnames: make(map[endpoint.Key]bool),
		}
	}
	snap.seen = slices.Grow(snap.seen[:0], len(records))
	for _, rec := range records {
		snap.seen = append(snap.seen, recordKey{rec.DNSName, rec.RecordType, rec.SetIdentifier})
	}
	snap.at = slices.Grow(snap.at[:0], len(records))[:len(records)] // recycle cleared it
	w := newWalk(prev, snap.succ)
	others := slices.Grow(snap.others[:0], len(records))
	arena := &snap.arena
	var foreign []*ownership // ownership records this mapper cannot place
	// Nothing below reads this read's index before the loop ends.
	filing := slices.Grow(snap.filing[:0], len(records)/2)
	for j, rec := range records {
		if rec.RecordType == endpoint.RecordTypeTXT {
			if o := r.reread(w, j, rec, arena); o != nil {
				o.pos, snap.at[j] = int32(j), o
				filing.add(&snap.typed, endpoint.Key{DNSName: o.name, RecordType: o.recordType, SetIdentifier: rec.SetIdentifier}, o)
				continue
			}
			if o := r.readOwnership(rec, arena); o != nil {
				name, recordType := r.mapper.ToEndpointName(rec.DNSName)
				switch {
				case name == "":
					// Ours in form but naming nothing this mapper writes:
					// hidden all the same, as upstream hides it.
					foreign = append(foreign, o)
				case recordType == "":
					snap.legacy[nameKey{name, rec.SetIdentifier}] = o
				default:
					o.pos, snap.at[j] = int32(j), o
					filing.add(&snap.typed, endpoint.Key{DNSName: name, RecordType: recordType, SetIdentifier: rec.SetIdentifier}, o)
				}
				continue
			}
			r.noteUnreadable(snap, rec)
		}
		if rec.RecordType == endpoint.RecordTypeCNAME {
			snap.cnames[r.lookupKey(rec)] = true
		}
		others = append(others, other{rec: rec, pos: int32(j), was: w.foundBefore(j, rec)})
	}
	w.duplicates = filing.fileInto(&snap.typed)

	// Returned records are copies: providers may cache what they return,
	// and labels written into a cached record would survive the deletion
	// of its ownership record.
	copies := make([]endpoint.Endpoint, len(others))
	out := make([]*endpoint.Endpoint, len(others))
	var unowned []*endpoint.Endpoint
	for i, ot := range others {
		rec := ot.rec
		c := &copies[i]
		*c = *rec
		o, kind := w.foundAgain(ot.was), outdated
		if o == nil {
			o, kind = snap.find(r.lookupKey(rec), rec)
		}
		if o != nil && kind == outdated {
			snap.at[ot.pos] = o
		}
		c.Labels = attachLabels(rec.Labels, o)
		switch {
		case o == nil:
			unowned = append(unowned, c)
		case !o.ownedBy(r.ownerID):
			o.used = true
		case kind != outdated:
			o.used = true
			snap.pending = append(snap.pending, pendingRecord{key: r.lookupKey(rec), record: pendingCopy(c), base: o, kind: kind})
		default:
			o.used = true
			if o.migrated || r.outdated(o, c) {
				snap.pending = append(snap.pending, pendingRecord{key: r.lookupKey(rec), record: pendingCopy(c), base: o, kind: outdated})
			}
		}
		out[i] = c
	}
	r.explainUnowned(snap, unowned, foreign)
	// Kept for the read that reuses this snapshot, once it is the spare
	// (recycle clears them), until dropSpare lets them go. others only
	// for its room: its entries point at the provider's records, which
	// the snapshot would otherwise keep alive beside the copies returned
	// (128 bytes a record until the next read).
	if r.spareFor > 0 {
		clear(others)
		snap.others, snap.succ, snap.filing = others, w.succ, filing
	}

	r.mu.Lock()
	done = true
	r.reading--
	if r.state == nil || r.applied == generation {
		if r.reading == 0 && r.spareFor > 0 {
			// Emptied now, so it keeps no records alive until reused.
			r.keepSpare(r.state.recycle())
		}
		r.state = snap
	}
	r.mu.Unlock()
	return out, nil
}

// reread returns the ownership record of the previous read that rec, at
// position j of this one, is unchanged, as a new one of this read sharing
// its parsed labels (which no one modifies): a zone of many records would
// otherwise parse every ownership record again on every read. The
// previous read's record at the aligned position is tried first; failing
// that, the previous read's index. nil when there is none.
func (r *Registry) reread(w *walk, j int, rec *endpoint.Endpoint, arena *ownershipArena) *ownership {
	if w.prev == nil || len(rec.Targets) != 1 {
		return nil
	}
	o := w.alignedTXT(j)
	if o == nil || !sameTXT(o, rec) {
		name, recordType := r.mapper.ToEndpointName(rec.DNSName)
		if name == "" || recordType == "" {
			return nil
		}
		if o = w.prev.typed.get(endpoint.Key{DNSName: name, RecordType: recordType, SetIdentifier: rec.SetIdentifier}); o == nil || !sameTXT(o, rec) {
			return nil
		}
		w.realign(j, o)
	}
	n := arena.reuse(rec, o)
	w.reused(o, n)
	return n
}

// sameTXT reports whether rec is the TXT record o was read from, unchanged.
func sameTXT(o *ownership, rec *endpoint.Endpoint) bool {
	return o.parsed && o.txt != nil && len(o.txt.Targets) == 1 && o.txt.Targets[0] == rec.Targets[0] && o.txt.DNSName == rec.DNSName &&
		o.txt.SetIdentifier == rec.SetIdentifier &&
		o.txt.RecordTTL == rec.RecordTTL && o.txt.ProviderSpecific.Same(rec.ProviderSpecific)
}

// readOwnership returns the ownership record a TXT record is, or nil when
// its value is not one.
func (r *Registry) readOwnership(rec *endpoint.Endpoint, arena *ownershipArena) *ownership {
	if len(rec.Targets) == 0 {
		return nil
	}
	value := rec.Targets[0]
	if r.sealer != nil {
		if text, nonce, err := r.sealer.open(value); err == nil {
			// Decrypted but not ownership text is not ownership, and
			// not plain text either.
			labels, err := ParseLabels(text)
			if err != nil {
				return nil
			}
			return r.adopt(arena.add(rec, text, nonce, labels))
		}
	}
	labels, err := ParseLabels(value)
	if err != nil {
		return nil
	}
	return r.adopt(arena.add(rec, value, nil, labels))
}

// adopt takes over an ownership record of the owner we migrate from
// (--migrate-from-txt-owner): it reads as ours from here on, and is
// rewritten with our owner by the next ApplyChanges.
//
// Our own owner is kept as r.ownerID itself, one string for every record:
// "is it ours" is then decided without reading the parsed text, which at
// 10^5 records was a cache miss each in every plan.
func (r *Registry) adopt(o *ownership) *ownership {
	switch {
	case o.owner == r.ownerID:
		o.owner = r.ownerID
		o.labels.Set(endpoint.OwnerLabel, r.ownerID)
	case r.oldOwnerID != "" && o.owner == r.oldOwnerID:
		o.owner = r.ownerID
		o.labels.Set(endpoint.OwnerLabel, r.ownerID)
		o.migrated = true
	}
	return o
}

// attachLabels returns the labels of a returned record: the provider's own
// labels, overlaid with the ownership labels. Without an ownership record
// the record has no owner, whatever the provider said.
func attachLabels(own endpoint.Labels, o *ownership) endpoint.Labels {
	if o == nil {
		own.Delete(endpoint.OwnerLabel)
		return own
	}
	// Labels are never changed in place, so every record found through o
	// shares its labels: no copy per record.
	return own.Merge(o.labels)
}

// pendingCopy keeps what a migration needs of a record, independent of
// whatever the caller later does to the returned one.
func pendingCopy(c *endpoint.Endpoint) *endpoint.Endpoint {
	return &endpoint.Endpoint{
		DNSName:          c.DNSName,
		RecordType:       c.RecordType,
		SetIdentifier:    c.SetIdentifier,
		RecordTTL:        c.RecordTTL,
		Labels:           c.Labels,
		ProviderSpecific: c.ProviderSpecific,
	}
}

// lookupKey is the key under which a record's ownership record is filed.
// The type is the record's own, for AWS alias records too, as upstream
// names them since v0.22 ("a-" and "aaaa-"); see find for the older
// "cname-" form, which is still read.
func (r *Registry) lookupKey(ep *endpoint.Endpoint) endpoint.Key {
	return endpoint.Key{
		DNSName:       r.mapper.LookupName(ep.DNSName),
		RecordType:    ep.RecordType,
		SetIdentifier: ep.SetIdentifier,
	}
}

// isAlias reports an AWS alias A or AAAA record: the alias property is
// "true", or names the record's type in upstream versions that let it
// pick the alias type.
func isAlias(ep *endpoint.Endpoint) bool {
	if ep.RecordType != endpoint.RecordTypeA && ep.RecordType != endpoint.RecordTypeAAAA {
		return false
	}
	v, _ := ep.ProviderSpecific.Get("alias")
	return v == "true" || v == ep.RecordType
}
