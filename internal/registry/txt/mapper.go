// Package txt keeps ownership of DNS records in companion TXT records, in the
// format upstream external-dns writes, so that exodns and external-dns read
// each other's ownership and a cluster can switch between them either way.
package txt

import (
	"errors"
	"slices"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
)

// typeTemplate is the placeholder users put into --txt-prefix or
// --txt-suffix to choose where the record type goes.
const typeTemplate = "%{record_type}"

// NameMapper turns a record name and type into the name of its ownership TXT
// record, and back.
//
// The zero value maps with no prefix, no suffix and no wildcard replacement.
type NameMapper struct {
	prefix, suffix string
	wildcard       string
	// templated is set when an affix says where the type goes; otherwise
	// the type is put in front of the first label as "<type>-".
	templated bool
	// affixByType holds the templated affix already expanded for each type,
	// longest first, so that the reverse mapping prefers "aaaa" over "a".
	affixByType []typedAffix
	// legacyAffix is the affix of the type-less names written before the
	// type was part of the name: the affix with the template removed.
	legacyAffix string
	// suffixDots is how many extra labels the suffix adds to the first label.
	suffixDots int
}

type typedAffix struct {
	affix      string
	recordType string
}

// NewNameMapper returns the mapper for --txt-prefix, --txt-suffix and
// --txt-wildcard-replacement. Prefix and suffix exclude each other, as
// upstream's flags do. The affixes are lower-cased because DNS names compare
// case-insensitively and upstream stores them lower-cased.
func NewNameMapper(prefix, suffix, wildcardReplacement string) (NameMapper, error) {
	if prefix != "" && suffix != "" {
		return NameMapper{}, errors.New("txt prefix and txt suffix are mutually exclusive")
	}
	m := NameMapper{
		prefix:   strings.ToLower(prefix),
		suffix:   strings.ToLower(suffix),
		wildcard: strings.ToLower(wildcardReplacement),
	}
	affix := m.prefix + m.suffix // at most one is set
	m.suffixDots = strings.Count(m.suffix, ".")
	m.templated = strings.Contains(affix, typeTemplate)
	m.legacyAffix = affix
	if m.templated {
		m.legacyAffix = strings.ReplaceAll(affix, typeTemplate, "")
		for _, t := range endpoint.KnownRecordTypes() {
			m.affixByType = append(m.affixByType, typedAffix{
				affix:      strings.ReplaceAll(affix, typeTemplate, strings.ToLower(t)),
				recordType: t,
			})
		}
		slices.SortStableFunc(m.affixByType, func(a, b typedAffix) int { return len(b.affix) - len(a.affix) })
	}
	return m, nil
}

// ToTXTName returns the name of the ownership record of the record set
// (name, recordType).
//
// Like upstream, the record name keeps its case; only the affixes and the
// type are lower case. A name with a single label, such as a zone apex
// "example.com" (first label "example"), gets its affixes on that label,
// which puts the TXT record outside the zone unless the affix adds a label.
func (m NameMapper) ToTXTName(name, recordType string) string {
	first, rest, hasRest := strings.Cut(name, ".")
	t := strings.ToLower(recordType)
	if m.wildcard != "" && first == "*" {
		first = m.wildcard
	}
	prefix, suffix := m.prefix, m.suffix
	typeLabel := ""
	if m.templated {
		prefix = strings.ReplaceAll(prefix, typeTemplate, t)
		suffix = strings.ReplaceAll(suffix, typeTemplate, t)
	} else {
		typeLabel = t + "-"
	}

	var b strings.Builder
	b.Grow(len(prefix) + len(typeLabel) + len(name) + len(suffix) + len(m.wildcard) + 1)
	b.WriteString(prefix)
	b.WriteString(typeLabel)
	b.WriteString(first)
	b.WriteString(suffix)
	if hasRest {
		b.WriteByte('.')
		b.WriteString(rest)
	}
	return b.String()
}

// ToEndpointName maps an ownership record name back to the record name and
// type it covers. The name is lower-cased. A type-less (legacy) name gives
// an empty type; a name this mapper could not have written gives "", "".
//
// A wildcard record comes back with the replacement in place of "*": the
// mapping cannot tell the two apart, so callers compare against names with
// the same replacement applied (see LookupName).
func (m NameMapper) ToEndpointName(txtName string) (name, recordType string) {
	n := strings.ToLower(txtName)
	if m.suffix == "" {
		return m.dropPrefix(n)
	}
	// The suffix sits after the first label and may itself contain dots, so
	// the part it belongs to spans 1+suffixDots labels.
	head, rest, hasRest := cutLabels(n, 1+m.suffixDots)
	name, recordType = m.dropSuffix(head)
	if name == "" {
		return "", ""
	}
	if hasRest {
		name += "." + rest
	}
	return name, recordType
}

