// Package annotations reads external-dns annotations into typed values.
//
// Nearly every existing manifest uses the external-dns.alpha.kubernetes.io/
// prefix, while upstream reads external-dns.kubernetes.io/ by default since
// v0.22; a drop-in successor has to accept both, so that is the default here.
package annotations

import (
	"slices"
	"sort"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
)

// The two prefixes read by default.
const (
	// PrefixAlpha is the prefix of almost every manifest in use.
	PrefixAlpha = "external-dns.alpha.kubernetes.io/"
	// PrefixStable is upstream's default since v0.22. When an object sets
	// the same name under both prefixes, the value under PrefixStable wins:
	// someone who adds the newer key to an object is migrating it, so the
	// newer key is the one they edit.
	PrefixStable = "external-dns.kubernetes.io/"
)

// Names of the core annotations, without prefix.
const (
	KeyHostname              = "hostname"
	KeyInternalHostname      = "internal-hostname"
	KeyTarget                = "target"
	KeyTTL                   = "ttl"
	KeyController            = "controller"
	KeyAccess                = "access"
	KeyEndpointsType         = "endpoints-type"
	KeyIngressHostnameSource = "ingress-hostname-source"
	KeyGatewayHostnameSource = "gateway-hostname-source"
	KeySetIdentifier         = "set-identifier"
	KeyAlias                 = "alias"
	KeyRecordType            = "record-type"
)

// Parser reads annotations under one or more prefixes, in priority order.
// The zero value reads both default prefixes, like NewParser("").
type Parser struct {
	prefixes []string
}

// NewParser returns a parser for --annotation-prefix. An empty prefix reads
// PrefixStable and PrefixAlpha; any other prefix is the only one read. A
// missing trailing slash is added, since a key is always prefix + name.
func NewParser(prefix string) Parser {
	prefix = strings.TrimSpace(prefix)
	if prefix == "" {
		return Parser{}
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return Parser{prefixes: []string{prefix}}
}

// Prefixes returns the prefixes read, the winning one first.
func (p Parser) Prefixes() []string {
	if len(p.prefixes) == 0 {
		return []string{PrefixStable, PrefixAlpha}
	}
	return slices.Clone(p.prefixes)
}

// Key returns the full key of name under the winning prefix, for messages.
func (p Parser) Key(name string) string { return p.Prefixes()[0] + name }

// Lookup returns the value of the named annotation and the full key it was
// read from, honouring prefix priority.
func (p Parser) Lookup(ann map[string]string, name string) (value, key string, ok bool) {
	for _, prefix := range p.Prefixes() {
		if v, found := ann[prefix+name]; found {
			return v, prefix + name, true
		}
	}
	return "", "", false
}

// entry is one annotation that survived prefix priority.
type entry struct {
	key   string
	value string
}

// collect strips the prefixes and keeps, per name, the annotation under the
// highest-priority prefix. A losing annotation with a different value is
// reported, because the user most likely expects it to count.
func (p Parser) collect(ann map[string]string) (map[string]entry, []error) {
	prefixes := p.Prefixes()
	keys := make([]string, 0, len(ann))
	for k := range ann {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	out := make(map[string]entry)
	rank := make(map[string]int)
	var errs []error
	for rk := 0; rk < len(prefixes); rk++ {
		for _, k := range keys {
			name, ok := strings.CutPrefix(k, prefixes[rk])
			if !ok || name == "" {
				continue
			}
			if win, taken := out[name]; taken && rank[name] < rk {
				if win.value != ann[k] {
					errs = append(errs, invalid(k, ann[k], "ignored: "+win.key+" is also set and takes precedence"))
				}
				continue
			}
			out[name] = entry{key: k, value: ann[k]}
			rank[name] = rk
		}
	}
	return out, errs
}

// Parse reads every annotation exodns understands. It returns all values it
// could read along with one *endpoint.ValidationError per bad annotation; a
// bad annotation leaves its field at the zero value and never hides the
// others, so the caller decides what to skip.
func (p Parser) Parse(ann map[string]string) (Values, []error) {
	entries, errs := p.collect(ann)
	var v Values
	var ps endpoint.ProviderSpecific

	names := make([]string, 0, len(entries))
	for name := range entries {
		names = append(names, name)
	}
	sort.Strings(names)

	for _, name := range names {
		e := entries[name]
		handled, err := v.setCore(name, e)
		if err != nil {
			errs = append(errs, err)
		}
		if handled {
			continue
		}
		psName, ok, err := providerSpecificName(name)
		switch {
		case err != nil:
			errs = append(errs, invalid(e.key, e.value, err.Error()))
		case ok:
			ps = append(ps, endpoint.ProviderSpecificProperty{Name: psName, Value: e.value})
		}
	}
	if v.Alias {
		ps = append(ps, endpoint.ProviderSpecificProperty{Name: AliasProperty, Value: "true"})
	}
	if v.RecordType != "" {
		ps = append(ps, endpoint.ProviderSpecificProperty{Name: RecordTypeProperty, Value: strings.ToLower(v.RecordType)})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Name < ps[j].Name })
	v.ProviderSpecific = ps
	return v, errs
}

func invalid(key, value, reason string) error {
	return &endpoint.ValidationError{Field: key, Value: value, Reason: reason}
}
