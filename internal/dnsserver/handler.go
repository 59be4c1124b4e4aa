package dnsserver

import (
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// Handler answers queries from an Authority's current snapshot. It is the
// dns.Handler the Server runs; tests drive it directly.
type Handler struct {
	auth     *Authority
	selector Selector
	tsig     *TSIGKey
	bufSize  uint16
	order    RRsetOrder
	cookies  *cookieSecret
	notify   notifyPolicy
	metrics  *serverMetrics
	log      *slog.Logger
	tsigLog  *logLimiter
	now      func() time.Time
	cycle    atomic.Uint64 // OrderCyclic's server-wide step

	// updateKeys may send RFC 2136 updates (update.go).
	updateKeys []UpdateKey
}

// NewHandler returns a handler for auth with cfg's answering settings.
func NewHandler(auth *Authority, cfg Config) *Handler {
	cfg = cfg.withDefaults()
	return &Handler{
		auth: auth, selector: cfg.Selector, tsig: cfg.TSIG, updateKeys: cfg.UpdateKeys, bufSize: cfg.EDNSBufferSize, order: cfg.RRsetOrder,
		cookies: newCookieSecret(cfg.CookieSecret),
		notify:  notifyPolicy{allow: cfg.NotifyAllow, hook: cfg.OnNotify},
		log:     cfg.Logger, tsigLog: newLogLimiter(cfg.Logger, tsigLogBurst, time.Minute), now: cfg.now,
	}
}

// tsigFudge is the clock skew allowed on the TSIGs we sign (RFC 8945).
const tsigFudge = 300

// ServeDNS answers one query. Responses are never answered, so two
// misconfigured servers cannot bounce packets between each other.
func (h *Handler) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	if r == nil || r.Response {
		return
	}
	req := NewRequest(w, r)
	if m, _, _ := h.respond(req); m != nil {
		h.write(req, m)
	}
}

// respond returns the response to req, or nil if it has been written
// already (zone transfers stream theirs). cacheable reports that the
// response depends on nothing but the question and snap.
func (h *Handler) respond(req *Request) (m *dns.Msg, snap *Snapshot, cacheable bool) {
	if rc := h.check(req); rc != dns.RcodeSuccess {
		return h.errorReply(req, rc), nil, false
	}
	switch {
	case req.Req.Opcode == dns.OpcodeUpdate:
		return h.update(req), nil, false
	case req.Req.Opcode == dns.OpcodeNotify:
		return h.notified(req), nil, false
	case len(req.Req.Question) == 0:
		// Only a cookie: the client asks for a server cookie (RFC 7873
		// section 5.4); check let it through only with one.
		return h.errorReply(req, dns.RcodeSuccess), nil, false
	case isTransfer(req.qtype):
		if !req.tcp || !h.signedByUs(req) {
			return h.errorReply(req, dns.RcodeRefused), nil, false
		}
		h.transfer(req)
		return nil, nil, false
	}
	snap = h.auth.Snapshot()
	m = h.answer(snap, req)
	// A cookie does not make an answer uncacheable: the UDP loop caches it
	// without the cookie (stripCookie) and adds each client's to it.
	return m, snap, !req.selected && req.tsig == tsigNone
}

// errorReply is a response with rcode and no records.
func (h *Handler) errorReply(req *Request, rc int) *dns.Msg {
	m := new(dns.Msg)
	m.SetRcode(req.Req, rc)
	return m
}

// check returns the error rcode for a query we will not look up. On the
// way it reads the TSIG and EDNS options, which decide how the response
// is signed and which cookie it carries.
func (h *Handler) check(req *Request) int {
	r := req.Req
	if r.IsTsig() != nil {
		// RFC 8945 section 5.2: verify before anything else, so that every
		// response to a good signature is signed, errors included.
		if req.tsig = h.tsigVerdict(req); req.tsig != tsigValid {
			h.tsigFailed(req)
			return dns.RcodeNotAuth
		}
	}
	switch {
	case r.Opcode != dns.OpcodeQuery && r.Opcode != dns.OpcodeNotify && r.Opcode != dns.OpcodeUpdate:
		return dns.RcodeNotImplemented
	case req.nopt > 1:
		return dns.RcodeFormatError
	case req.opt != nil && req.opt.Version() != 0:
		return dns.RcodeBadVers
	case req.opt != nil && !h.readOptions(req):
		return dns.RcodeFormatError // RFC 7871 section 7.1.1, RFC 7873 section 5.2.2
	case len(r.Question) == 0 && req.cookie.present && r.Opcode == dns.OpcodeQuery:
		return dns.RcodeSuccess
	case len(r.Question) != 1:
		return dns.RcodeFormatError
	case req.qtype == dns.TypeOPT:
		return dns.RcodeFormatError
	case req.qclass != dns.ClassINET:
		return dns.RcodeRefused
	case r.Opcode == dns.OpcodeNotify:
		return dns.RcodeSuccess
	case isMetaType(req.qtype):
		return dns.RcodeNotImplemented
	}
	return dns.RcodeSuccess
}

func isTransfer(t uint16) bool { return t == dns.TypeAXFR || t == dns.TypeIXFR }

// isMetaType reports query types with no data to look up, other than the
// ANY, AXFR and IXFR we handle (RFC 6895 section 3.1).
func isMetaType(t uint16) bool {
	return t >= 128 && t <= 255 && t != dns.TypeANY && t != dns.TypeAXFR && t != dns.TypeIXFR
}