func (m NameMapper) dropPrefix(n string) (string, string) {
	if m.templated {
		for _, ta := range m.affixByType {
			if s, ok := strings.CutPrefix(n, ta.affix); ok {
				return nonEmpty(s, ta.recordType)
			}
		}
		if s, ok := strings.CutPrefix(n, m.legacyAffix); ok {
			return nonEmpty(s, "")
		}
		return "", ""
	}
	s, ok := strings.CutPrefix(n, m.prefix)
	if !ok {
		return "", ""
	}
	return splitTypeLabel(s)
}

func (m NameMapper) dropSuffix(head string) (string, string) {
	if m.templated {
		for _, ta := range m.affixByType {
			if s, ok := strings.CutSuffix(head, ta.affix); ok {
				return nonEmpty(s, ta.recordType)
			}
		}
		if s, ok := strings.CutSuffix(head, m.legacyAffix); ok {
			return nonEmpty(s, "")
		}
		return "", ""
	}
	s, ok := strings.CutSuffix(head, m.suffix)
	if !ok {
		return "", ""
	}
	return splitTypeLabel(s)
}

// LookupName is the form of a record name that ToEndpointName gives back for
// the record's ownership name: lower case, with a leading "*" replaced when a
// wildcard replacement is set.
func (m NameMapper) LookupName(name string) string {
	name = lowerASCII(name)
	if m.wildcard != "" {
		if rest, ok := strings.CutPrefix(name, "*."); ok {
			return m.wildcard + "." + rest
		}
		if name == "*" {
			return m.wildcard
		}
	}
	return name
}

// legacyTXTName is the type-less name written by external-dns before v0.12.
// exodns never writes it; it exists so tests can build legacy zones.
func (m NameMapper) legacyTXTName(name string) string {
	first, rest, hasRest := strings.Cut(name, ".")
	if m.wildcard != "" && first == "*" {
		first = m.wildcard
	}
	if m.suffix == "" {
		first = m.legacyAffix + first
	} else {
		first += m.legacyAffix
	}
	if hasRest {
		return first + "." + rest
	}
	return first
}

// splitTypeLabel splits "<type>-<name>" when <type> is a known record type,
// and otherwise returns the name as a legacy, type-less one.
func splitTypeLabel(s string) (string, string) {
	if tok, after, ok := strings.Cut(s, "-"); ok {
		if t := typeFromLower(tok); t != "" {
			return nonEmpty(after, t)
		}
	}
	return nonEmpty(s, "")
}

func nonEmpty(name, recordType string) (string, string) {
	if name == "" {
		return "", ""
	}
	return name, recordType
}

// cutLabels splits n after its first count labels.
func cutLabels(n string, count int) (head, rest string, hasRest bool) {
	i := 0
	for range count {
		j := strings.IndexByte(n[i:], '.')
		if j < 0 {
			return n, "", false
		}
		i += j + 1
	}
	return n[:i-1], n[i:], true
}

// typeFromLower returns the canonical record type for a lower-case type
// label, or "" when the label is not a type exodns manages. A switch keeps
// the reverse mapping free of allocations on the Records hot path.
func typeFromLower(s string) string {
	switch s {
	case "a":
		return endpoint.RecordTypeA
	case "aaaa":
		return endpoint.RecordTypeAAAA
	case "cname":
		return endpoint.RecordTypeCNAME
	case "txt":
		return endpoint.RecordTypeTXT
	case "srv":
		return endpoint.RecordTypeSRV
	case "ns":
		return endpoint.RecordTypeNS
	case "mx":
		return endpoint.RecordTypeMX
	case "ptr":
		return endpoint.RecordTypePTR
	case "naptr":
		return endpoint.RecordTypeNAPTR
	case "caa":
		return endpoint.RecordTypeCAA
	}
	return ""
}

// lowerASCII lower-cases ASCII letters, returning s itself (no allocation)
// when it has none, which is the normal case for names from providers.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
