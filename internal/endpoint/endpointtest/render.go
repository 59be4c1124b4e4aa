// Package endpointtest holds helpers for tests that compare endpoints.
package endpointtest

import (
	"fmt"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
)

// Render writes each endpoint on one line, for tests to compare with the
// lines they expect:
//
//	name TYPE target,target [ttl=N] [set=ID] [prop=value ...] [label:value ...]
//
// The TTL and set identifier appear only when set; provider-specific
// properties in their order; the labels named in labels, in that order,
// when present. A held endpoint is "name HOLD". The order of eps is kept.
func Render(eps []*endpoint.Endpoint, labels ...string) []string {
	var out []string
	for _, e := range eps {
		out = append(out, Line(e, labels...))
	}
	return out
}

// Line renders one endpoint as Render does.
func Line(e *endpoint.Endpoint, labels ...string) string {
	if e.Held() {
		return e.DNSName + " HOLD"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", e.DNSName, e.RecordType, strings.Join(e.Targets, ","))
	if e.RecordTTL != 0 {
		fmt.Fprintf(&b, " ttl=%d", e.RecordTTL)
	}
	if e.SetIdentifier != "" {
		b.WriteString(" set=" + e.SetIdentifier)
	}
	for _, p := range e.ProviderSpecific {
		b.WriteString(" " + p.Name + "=" + p.Value)
	}
	for _, k := range labels {
		if v, ok := e.Labels.Lookup(k); ok {
			b.WriteString(" " + k + ":" + v)
		}
	}
	return b.String()
}
