// Package endpoint holds the record model every other package speaks: a DNS
// name with its targets, type, routing identity and ownership labels.
//
// The JSON field names are those of upstream external-dns's webhook protocol,
// so an Endpoint marshals to exactly what webhook providers already accept.
package endpoint

import (
	"fmt"
	"slices"
	"strings"
)

// Record types exodns understands.
const (
	RecordTypeA     = "A"
	RecordTypeAAAA  = "AAAA"
	RecordTypeCNAME = "CNAME"
	RecordTypeTXT   = "TXT"
	RecordTypeSRV   = "SRV"
	RecordTypeNS    = "NS"
	RecordTypeMX    = "MX"
	RecordTypePTR   = "PTR"
	RecordTypeNAPTR = "NAPTR"
	RecordTypeCAA   = "CAA"
)

// KnownRecordTypes lists every type accepted by Validate.
var knownRecordTypes = []string{
	RecordTypeA, RecordTypeAAAA, RecordTypeCNAME, RecordTypeTXT, RecordTypeSRV,
	RecordTypeNS, RecordTypeMX, RecordTypePTR, RecordTypeNAPTR, RecordTypeCAA,
}

// KnownRecordTypes returns the record types exodns can manage.
func KnownRecordTypes() []string { return slices.Clone(knownRecordTypes) }

// IsKnownRecordType reports whether t (upper case) is a managed type.
func IsKnownRecordType(t string) bool { return slices.Contains(knownRecordTypes, t) }

// TTL is a record TTL in seconds; zero means "not configured", which lets the
// provider pick its default and keeps the plan from rewriting records whose TTL
// nobody asked for.
type TTL int64

// IsConfigured reports whether a TTL was set explicitly.
func (t TTL) IsConfigured() bool { return t > 0 }

// MaxTTL is the largest TTL RFC 2181 allows.
const MaxTTL = 2147483647

// Targets are the record data values, one per resource record.
type Targets []string

// Same reports whether two target lists hold the same values, ignoring order
// and the case of hostnames.
func (t Targets) Same(o Targets) bool {
	if len(t) != len(o) {
		return false
	}
	a, b := t.normalized(), o.normalized()
	return slices.Equal(a, b)
}

func (t Targets) normalized() []string {
	out := make([]string, len(t))
	for i, v := range t {
		out[i] = strings.ToLower(strings.TrimSuffix(v, "."))
	}
	slices.Sort(out)
	return out
}

// ProviderSpecificProperty is one provider-specific setting, such as aws/weight.
type ProviderSpecificProperty struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ProviderSpecific holds a record's provider-specific settings.
type ProviderSpecific []ProviderSpecificProperty

// Get returns the value of the named property.
func (p ProviderSpecific) Get(name string) (string, bool) {
	for _, v := range p {
		if v.Name == name {
			return v.Value, true
		}
	}
	return "", false
}

// Set replaces or appends the named property.
func (p *ProviderSpecific) Set(name, value string) {
	for i := range *p {
		if (*p)[i].Name == name {
			(*p)[i].Value = value
			return
		}
	}
	*p = append(*p, ProviderSpecificProperty{Name: name, Value: value})
}

// Same reports whether both hold the same name/value pairs in any order.
func (p ProviderSpecific) Same(o ProviderSpecific) bool {
	if len(p) != len(o) {
		return false
	}
	return slices.Equal(p.sorted(), o.sorted())
}

