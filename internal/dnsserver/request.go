package dnsserver

import (
	"net"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// Request wraps one query and works out, once, what the answering code asks
// about it again and again: the name in both cases, the type, the transport,
// EDNS. A Selector receives it to see the client.
type Request struct {
	W   dns.ResponseWriter
	Req *dns.Msg

	name   string // as asked, for the question and answer owner names
	lname  string // lowercase, for lookups
	qtype  uint16
	qclass uint16
	opt    *dns.OPT
	nopt   int
	tcp    bool
	ip     netip.Addr
	ipDone bool
	// selected is set when a Selector shaped the answer.
	selected bool
	// scope is the EDNS Client Subnet scope the answer depended on, set
	// by a Selector (RFC 7871 section 7.2.1).
	scope int

	// raw is the query as received, when the transport has it; EDNS
	// options are checked on it (readOptions packs Req without it).
	raw []byte
	// tsig is the verdict on the query's TSIG, set by check.
	tsig tsigState
	// cookie is the query's DNS cookie, set by check.
	cookie cookieState
	// rot picks the rotation of the answer's RRsets (rotate.go); -1 lets
	// the handler choose. nrot is how many rotations the answer has.
	rot, nrot int
	// glue is the delegation whose in-domain glue must fit or set TC.
	glue string
	// cut reports that write dropped records to fit the client's buffer.
	cut bool
}

// NewRequest wraps r. The question accessors describe the first question;
// a query without one (which the handler rejects) reads as the root, type 0.
func NewRequest(w dns.ResponseWriter, r *dns.Msg) *Request {
	req := &Request{W: w, Req: r, name: ".", lname: ".", rot: -1}
	if len(r.Question) > 0 {
		q := r.Question[0]
		req.name, req.lname, req.qtype, req.qclass = q.Name, strings.ToLower(q.Name), q.Qtype, q.Qclass
	}
	for _, rr := range r.Extra {
		if o, ok := rr.(*dns.OPT); ok {
			if req.opt == nil {
				req.opt = o
			}
			req.nopt++
		}
	}
	if w != nil {
		_, req.tcp = w.LocalAddr().(*net.TCPAddr)
	}
	return req
}

// Name is the query name as the client wrote it, a FQDN.
func (r *Request) Name() string { return r.name }

// LowerName is the query name in lower case.
func (r *Request) LowerName() string { return r.lname }

// QType is the query type.
func (r *Request) QType() uint16 { return r.qtype }

// QClass is the query class.
func (r *Request) QClass() uint16 { return r.qclass }

// TCP reports whether the query came over TCP.
func (r *Request) TCP() bool { return r.tcp }

// EDNS returns the query's OPT record, or nil.
func (r *Request) EDNS() *dns.OPT { return r.opt }

// DO reports whether the client set the DNSSEC OK bit.
func (r *Request) DO() bool { return r.opt != nil && r.opt.Do() }

// Size is how large a response may be: 64 KiB over TCP; over UDP the
// client's EDNS buffer size, never under 512 (RFC 6891 section 6.2.5) and
// never over ours, so large answers go to TCP instead of fragmenting.
func (r *Request) Size(ours uint16) int {
	if r.tcp {
		return dns.MaxMsgSize
	}
	if r.opt == nil {
		return dns.MinMsgSize
	}
	return int(max(dns.MinMsgSize, min(r.opt.UDPSize(), ours)))
}

// ClientSubnet returns the query's EDNS Client Subnet option, or nil.
func (r *Request) ClientSubnet() *dns.EDNS0_SUBNET {
	if r.opt == nil {
		return nil
	}
	for _, o := range r.opt.Option {
		if s, ok := o.(*dns.EDNS0_SUBNET); ok {
			return s
		}
	}
	return nil
}

// SetScope records the client-subnet prefix length the answer depended
// on; it is returned as the ECS scope.
func (r *Request) SetScope(bits int) { r.scope = bits }

// IP is the client's address, or the zero Addr if unknown.
func (r *Request) IP() netip.Addr {
	if !r.ipDone {
		r.ipDone = true
		if r.W != nil {
			switch a := r.W.RemoteAddr().(type) {
			case *net.UDPAddr:
				r.ip, _ = netip.AddrFromSlice(a.IP)
			case *net.TCPAddr:
				r.ip, _ = netip.AddrFromSlice(a.IP)
			}
			r.ip = r.ip.Unmap()
		}
	}
	return r.ip
}
