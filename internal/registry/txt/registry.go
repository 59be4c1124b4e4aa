package txt

import (
	"context"
	"errors"
	"fmt"
	"sync"

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
}

// Registry keeps ownership in TXT records next to the records they own.
type Registry struct {
	provider provider.Provider
	ownerID  string
	mapper   NameMapper
	sealer   *sealer // nil without a key
	encrypt  bool    // write encrypted values

	// mu guards state and serialises ApplyChanges, whose changes are
	// computed from state and written back into it.
	mu    sync.Mutex
	state *snapshot // nil until the first Records
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
	r := &Registry{provider: p, ownerID: cfg.OwnerID, mapper: m}
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

// OwnerID returns the owner this registry writes.
func (r *Registry) OwnerID() string { return r.ownerID }

// AdjustEndpoints leaves adjustment to the provider: ownership adds nothing
// to the desired records.
func (r *Registry) AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	return r.provider.AdjustEndpoints(eps)
}

// ownership is one ownership TXT record as found in the zone.
type ownership struct {
	txt    *endpoint.Endpoint // exactly as the provider returned it, to delete or update it
	owner  string
	text   string // the label text it carries, decrypted if it was encrypted
	nonce  []byte // the nonce it was encrypted under; nil when plain text
	labels endpoint.Labels
	// lent is set once labels has been handed to a returned record, after
	// which other records get a copy.
	lent bool
}

func (o *ownership) ownedBy(owner string) bool { return o != nil && o.owner == owner }

// nameKey identifies a legacy, type-less ownership record.
type nameKey struct{ name, setIdentifier string }

// snapshot is what Records saw, kept so ApplyChanges deletes and updates the
// ownership records that really exist rather than ones it would have written.
type snapshot struct {
	typed  map[endpoint.Key]*ownership // keyed by the record's lookupKey
	legacy map[nameKey]*ownership
	// pending are records owned by us through a legacy record only: the
	// next ApplyChanges gives them a current ownership record.
	pending []pendingRecord
}

type pendingRecord struct {
	key    endpoint.Key
	record *endpoint.Endpoint
	legacy *ownership
}

// Records returns the provider's records, with the owner, resource and other
// labels of their ownership records, and without the ownership records.
func (r *Registry) Records(ctx context.Context) ([]*endpoint.Endpoint, error) {
	r.mu.Lock()
	generation := r.applied
	r.mu.Unlock()
	records, err := r.provider.Records(ctx)
	if err != nil {
		return nil, fmt.Errorf("txt registry: %w", err)
	}
	snap := &snapshot{
		typed:  make(map[endpoint.Key]*ownership, len(records)/2),
		legacy: make(map[nameKey]*ownership),
	}
	others := make([]*endpoint.Endpoint, 0, len(records))
	var arena ownershipArena
	for _, rec := range records {
		if rec.RecordType == endpoint.RecordTypeTXT {
			if o := r.readOwnership(rec, &arena); o != nil {
				name, recordType := r.mapper.ToEndpointName(rec.DNSName)
				switch {
				case name == "":
					// Ours in form but naming nothing this mapper writes:
					// hidden all the same, as upstream hides it.
				case recordType == "":
					snap.legacy[nameKey{name, rec.SetIdentifier}] = o
				default:
					snap.typed[endpoint.Key{DNSName: name, RecordType: recordType, SetIdentifier: rec.SetIdentifier}] = o
				}
				continue
			}
		}
		others = append(others, rec)
	}

	// Returned records are copies: providers may cache what they return,
	// and labels written into a cached record would survive the deletion
	// of its ownership record.
	copies := make([]endpoint.Endpoint, len(others))
	out := make([]*endpoint.Endpoint, len(others))
	for i, rec := range others {
		c := &copies[i]
		*c = *rec
		key := r.lookupKey(rec)
		o, legacy := snap.find(key, rec.RecordType)
		c.Labels = attachLabels(rec.Labels, o)
		if legacy && o.ownedBy(r.ownerID) {
			snap.pending = append(snap.pending, pendingRecord{key: key, record: pendingCopy(c), legacy: o})
		}
		out[i] = c
	}

	r.mu.Lock()
	if r.state == nil || r.applied == generation {
		r.state = snap
	}
	r.mu.Unlock()
	return out, nil
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
			return arena.add(rec, text, nonce, labels)
		}
	}
	labels, err := ParseLabels(value)
	if err != nil {
		return nil
	}
	return arena.add(rec, value, nil, labels)
}

