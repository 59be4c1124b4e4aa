package dnsserver

import (
	"log/slog"
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
	metrics  *serverMetrics
	log      *slog.Logger
}

// NewHandler returns a handler for auth with cfg's answering settings.
func NewHandler(auth *Authority, cfg Config) *Handler {
	cfg = cfg.withDefaults()
	return &Handler{auth: auth, selector: cfg.Selector, tsig: cfg.TSIG, bufSize: cfg.EDNSBufferSize, log: cfg.Logger}
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
		m = new(dns.Msg)
		m.SetRcode(req.Req, rc)
		return m, nil, false
	}
	if isTransfer(req.qtype) {
		h.transfer(req)
		return nil, nil, false
	}
	snap = h.auth.Snapshot()
	m = h.answer(snap, req)
	return m, snap, !req.selected
}

// check returns the error rcode for a query we will not look up.
func (h *Handler) check(req *Request) int {
	r := req.Req
	switch {
	case r.Opcode != dns.OpcodeQuery:
		return dns.RcodeNotImplemented // NOTIFY, UPDATE: not a secondary, not dynamic
	case len(r.Question) != 1 || req.nopt > 1:
		return dns.RcodeFormatError
	case req.opt != nil && req.opt.Version() != 0:
		return dns.RcodeBadVers
	case req.qtype == dns.TypeOPT:
		return dns.RcodeFormatError
	case req.qclass != dns.ClassINET:
		return dns.RcodeRefused
	case isMetaType(req.qtype):
		return dns.RcodeNotImplemented
	case r.IsTsig() != nil && !h.signedByUs(req) && !isTransfer(req.qtype):
		return dns.RcodeNotAuth // RFC 8945 section 5.2; transfers just get REFUSED
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
	m.Authoritative = res != resultDelegation
	if res == resultNXDomain {
		m.Rcode = dns.RcodeNameError
	}
	// One fresh backing array for all three sections: the snapshot's slices
	// must never be written to, and Truncate and the OPT append do write.
	la, ln := len(answer), len(ns)
	buf := make([]dns.RR, 0, la+ln+len(extra)+2)
	buf = append(append(append(buf, answer...), ns...), extra...)
	m.Answer, m.Ns, m.Extra = buf[:la:la], buf[la:la+ln:la+ln], buf[la+ln:]
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
	m := new(dns.Msg)
	m.SetRcode(req.Req, rc)
	h.write(req, m)
}

// write adds EDNS and TSIG, fits the message to the client's buffer, and
// sends it.
func (h *Handler) write(req *Request, m *dns.Msg) {
	m.RecursionAvailable = false
	if req.opt != nil {
		o := &dns.OPT{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeOPT}}
		o.SetUDPSize(h.bufSize)
		if req.DO() {
			o.SetDo()
		}
		m.Extra = append(m.Extra, o)
	}
	signed := m.Rcode != dns.RcodeNotAuth && h.signedByUs(req)
	if !req.tcp {
		size := req.Size(h.bufSize)
		if signed {
			size -= tsigSpace(h.tsig)
		}
		truncate(m, size)
	}
	// Always compressed, even when it would fit without: the UDP fast path
	// relies on owner names pointing at the question (see fastpath.go).
	m.Compress = true
	if signed {
		m.SetTsig(h.tsig.Name, h.tsig.Algorithm, tsigFudge, time.Now().Unix())
	}
	if err := req.W.WriteMsg(m); err != nil && h.log != nil {
		h.log.Debug("dnsserver: write response", "err", err)
	}
	h.metrics.response(req.tcp, m.Rcode)
}

// truncate fits m into size bytes. Dropped additional records alone do not
// set TC: they are optional (RFC 2181 section 9), and TC sends the client
// to TCP for nothing.
func truncate(m *dns.Msg, size int) {
	na, nns, tc := len(m.Answer), len(m.Ns), m.Truncated
	m.Truncate(size)
	if len(m.Answer) == na && len(m.Ns) == nns {
		m.Truncated = tc
	}
}

// tsigSpace bounds the size of the TSIG record we append after truncating.
func tsigSpace(k *TSIGKey) int {
	return len(k.Name) + len(k.Algorithm) + 2 + 10 + 16 + 64 + 6
}
