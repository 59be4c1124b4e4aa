package dnsserver

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/miekg/dns"
)

// RRsetOrder is the order of the records of an RRset in answers. Resolvers
// and clients mostly use the first address, so a fixed order sends every
// client to the same one; rotating spreads them, as BIND and PowerDNS do.
type RRsetOrder string

const (
	// OrderFixed answers in the stored order, sorted: always the same.
	OrderFixed RRsetOrder = "fixed"
	// OrderCyclic rotates by one more each time. A cached answer (one
	// name and type) cycles through its rotations in turn; an answer that
	// is not cached takes the next step of one server-wide counter.
	OrderCyclic RRsetOrder = "cyclic"
	// OrderRandom starts at a random record each time.
	OrderRandom RRsetOrder = "random"
	// DefaultRRsetOrder is cyclic: it spreads load evenly even over a few
	// resolvers, where random can lump, and costs one atomic add.
	DefaultRRsetOrder = OrderCyclic
)

// ParseRRsetOrder reads --embedded-rrset-order; "" is the default.
func ParseRRsetOrder(s string) (RRsetOrder, error) {
	switch o := RRsetOrder(s); o {
	case "":
		return DefaultRRsetOrder, nil
	case OrderFixed, OrderCyclic, OrderRandom:
		return o, nil
	}
	return "", fmt.Errorf("dnsserver: rrset order %q: want fixed, cyclic or random", s)
}

// rotate rotates each RRset of the answer section in place, all by the
// same step: req.rot when the caller fixed it (the fast path fills the
// cache one rotation at a time), else the next step of the order. The
// number of distinct rotations, the size of the largest RRset, goes to
// req.nrot so the cache knows how many variants the answer has.
func (h *Handler) rotate(req *Request, answer []dns.RR) {
	req.nrot = 1
	n := largestRRset(answer)
	if h.order == OrderFixed || n < 2 {
		req.rot = 0
		return
	}
	req.nrot = n
	if req.rot < 0 || req.rot >= n {
		req.rot = h.step(n)
	}
	for i := 0; i < len(answer); {
		j := i + 1
		for j < len(answer) && sameRRset(answer[i], answer[j]) {
			j++
		}
		if l := j - i; l > 1 {
			rotateLeft(answer[i:j], req.rot%l)
		}
		i = j
	}
}

// step picks the next rotation out of n.
func (h *Handler) step(n int) int {
	if h.order == OrderRandom {
		return rand.IntN(n)
	}
	return int(h.cycle.Add(1) % uint64(n))
}

func rotateLeft(s []dns.RR, k int) {
	if k == 0 {
		return
	}
	slices.Reverse(s[:k])
	slices.Reverse(s[k:])
	slices.Reverse(s)
}

func sameRRset(a, b dns.RR) bool {
	ha, hb := a.Header(), b.Header()
	return ha.Rrtype == hb.Rrtype && ha.Name == hb.Name
}

// largestRRset returns the size of the largest run of one RRset.
func largestRRset(rrs []dns.RR) int {
	best := 0
	for i := 0; i < len(rrs); {
		j := i + 1
		for j < len(rrs) && sameRRset(rrs[i], rrs[j]) {
			j++
		}
		best = max(best, j-i)
		i = j
	}
	return best
}
