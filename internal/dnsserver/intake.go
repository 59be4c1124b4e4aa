package dnsserver

import (
	"encoding/binary"

	"github.com/miekg/dns"
)

// intake screens and parses a query as it comes off the wire, for both
// transports. ok is false for a packet to ignore: too short to answer, or
// a response (answering one could start a loop between two servers). A
// nil message with ok is refused before parsing, with rcode.
func intake(p []byte) (r *dns.Msg, rcode int, ok bool) {
	if len(p) < 12 {
		return nil, 0, false
	}
	bits := binary.BigEndian.Uint16(p[2:])
	qd, an := binary.BigEndian.Uint16(p[4:]), binary.BigEndian.Uint16(p[6:])
	ns, ar := binary.BigEndian.Uint16(p[8:]), binary.BigEndian.Uint16(p[10:])
	opcode := int(bits>>11) & 0xF
	switch {
	case bits&flagQR != 0:
		return nil, 0, false
	case opcode != dns.OpcodeQuery && opcode != dns.OpcodeNotify && opcode != dns.OpcodeUpdate:
		return nil, dns.RcodeNotImplemented, true
	case opcode == dns.OpcodeUpdate:
		// RFC 2136: the prerequisite and update sections hold any number
		// of records; update.go checks them.
		if qd != 1 || ar > 2 {
			return nil, dns.RcodeFormatError, true
		}
	case qd > 1, an > 1, an == 1 && opcode != dns.OpcodeNotify, ns > 1, ar > 2:
		// One question (none for a cookie-only query); NOTIFY may carry the
		// new SOA in the answer section, IXFR our old one in authority;
		// additional holds at most OPT and TSIG.
		return nil, dns.RcodeFormatError, true
	}
	r = new(dns.Msg)
	if err := r.Unpack(p); err != nil {
		return nil, dns.RcodeFormatError, true
	}
	return r, 0, true
}

// rejectMsg is the answer to a query refused before parsing: its header
// with rcode, its question if it has one that reads, and an OPT record if
// the query had one (RFC 6891 section
// 6.1.1 asks for OPT in every response to a query with OPT, errors too).
func rejectMsg(p []byte, rcode int, bufSize uint16) *dns.Msg {
	bits := binary.BigEndian.Uint16(p[2:])
	m := &dns.Msg{MsgHdr: dns.MsgHdr{
		Id: binary.BigEndian.Uint16(p), Response: true, Opcode: int(bits>>11) & 0xF, Rcode: rcode,
		RecursionDesired: bits&flagRD != 0,
	}}
	if binary.BigEndian.Uint16(p[4:]) == 1 {
		// Echo the question when it reads, as BIND does: the client can
		// match the answer to its query.
		if name, off, err := dns.UnpackDomainName(p, 12); err == nil && off+4 <= len(p) {
			m.Question = []dns.Question{{Name: name, Qtype: binary.BigEndian.Uint16(p[off:]), Qclass: binary.BigEndian.Uint16(p[off+2:])}}
		}
	}
	if found, do := findOPT(p); found {
		o := &dns.OPT{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeOPT}}
		o.SetUDPSize(bufSize)
		if do {
			o.SetDo()
		}
		m.Extra = []dns.RR{o}
	}
	return m
}

// signMsg packs m, signing with key (unsigned for BADKEY and BADSIG, as
// the TSIG record in m says).
func signMsg(m *dns.Msg, key *TSIGKey, requestMAC string, timersOnly bool) ([]byte, string, error) {
	secret := ""
	if key != nil {
		secret = key.Secret
	}
	return dns.TsigGenerate(m, secret, requestMAC, timersOnly)
}
