package dnsserver

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"

	"github.com/miekg/dns"
)

// DNS cookies (RFC 7873) with server cookies made as RFC 9018 says, so a
// cookie from one server of an anycast set verifies on any other that
// shares the secret, whatever its software:
//
//	server cookie = version (1) | reserved (3) | timestamp (4) | hash (8)
//	hash          = SipHash-2-4(secret, client cookie | version | reserved | timestamp | client IP)

const (
	clientCookieLen = 8
	serverCookieLen = 16 // the RFC 9018 form, the only one we make
	cookieVersion   = 1
	// A server cookie is good for an hour after its timestamp, and five
	// minutes before it for clock skew between servers (RFC 9018 section
	// 4.3).
	cookieLifetime = 3600
	cookieSkew     = 300
)

// cookieSecret is the SipHash key.
type cookieSecret [16]byte

// ParseCookieSecret reads --embedded-cookie-secret: 32 hex digits.
func ParseCookieSecret(s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(cookieSecret{}) {
		return nil, fmt.Errorf("dnsserver: cookie secret: want %d hex digits", 2*len(cookieSecret{}))
	}
	return b, nil
}

// newCookieSecret uses the configured secret, or a random one.
func newCookieSecret(b []byte) *cookieSecret {
	var s cookieSecret
	if copy(s[:], b) != len(s) {
		_, _ = rand.Read(s[:]) // never fails (crypto/rand panics instead)
	}
	return &s
}

// hash is the 8-byte hash of a server cookie whose first 8 bytes are head.
func (s *cookieSecret) hash(client, head []byte, ip netip.Addr) uint64 {
	var buf [clientCookieLen + 8 + 16]byte
	n := copy(buf[:], client)
	n += copy(buf[n:], head)
	if ip.Is4() || ip.Is4In6() {
		a := ip.Unmap().As4()
		n += copy(buf[n:], a[:])
	} else {
		a := ip.As16()
		n += copy(buf[n:], a[:])
	}
	return siphash24((*[16]byte)(s), buf[:n])
}

// make returns the server cookie for a client cookie, an address and a
// time (seconds, modulo 2^32).
func (s *cookieSecret) make(client []byte, ip netip.Addr, now uint32) [serverCookieLen]byte {
	var c [serverCookieLen]byte
	c[0] = cookieVersion
	binary.BigEndian.PutUint32(c[4:], now)
	binary.LittleEndian.PutUint64(c[8:], s.hash(client, c[:8], ip))
	return c
}

// valid reports whether server is a cookie we made for this client cookie
// and address, still within its lifetime. Whatever the client put in the
// reserved bytes is hashed as sent.
func (s *cookieSecret) valid(client, server []byte, ip netip.Addr, now uint32) bool {
	if len(server) != serverCookieLen || server[0] != cookieVersion {
		return false
	}
	age := int32(now - binary.BigEndian.Uint32(server[4:])) // serial arithmetic: the timestamp wraps
	if age > cookieLifetime || age < -cookieSkew {
		return false
	}
	var want [8]byte
	binary.LittleEndian.PutUint64(want[:], s.hash(client, server[:8], ip))
	return subtle.ConstantTimeCompare(want[:], server[8:]) == 1
}

// cookieState is what a query's COOKIE option said.
type cookieState struct {
	present bool
	client  [clientCookieLen]byte
	// valid: the query carried a server cookie we made. Such a client has
	// shown it receives our answers at its address, so RRL lets it by.
	valid bool
}

// readCookie takes in a COOKIE option's data, already checked for length.
func (h *Handler) readCookie(req *Request, data []byte) {
	req.cookie.present = true
	copy(req.cookie.client[:], data)
	if len(data) > clientCookieLen {
		req.cookie.valid = h.cookies.valid(data[:clientCookieLen], data[clientCookieLen:], req.IP(), uint32(h.now().Unix()))
	}
}

// responseCookie is the COOKIE option of the response: the client's cookie
// and a fresh server cookie.
func (h *Handler) responseCookie(req *Request) *dns.EDNS0_COOKIE {
	sc := h.cookies.make(req.cookie.client[:], req.IP(), uint32(h.now().Unix()))
	return &dns.EDNS0_COOKIE{Code: dns.EDNS0COOKIE,
		Cookie: hex.EncodeToString(req.cookie.client[:]) + hex.EncodeToString(sc[:])}
}

// validCookieLen reports the lengths RFC 7873 section 5.2.2 accepts: a
// client cookie alone, or with a server cookie of 8 to 32 bytes.
func validCookieLen(n int) bool {
	return n == clientCookieLen || (n >= clientCookieLen+8 && n <= clientCookieLen+32)
}

// cookieOptionLen is the COOKIE option we answer with: code, length,
// client cookie, server cookie.
const cookieOptionLen = 4 + clientCookieLen + serverCookieLen

// addCookie appends our COOKIE option to resp, a cached answer whose OPT
// record (always its last record) has no options, for the fast path. It
// reports whether the query's server cookie was valid, and ok false when
// the answer would not fit the client's buffer or is not as expected:
// the full path answers then.
func (h *Handler) addCookie(resp []byte, q fastQuery, ip netip.Addr) (out []byte, valid, ok bool) {
	n := len(resp)
	if n < 12+11 || resp[n-11] != 0 || binary.BigEndian.Uint16(resp[n-10:]) != dns.TypeOPT || binary.BigEndian.Uint16(resp[n-2:]) != 0 {
		return resp, false, false
	}
	limit := int(max(dns.MinMsgSize, min(q.udpSize, h.bufSize)))
	if n+cookieOptionLen > limit {
		return resp, false, false
	}
	now := uint32(h.now().Unix())
	client := q.cookie[:clientCookieLen]
	valid = len(q.cookie) > clientCookieLen && h.cookies.valid(client, q.cookie[clientCookieLen:], ip, now)
	sc := h.cookies.make(client, ip, now)
	binary.BigEndian.PutUint16(resp[n-2:], cookieOptionLen)
	resp = binary.BigEndian.AppendUint16(resp, dns.EDNS0COOKIE)
	resp = binary.BigEndian.AppendUint16(resp, clientCookieLen+serverCookieLen)
	resp = append(append(resp, client...), sc[:]...)
	return resp, valid, true
}

// stripCookie returns a copy of a packed response without the COOKIE
// option write added last, so the answer can be cached for every client;
// nil if the response does not end that way.
func stripCookie(resp []byte) []byte {
	n := len(resp) - cookieOptionLen
	if n < 12+11 || resp[n-11] != 0 || binary.BigEndian.Uint16(resp[n-10:]) != dns.TypeOPT ||
		binary.BigEndian.Uint16(resp[n-2:]) != cookieOptionLen || binary.BigEndian.Uint16(resp[n:]) != dns.EDNS0COOKIE {
		return nil
	}
	out := append([]byte(nil), resp[:n]...)
	binary.BigEndian.PutUint16(out[n-2:], 0)
	return out
}