// answer builds the response to a checked query.
func (h *Handler) answer(snap *Snapshot, req *Request) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(req.Req)
	z := snap.zoneFor(req.lname)
	if z == nil {
		m.Rcode = dns.RcodeRefused // not ours, and we never recurse
		return m
	}
	answer, ns, extra, res := h.lookup(snap, z, req)
	// A referral is not authoritative, unless a CNAME of ours leads to it:
	// then the answer section is ours (as BIND answers it).
	m.Authoritative = res != resultDelegation || len(answer) > 0
	if res == resultNXDomain {
		m.Rcode = dns.RcodeNameError
	}
	// One fresh backing array for all three sections: the snapshot's slices
	// must never be written to, and rotation, Truncate and the OPT append
	// do write.
	la, ln := len(answer), len(ns)
	buf := make([]dns.RR, 0, la+ln+len(extra)+2)
	buf = append(append(append(buf, answer...), ns...), extra...)
	m.Answer, m.Ns, m.Extra = buf[:la:la], buf[la:la+ln:la+ln], buf[la+ln:]
	h.rotate(req, m.Answer)
	if req.name != req.lname {
		// Echo the client's spelling of its name (0x20 randomisation
		// checks it); the snapshot holds lowercase owners.
		for i, rr := range m.Answer {
			if rr.Header().Name == req.lname {
				c := dns.Copy(rr)
				c.Header().Name = req.name
				m.Answer[i] = c
			}
		}
	}
	return m
}

// fail answers with an error rcode and no records.
func (h *Handler) fail(req *Request, rc int) {
	h.write(req, h.errorReply(req, rc))
}

// write adds EDNS (with our cookie) and TSIG, fits the message to the
// client's buffer, and sends it.
func (h *Handler) write(req *Request, m *dns.Msg) {
	m.RecursionAvailable = false
	if req.opt != nil {
		o := &dns.OPT{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeOPT}}
		o.SetUDPSize(h.bufSize)
		if req.DO() {
			o.SetDo()
		}
		if req.cookie.present {
			o.Option = []dns.EDNS0{h.responseCookie(req)}
		}
		if ecs := req.ClientSubnet(); ecs != nil && h.selector != nil {
			// We route on client subnets: echo the option with the scope
			// the answer depended on, 0 when it did not (RFC 7871 7.2.1).
			o.Option = append(o.Option, &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: ecs.Family,
				SourceNetmask: ecs.SourceNetmask, SourceScope: uint8(req.scope), Address: ecs.Address})
		}
		m.Extra = append(m.Extra, o)
	}
	t := h.responseTSIG(req, m)
	if !req.tcp {
		size := req.Size(h.bufSize)
		if t != nil {
			size -= tsigSpace(t)
		}
		req.cut = truncate(m, size, req.glue)
	}
	// Always compressed, even when it would fit without: the UDP fast path
	// relies on owner names pointing at the question (see fastpath.go).
	m.Compress = true
	if t != nil {
		m.Extra = append(m.Extra, t)
	}
	if err := req.W.WriteMsg(m); err != nil && h.log != nil {
		h.log.Debug("dnsserver: write response", "err", err)
	}
	h.metrics.response(req.tcp, m.Rcode)
}

// truncate fits m into size bytes and reports whether anything was
// dropped. Dropped additional records alone do not set TC: they are
// optional (RFC 2181 section 9), and TC sends the client to TCP for
// nothing. The exception is the glue of a referral below glue, the
// delegation's own name: a resolver cannot reach those servers without it,
// so TC is set when any of it is dropped (RFC 9471 section 3).
func truncate(m *dns.Msg, size int, glue string) bool {
	na, nns, tc := len(m.Answer), len(m.Ns), m.Truncated
	var before []dns.RR
	if glue != "" {
		before = withoutOPT(m.Extra) // Truncate reuses the array
	}
	nex := countNonOPT(m.Extra)
	m.Truncate(size)
	if len(m.Answer) != na || len(m.Ns) != nns {
		return true
	}
	m.Truncated = tc
	kept := countNonOPT(m.Extra)
	if kept == nex {
		return false
	}
	for _, rr := range before[min(kept, len(before)):] {
		if t := rr.Header().Rrtype; (t == dns.TypeA || t == dns.TypeAAAA) && dns.IsSubDomain(glue, rr.Header().Name) {
			m.Truncated = true
			break
		}
	}
	return true
}

func countNonOPT(rrs []dns.RR) int {
	n := 0
	for _, rr := range rrs {
		if rr.Header().Rrtype != dns.TypeOPT {
			n++
		}
	}
	return n
}

// withoutOPT returns the records other than OPT, in a new slice.
func withoutOPT(rrs []dns.RR) []dns.RR {
	out := make([]dns.RR, 0, len(rrs))
	for _, rr := range rrs {
		if rr.Header().Rrtype != dns.TypeOPT {
			out = append(out, rr)
		}
	}
	return out
}

// tsigSpace bounds the size of the TSIG record appended after truncating:
// its names and fixed fields, plus the longest MAC (HMAC-SHA512) and the
// BADTIME other data.
func tsigSpace(t *dns.TSIG) int {
	return len(t.Hdr.Name) + len(t.Algorithm) + 2 + 10 + 16 + 64 + 6 + 6
}
