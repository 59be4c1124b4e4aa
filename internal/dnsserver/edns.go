package dnsserver

import (
	"encoding/binary"

	"github.com/miekg/dns"
)

// EDNS options are checked on the wire, not on what miekg/dns unpacked:
// it accepts a client-subnet option with surplus address bytes, and keeps
// a malformed cookie as whatever bytes it holds.

// readOptions checks the query's EDNS options and takes in its cookie. It
// reports false for a malformed option, which is answered with FORMERR.
func (h *Handler) readOptions(req *Request) bool {
	raw := req.raw
	if raw == nil {
		b, err := req.Req.Pack()
		if err != nil {
			return false
		}
		raw = b
	}
	rdata, ok := optRdata(raw)
	if !ok {
		return false
	}
	return eachOption(rdata, func(code uint16, data []byte) bool {
		switch code {
		case dns.EDNS0COOKIE:
			if !validCookieLen(len(data)) {
				return false
			}
			if !req.cookie.present {
				h.readCookie(req, data)
			}
		case dns.EDNS0SUBNET:
			return validSubnet(data)
		}
		return true
	})
}

// eachOption calls f for each option in an OPT record's rdata, stopping at
// the first false. It reports false for options that overrun the rdata.
func eachOption(rdata []byte, f func(code uint16, data []byte) bool) bool {
	for len(rdata) > 0 {
		if len(rdata) < 4 {
			return false
		}
		code, n := binary.BigEndian.Uint16(rdata), int(binary.BigEndian.Uint16(rdata[2:]))
		if 4+n > len(rdata) {
			return false
		}
		if !f(code, rdata[4:4+n]) {
			return false
		}
		rdata = rdata[4+n:]
	}
	return true
}

// validSubnet checks a client-subnet option (RFC 7871 section 6): a known
// family, a source prefix within it, exactly the address bytes that prefix
// needs, no bits set past it, and scope 0 in a query. FAMILY 0 with
// prefix 0 is the "no subnet, please" form some clients send.
func validSubnet(d []byte) bool {
	if len(d) < 4 {
		return false
	}
	family, source, scope, addr := binary.BigEndian.Uint16(d), int(d[2]), d[3], d[4:]
	var bitsMax int
	switch family {
	case 0:
		return source == 0 && scope == 0 && len(addr) == 0
	case 1:
		bitsMax = 32
	case 2:
		bitsMax = 128
	default:
		return false
	}
	if source > bitsMax || scope != 0 || len(addr) != (source+7)/8 {
		return false
	}
	if rest := source % 8; rest != 0 && addr[len(addr)-1]&(0xff>>rest) != 0 {
		return false
	}
	return true
}

// optRdata finds the OPT record in a message and returns its rdata. ok is
// false when the message does not parse that far.
func optRdata(p []byte) (rdata []byte, ok bool) {
	off, ok := skipToAdditional(p)
	if !ok {
		return nil, false
	}
	for n := binary.BigEndian.Uint16(p[10:]); n > 0; n-- {
		start := off
		if off, ok = skipName(p, off); !ok || off+10 > len(p) {
			return nil, false
		}
		rrtype, rdlen := binary.BigEndian.Uint16(p[off:]), int(binary.BigEndian.Uint16(p[off+8:]))
		off += 10
		if off+rdlen > len(p) {
			return nil, false
		}
		if rrtype == dns.TypeOPT && off-start == 11 {
			return p[off : off+rdlen], true
		}
		off += rdlen
	}
	return nil, true
}

// findOPT reports whether a message that did not parse as a whole still
// has an OPT record that can be found, and its DO bit, so that even a
// FORMERR answers EDNS with EDNS (RFC 6891 section 6.1.1).
func findOPT(p []byte) (found, do bool) {
	off, ok := skipToAdditional(p)
	if !ok {
		return false, false
	}
	for n := binary.BigEndian.Uint16(p[10:]); n > 0; n-- {
		if off, ok = skipName(p, off); !ok || off+10 > len(p) {
			return false, false
		}
		if binary.BigEndian.Uint16(p[off:]) == dns.TypeOPT {
			return true, p[off+6]&0x80 != 0
		}
		off += 10 + int(binary.BigEndian.Uint16(p[off+8:]))
	}
	return false, false
}

// skipToAdditional returns the offset of the additional section.
func skipToAdditional(p []byte) (int, bool) {
	if len(p) < 12 {
		return 0, false
	}
	off := 12
	var ok bool
	for n := binary.BigEndian.Uint16(p[4:]); n > 0; n-- {
		if off, ok = skipName(p, off); !ok || off+4 > len(p) {
			return 0, false
		}
		off += 4
	}
	records := int(binary.BigEndian.Uint16(p[6:])) + int(binary.BigEndian.Uint16(p[8:]))
	for ; records > 0; records-- {
		if off, ok = skipName(p, off); !ok || off+10 > len(p) {
			return 0, false
		}
		off += 10 + int(binary.BigEndian.Uint16(p[off+8:]))
		if off > len(p) {
			return 0, false
		}
	}
	return off, true
}

// skipName returns the offset past the name at off: labels up to a zero
// byte or a compression pointer. Pointers are not followed.
func skipName(p []byte, off int) (int, bool) {
	for {
		if off >= len(p) {
			return 0, false
		}
		l := int(p[off])
		switch {
		case l == 0:
			return off + 1, true
		case l&0xc0 == 0xc0:
			if off+2 > len(p) {
				return 0, false
			}
			return off + 2, true
		case l&0xc0 != 0:
			return 0, false
		}
		off += 1 + l
	}
}
