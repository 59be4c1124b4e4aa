package txt

import "github.com/exodns/exodns/internal/endpoint"

// ownership is one ownership TXT record as found in the zone.
type ownership struct {
	txt    *endpoint.Endpoint // exactly as the provider returned it, to delete or update it
	owner  string
	text   string // the label text it carries, decrypted if it was encrypted
	nonce  []byte // the nonce it was encrypted under; nil when plain text
	labels endpoint.Labels
	// parsed is set when labels were read from the record's text; ownership
	// records ApplyChanges made keep no labels.
	parsed bool
	// used is set once a record was found through it; unused ones explain
	// records that look unowned (see notes.go).
	used bool
	// migrated is set on a record of the owner we migrate from, taken
	// over as ours; it is rewritten with our owner.
	migrated bool

	// The key it is filed under in its snapshot's ownerIndex, and the
	// next record filed at the same name.
	filed                 bool
	name, recordType, set string
	next                  *ownership
	// pos is the position in the provider's records of the TXT record it
	// was read from; -1 when ApplyChanges made it.
	pos int32
}

func (o *ownership) ownedBy(owner string) bool { return o != nil && o.owner == owner }

// nameKey identifies a legacy, type-less ownership record.
type nameKey struct{ name, setIdentifier string }

// snapshot is what Records saw, kept so ApplyChanges deletes and updates the
// ownership records that really exist rather than ones it would have written.
type snapshot struct {
	typed  ownerIndex // keyed by the record's lookupKey
	legacy map[nameKey]*ownership
	// cnames are the CNAME records' keys: a "cname-" ownership record
	// at such a key belongs to the CNAME, not to an alias.
	cnames map[endpoint.Key]bool
	// pending are records of ours whose ownership record must be
	// rewritten, even with nothing else to change: found through a
	// legacy record only, or in an outdated form. The next ApplyChanges
	// does it.
	pending []pendingRecord
	// undecryptable are TXT records at ownership names whose value could
	// not be read, by the record key they would own.
	undecryptable map[endpoint.Key]string
	// arena holds the ownership records above.
	arena ownershipArena

	// seen are the keys of the provider's records as read, in its order
	// (keys only: the provider's records may be copies no one else keeps,
	// and the copies Records returns are the caller's, to change while
	// another read runs; TestCallerOwnsReturnedRecords), and at says
	// for each what the read made of it: for a TXT record, the typed
	// ownership record it is; for another, the typed ownership record it
	// was found through; else nil. The next read walks its records
	// alongside these (providers list in a stable order), so a record
	// unchanged since is matched without a probe into a map of 10^5 keys.
	seen []recordKey
	at   []*ownership
	// others, succ and filing are the memory of a read's working lists,
	// kept for the read that reuses this snapshot.
	others []other
	succ   []*ownership
	filing deferredFiling
}

// recordKey is a record's name, type and set identifier as the provider
// gave them.
type recordKey struct{ name, recordType, set string }

// recycle empties s for another read, keeping its maps and arena; nil
// stays nil.
func (s *snapshot) recycle() *snapshot {
	if s == nil {
		return nil
	}
	s.typed.reset()
	clear(s.legacy)
	clear(s.cnames)
	s.pending, s.undecryptable = nil, nil
	s.arena.reset()
	clear(s.seen[:cap(s.seen)])
	clear(s.at[:cap(s.at)]) // all of it: the next read takes what it needs unset
	clear(s.others[:cap(s.others)])
	clear(s.succ[:cap(s.succ)])
	clear(s.filing[:cap(s.filing)])
	s.seen, s.at, s.others, s.succ, s.filing = s.seen[:0], s.at[:0], s.others[:0], s.succ[:0], s.filing[:0]
	return s
}

type nameType struct{ name, recordType string }

// pendingKind says why a record's ownership record is rewritten.
type pendingKind uint8

const (
	// fromLegacy: owned through a type-less legacy record only.
	fromLegacy pendingKind = iota
	// fromAliasCNAME: an alias record owned through the "cname-" record
	// upstream wrote before v0.22, which is replaced.
	fromAliasCNAME
	// outdated: the ownership record exists in an older form (TTL,
	// routing) than the provider wants; it is rewritten in place.
	outdated
)

type pendingRecord struct {
	key    endpoint.Key
	record *endpoint.Endpoint
	base   *ownership // the ownership record it was found through
	kind   pendingKind
}

// ownershipArena allocates ownership records in blocks: a zone of many
// records would otherwise cost one allocation each on every Records.
type ownershipArena struct {
	block  []ownership
	blocks [][]ownership // every block; kept for reuse once recycled
	next   int           // the block to use when block is full
}

// grow moves to the next block, reusing a kept one if there is one.
func (a *ownershipArena) grow() {
	if a.next < len(a.blocks) {
		a.block = a.blocks[a.next][:0]
	} else {
		a.block = make([]ownership, 0, 512)
		a.blocks = append(a.blocks, a.block)
	}
	a.next++
}

// reset makes every block free again.
func (a *ownershipArena) reset() {
	for _, b := range a.blocks {
		clear(b[:cap(b)])
	}
	a.block, a.next = nil, 0
}

// reuse files o, read before, again as rec: the same text and labels.
func (a *ownershipArena) reuse(rec *endpoint.Endpoint, o *ownership) *ownership {
	if len(a.block) == cap(a.block) {
		a.grow()
	}
	a.block = a.block[:len(a.block)+1]
	n := &a.block[len(a.block)-1]
	*n = ownership{txt: rec, owner: o.owner, text: o.text, nonce: o.nonce, labels: o.labels, parsed: o.parsed, migrated: o.migrated,
		name: o.name, recordType: o.recordType, set: o.set, pos: -1}
	return n
}

func (a *ownershipArena) add(rec *endpoint.Endpoint, text string, nonce []byte, labels endpoint.Labels) *ownership {
	if len(a.block) == cap(a.block) {
		a.grow()
	}
	a.block = a.block[:len(a.block)+1]
	o := &a.block[len(a.block)-1]
	// The nonce label is bookkeeping kept here; records do not carry it.
	labels.Delete(endpoint.NonceLabel)
	*o = ownership{txt: rec, owner: labels.Get(endpoint.OwnerLabel), text: text, nonce: nonce, labels: labels, parsed: true, pos: -1}
	return o
}

// find returns the ownership record of rec, whose lookup key is k, and how
// it was found: "outdated" stands for a current, typed record (whose form
// may or may not be outdated). An AWS alias record with no typed record is
// owned through the "cname-" record upstream wrote for aliases before
// v0.22, unless a real CNAME holds that key. A legacy record covers every
// type at its name except AAAA: type-less records predate AAAA support,
// so, like upstream, exodns does not let them claim AAAA records someone
// else may have made.
func (s *snapshot) find(k endpoint.Key, rec *endpoint.Endpoint) (*ownership, pendingKind) {
	if o := s.typed.get(k); o != nil {
		return o, outdated
	}
	if isAlias(rec) {
		ck := endpoint.Key{DNSName: k.DNSName, RecordType: endpoint.RecordTypeCNAME, SetIdentifier: k.SetIdentifier}
		if o := s.typed.get(ck); o != nil && !s.cnames[ck] {
			return o, fromAliasCNAME
		}
	}
	if rec.RecordType == endpoint.RecordTypeAAAA {
		return nil, fromLegacy
	}
	if o := s.legacy[nameKey{k.DNSName, k.SetIdentifier}]; o != nil {
		return o, fromLegacy
	}
	return nil, fromLegacy
}
