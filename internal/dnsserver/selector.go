package dnsserver

import "github.com/miekg/dns"

// Selector chooses which records answer a query when endpoints with the
// same name and type differ by set identifier (weighted, failover, geo
// routing). It is called once per such RRset per query and must not modify
// what it is given. Returning no records answers NODATA for that type.
//
// Without a Selector the answer is the union of every set, which is what a
// resolver would see from a provider without routing policies.
type Selector interface {
	Select(req *Request, sets []RRSet) []dns.RR
}

// SelectorFunc adapts a function to Selector.
type SelectorFunc func(req *Request, sets []RRSet) []dns.RR

// Select calls f.
func (f SelectorFunc) Select(req *Request, sets []RRSet) []dns.RR { return f(req, sets) }