func (p ProviderSpecific) sorted() []ProviderSpecificProperty {
	s := slices.Clone(p)
	slices.SortFunc(s, func(a, b ProviderSpecificProperty) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	return s
}

// Label keys with a meaning to exodns. They are the keys upstream writes into
// its ownership TXT records, so they must not change.
const (
	OwnerLabel    = "owner"
	ResourceLabel = "resource"
	// OwnedRecordLabel names the record an ownership TXT belongs to.
	OwnedRecordLabel = "ownedRecord"
	// NonceLabel keeps the AES-GCM nonce of an encrypted TXT, so a rewrite of
	// an unchanged record produces the same ciphertext.
	NonceLabel = "txt-encryption-nonce"
	// HoldLabel marks an endpoint a source could not build because its
	// input was invalid. It asks for nothing to change at its name: the
	// record that exists stays as it is, and none is created. Without it,
	// a typo in an annotation would read as "this record is no longer
	// wanted" and delete a live record. The value says why.
	HoldLabel = "exodns/hold"
	// OwnershipNoteLabel is set by the TXT registry on a record it found
	// no usable ownership record for, saying what it found instead (one
	// under another prefix, or one it could not decrypt), so "owned by
	// nobody" can say why.
	OwnershipNoteLabel = "exodns/ownership-note"
)

// Endpoint is one record set: a name, a type, and its targets.
//
// DNSName is kept lowercase, in punycode, without a trailing dot, because that
// is how upstream's webhook protocol and TXT registry carry names.
type Endpoint struct {
	DNSName          string           `json:"dnsName,omitempty"`
	Targets          Targets          `json:"targets,omitempty"`
	RecordType       string           `json:"recordType,omitempty"`
	SetIdentifier    string           `json:"setIdentifier,omitempty"`
	RecordTTL        TTL              `json:"recordTTL,omitempty"`
	Labels           Labels           `json:"labels,omitzero"`
	ProviderSpecific ProviderSpecific `json:"providerSpecific,omitempty"`
}

// New returns an endpoint with the given name, type and targets.
func New(name, recordType string, targets ...string) *Endpoint {
	return &Endpoint{DNSName: name, RecordType: recordType, Targets: targets}
}

// WithTTL sets the TTL and returns the endpoint, for concise construction.
func (e *Endpoint) WithTTL(ttl TTL) *Endpoint { e.RecordTTL = ttl; return e }

// WithSetIdentifier sets the set identifier and returns the endpoint.
func (e *Endpoint) WithSetIdentifier(id string) *Endpoint { e.SetIdentifier = id; return e }

// WithLabel sets one label and returns the endpoint.
func (e *Endpoint) WithLabel(k, v string) *Endpoint {
	e.Labels.Set(k, v)
	return e
}

// WithProviderSpecific sets one provider-specific property and returns the endpoint.
func (e *Endpoint) WithProviderSpecific(name, value string) *Endpoint {
	e.ProviderSpecific.Set(name, value)
	return e
}

// Key identifies a record set: two endpoints with the same key describe the
// same set and cannot both exist.
type Key struct {
	DNSName       string
	RecordType    string
	SetIdentifier string
}

// String renders the key for logs and errors.
func (k Key) String() string {
	if k.SetIdentifier == "" {
		return k.DNSName + "/" + k.RecordType
	}
	return k.DNSName + "/" + k.RecordType + "/" + k.SetIdentifier
}

// Key returns the endpoint's identity.
func (e *Endpoint) Key() Key {
	return Key{DNSName: e.DNSName, RecordType: e.RecordType, SetIdentifier: e.SetIdentifier}
}

// Held reports whether the endpoint only holds its name (see HoldLabel).
func (e *Endpoint) Held() bool { return e.Labels.Has(HoldLabel) }

// Resource returns the object the endpoint came from, as kind/namespace/name.
func (e *Endpoint) Resource() string { return e.Labels.Get(ResourceLabel) }

// DeepCopy returns an independent copy.
func (e *Endpoint) DeepCopy() *Endpoint {
	c := *e
	c.Targets = slices.Clone(e.Targets)
	// Labels are never changed in place, so the copy shares them.
	c.ProviderSpecific = slices.Clone(e.ProviderSpecific)
	return &c
}

// String renders the endpoint for logs.
func (e *Endpoint) String() string {
	s := fmt.Sprintf("%s %d IN %s %s", e.DNSName, e.RecordTTL, e.RecordType, strings.Join(e.Targets, ","))
	if e.SetIdentifier != "" {
		s += " set=" + e.SetIdentifier
	}
	return s
}
