package txt

import (
	"fmt"

	"github.com/exodns/exodns/internal/endpoint"
)

// Reader reads ownership TXT records the way the registry does, for other
// registries that take them over (--registry=dynamodb migrates them into
// its table). It needs the flags the TXT records were written with:
// --txt-prefix or --txt-suffix, --txt-wildcard-replacement, and the AES
// key when they are encrypted.
type Reader struct {
	mapper NameMapper
	sealer *sealer // nil without a key
}

// Owned is what one ownership record says: the record it owns and its
// labels. RecordType is empty for a legacy, type-less ownership record,
// which stands for every type at its name except AAAA. Name is in the
// form LookupName gives.
type Owned struct {
	Key    endpoint.Key
	Labels endpoint.Labels
}

// NewReader returns a reader for ownership records written with these
// flags; key may be nil.
func NewReader(prefix, suffix, wildcardReplacement string, key []byte) (*Reader, error) {
	m, err := NewNameMapper(prefix, suffix, wildcardReplacement)
	if err != nil {
		return nil, fmt.Errorf("txt reader: %w", err)
	}
	r := &Reader{mapper: m}
	if len(key) > 0 {
		k, err := ParseAESKey(key)
		if err != nil {
			return nil, fmt.Errorf("txt reader: %w", err)
		}
		if r.sealer, err = newSealer(k); err != nil {
			return nil, fmt.Errorf("txt reader: %w", err)
		}
	}
	return r, nil
}

// Read returns what rec says if it is an ownership record this reader can
// place, and false for every other record.
func (r *Reader) Read(rec *endpoint.Endpoint) (Owned, bool) {
	if rec.RecordType != endpoint.RecordTypeTXT || len(rec.Targets) == 0 {
		return Owned{}, false
	}
	text := rec.Targets[0]
	if r.sealer != nil {
		if plain, _, err := r.sealer.open(text); err == nil {
			text = plain
		}
	}
	labels, err := ParseLabels(text)
	if err != nil {
		return Owned{}, false
	}
	labels.Delete(endpoint.NonceLabel)
	name, recordType := r.mapper.ToEndpointName(rec.DNSName)
	if name == "" {
		return Owned{}, false
	}
	return Owned{Key: endpoint.Key{DNSName: name, RecordType: recordType, SetIdentifier: rec.SetIdentifier}, Labels: labels}, true
}

// LookupName is the name under which the ownership record of a record
// named name is filed: lower case, the wildcard replaced.
func (r *Reader) LookupName(name string) string { return r.mapper.LookupName(name) }

// IsOwnership reports whether rec is an ownership record at all, placed
// or not (so it is hidden, not shown as a record).
func (r *Reader) IsOwnership(rec *endpoint.Endpoint) bool {
	if rec.RecordType != endpoint.RecordTypeTXT || len(rec.Targets) == 0 {
		return false
	}
	text := rec.Targets[0]
	if r.sealer != nil {
		if plain, _, err := r.sealer.open(text); err == nil {
			text = plain
		}
	}
	_, err := ParseLabels(text)
	return err == nil
}
