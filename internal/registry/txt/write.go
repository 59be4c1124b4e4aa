package txt

import (
	"errors"
	"fmt"

	"github.com/exodns/exodns/internal/endpoint"
)

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
	for k, v := range ep.Labels.All() {
		labels.Set(k, v)
	}
	// Bookkeeping and notes of this process, not ownership.
	labels.Delete(endpoint.NonceLabel)
	labels.Delete(endpoint.OwnershipNoteLabel)
	labels.Delete(endpoint.HoldLabel)
	labels.Set(endpoint.OwnerLabel, r.ownerID)
	text := SerializeLabels(labels)

	value := quote(text)
	// The text kept is the value's own, not a second copy of it.
	text = value[1 : len(value)-1]
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
		Labels:        endpoint.NewLabels(endpoint.OwnedRecordLabel, ep.DNSName),
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
