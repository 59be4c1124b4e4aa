package plan

import (
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
)

// defaultManagedTypes mirrors the default of --managed-record-types.
func defaultManagedTypes() []string {
	return []string{endpoint.RecordTypeA, endpoint.RecordTypeAAAA, endpoint.RecordTypeCNAME}
}

// scope decides which records a plan may look at. Everything outside it is
// invisible to create/update/delete, though the CNAME rule still sees it.
type scope struct {
	types    []string // few entries: a linear scan beats a map here
	filter   endpoint.DomainFilter
	filtered bool
}

func newScope(in Input) scope {
	managed := in.ManagedTypes
	if len(managed) == 0 {
		// An empty list is treated like an unset one: "manage nothing" is
		// spelled with --exclude-record-types, not with an empty flag.
		managed = defaultManagedTypes()
	}
	s := scope{filter: in.DomainFilter, filtered: in.DomainFilter.IsConfigured()}
	for _, t := range managed {
		t = strings.ToUpper(strings.TrimSpace(t))
		if t == "" || containsType(in.ExcludeTypes, t) || containsType(s.types, t) {
			continue
		}
		s.types = append(s.types, t)
	}
	return s
}

func containsType(list []string, t string) bool {
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), t) {
			return true
		}
	}
	return false
}

func (s *scope) contains(e *endpoint.Endpoint) bool {
	t := strings.ToUpper(e.RecordType)
	found := false
	for _, v := range s.types {
		if v == t {
			found = true
			break
		}
	}
	return found && (!s.filtered || s.filter.Match(e.DNSName))
}

// keyOf canonicalises the identity so that a provider reporting a name with
// a trailing dot or in upper case still lines up with the desired record.
// For names already in canonical form this does not allocate.
func keyOf(e *endpoint.Endpoint) endpoint.Key {
	return endpoint.Key{
		DNSName:       canonName(e.DNSName),
		RecordType:    canonType(e.RecordType),
		SetIdentifier: e.SetIdentifier,
	}
}

func canonName(n string) string { return strings.ToLower(strings.TrimSuffix(n, ".")) }

func canonType(t string) string { return strings.ToUpper(t) }

func isCNAME(e *endpoint.Endpoint) bool {
	return strings.EqualFold(e.RecordType, endpoint.RecordTypeCNAME)
}

func compareKeys(a, b endpoint.Key) int {
	if c := strings.Compare(a.DNSName, b.DNSName); c != 0 {
		return c
	}
	if c := strings.Compare(a.RecordType, b.RecordType); c != 0 {
		return c
	}
	return strings.Compare(a.SetIdentifier, b.SetIdentifier)
}
