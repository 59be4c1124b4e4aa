package dnsserver

import (
	"sync"

	"github.com/miekg/dns"
)

// Selector chooses which records answer a query when endpoints with the
// same name and type differ by set identifier (weighted, failover, geo
// routing). It is called once per such RRset per query and must not modify
// what it is given. Returning no records answers NODATA for that type.
//
// Without a Selector the answer is the union of every set, which is what a
// resolver would see from a provider without routing policies.
type Selector interface {
	Select(req *Request, r *Routed) []dns.RR
}

// SelectorFunc adapts a function to Selector.
type SelectorFunc func(req *Request, r *Routed) []dns.RR

// Select calls f.
func (f SelectorFunc) Select(req *Request, r *Routed) []dns.RR { return f(req, r) }

// Routed is the sets of one routed name and type in one version of its
// zone. It lives exactly as long as that version, so a Selector keeps what
// it works out from the sets (parsed policies, health lookups) in its memo
// instead of in a cache that would have to be invalidated.
type Routed struct {
	Name string // lowercase FQDN
	Type uint16
	Sets []RRSet // sorted by set identifier

	once sync.Once
	memo any
}

// Memo returns what f derives from r, computing it on first use only.
func (r *Routed) Memo(f func(*Routed) any) any {
	r.once.Do(func() { r.memo = f(r) })
	return r.memo
}
