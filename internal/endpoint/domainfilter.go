package endpoint

import (
	"fmt"
	"regexp"
	"strings"
)

// DomainFilter decides which names exodns may touch, from
// --domain-filter, --exclude-domains, --regex-domain-filter and
// --regex-domain-exclusion. The zero value matches everything.
//
// A plain filter "example.com" matches the domain and every name below it;
// ".example.com" matches only names below it. Regex filters, when set,
// replace the plain ones, as upstream does.
type DomainFilter struct {
	Include      []string
	Exclude      []string
	RegexInclude *regexp.Regexp
	RegexExclude *regexp.Regexp
}

// NewDomainFilter normalises the plain filters and compiles the regexes.
func NewDomainFilter(include, exclude []string, regexInclude, regexExclude string) (DomainFilter, error) {
	f := DomainFilter{Include: normalizeFilters(include), Exclude: normalizeFilters(exclude)}
	var err error
	if regexInclude != "" {
		if f.RegexInclude, err = regexp.Compile(regexInclude); err != nil {
			return f, fmt.Errorf("endpoint: --regex-domain-filter: %w", err)
		}
	}
	if regexExclude != "" {
		if f.RegexExclude, err = regexp.Compile(regexExclude); err != nil {
			return f, fmt.Errorf("endpoint: --regex-domain-exclusion: %w", err)
		}
	}
	return f, nil
}

func normalizeFilters(in []string) []string {
	var out []string
	for _, raw := range in {
		for _, d := range strings.Split(raw, ",") {
			d = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
			if d == "" {
				continue
			}
			lead := strings.HasPrefix(d, ".")
			if n, err := NormalizeName(strings.TrimPrefix(d, ".")); err == nil {
				d = n
				if lead {
					d = "." + n
				}
			}
			out = append(out, d)
		}
	}
	return out
}

// IsConfigured reports whether any filter is set.
func (f DomainFilter) IsConfigured() bool {
	return len(f.Include) > 0 || len(f.Exclude) > 0 || f.RegexInclude != nil || f.RegexExclude != nil
}

// Match reports whether the name may be managed.
func (f DomainFilter) Match(name string) bool {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if f.RegexInclude != nil || f.RegexExclude != nil {
		if f.RegexInclude != nil && !f.RegexInclude.MatchString(name) {
			return false
		}
		return f.RegexExclude == nil || !f.RegexExclude.MatchString(name)
	}
	if len(f.Include) > 0 && !matchAny(f.Include, name) {
		return false
	}
	return !matchAny(f.Exclude, name)
}

func matchAny(filters []string, name string) bool {
	for _, d := range filters {
		if MatchDomain(d, name) {
			return true
		}
	}
	return false
}

// MatchDomain reports whether name is filter or below it. A filter with a
// leading dot matches only names strictly below it.
func MatchDomain(filter, name string) bool {
	if sub, ok := strings.CutPrefix(filter, "."); ok {
		return strings.HasSuffix(name, "."+sub)
	}
	return name == filter || strings.HasSuffix(name, "."+filter)
}