// ownershipArena allocates ownership records in blocks: a zone of many
// records would otherwise cost one allocation each on every Records.
type ownershipArena struct{ block []ownership }

func (a *ownershipArena) add(rec *endpoint.Endpoint, text string, nonce []byte, labels endpoint.Labels) *ownership {
	if len(a.block) == cap(a.block) {
		a.block = make([]ownership, 0, 512)
	}
	a.block = a.block[:len(a.block)+1]
	o := &a.block[len(a.block)-1]
	// The nonce label is bookkeeping kept here; records do not carry it.
	delete(labels, endpoint.NonceLabel)
	*o = ownership{txt: rec, owner: labels[endpoint.OwnerLabel], text: text, nonce: nonce, labels: labels}
	return o
}

// find returns the ownership record of the record with lookup key k, and
// whether it is a legacy one. A legacy record covers every type at its name
// except AAAA: type-less records predate AAAA support, so, like upstream,
// exodns does not let them claim AAAA records someone else may have made.
func (s *snapshot) find(k endpoint.Key, recordType string) (o *ownership, legacy bool) {
	if o := s.typed[k]; o != nil {
		return o, false
	}
	if recordType == endpoint.RecordTypeAAAA {
		return nil, false
	}
	if o := s.legacy[nameKey{k.DNSName, k.SetIdentifier}]; o != nil {
		return o, true
	}
	return nil, false
}

// attachLabels returns the labels of a returned record: the provider's own
// labels, overlaid with the ownership labels. Without an ownership record
// the record has no owner, whatever the provider said.
func attachLabels(own endpoint.Labels, o *ownership) endpoint.Labels {
	if o == nil {
		labels := own.Clone()
		if labels == nil {
			return endpoint.Labels{}
		}
		delete(labels, endpoint.OwnerLabel)
		return labels
	}
	if len(own) == 0 && !o.lent {
		o.lent = true
		return o.labels
	}
	labels := make(endpoint.Labels, len(own)+len(o.labels))
	for k, v := range own {
		labels[k] = v
	}
	for k, v := range o.labels {
		labels[k] = v
	}
	return labels
}

// pendingCopy keeps what a migration needs of a record, independent of
// whatever the caller later does to the returned one.
func pendingCopy(c *endpoint.Endpoint) *endpoint.Endpoint {
	return &endpoint.Endpoint{
		DNSName:          c.DNSName,
		RecordType:       c.RecordType,
		SetIdentifier:    c.SetIdentifier,
		RecordTTL:        c.RecordTTL,
		Labels:           c.Labels.Clone(),
		ProviderSpecific: c.ProviderSpecific,
	}
}

// lookupKey is the key under which a record's ownership record is filed.
func (r *Registry) lookupKey(ep *endpoint.Endpoint) endpoint.Key {
	return endpoint.Key{
		DNSName:       r.mapper.LookupName(ep.DNSName),
		RecordType:    ownershipType(ep),
		SetIdentifier: ep.SetIdentifier,
	}
}

// ownershipType is the type named in a record's ownership record. Upstream
// files AWS alias A records under CNAME (alias records were once CNAMEs),
// and existing zones depend on it. The alias property is "true", or "A" in
// upstream versions that let it pick the alias type.
func ownershipType(ep *endpoint.Endpoint) string {
	if ep.RecordType == endpoint.RecordTypeA {
		if v, _ := ep.ProviderSpecific.Get("alias"); v == "true" || v == endpoint.RecordTypeA {
			return endpoint.RecordTypeCNAME
		}
	}
	return ep.RecordType
}
