package dnsserver

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// TSIGKey is the shared key that zone transfers must be signed with.
type TSIGKey struct {
	Name      string // FQDN, lowercase
	Algorithm string // FQDN, e.g. hmac-sha256.
	Secret    string // base64
}

// tsigAlgorithm returns the full name of an HMAC we accept, given its short
// name. MD5 is left out on purpose (RFC 8945 section 6).
func tsigAlgorithm(short string) (string, bool) {
	switch strings.ToLower(strings.TrimSuffix(short, ".")) {
	case "hmac-sha1":
		return dns.HmacSHA1, true
	case "hmac-sha224":
		return dns.HmacSHA224, true
	case "hmac-sha256":
		return dns.HmacSHA256, true
	case "hmac-sha384":
		return dns.HmacSHA384, true
	case "hmac-sha512":
		return dns.HmacSHA512, true
	}
	return "", false
}

// ParseTSIGKey reads --embedded-tsig-key: "name:secret" (hmac-sha256),
// "name:algorithm:secret", or dig's "algorithm:name:secret".
func ParseTSIGKey(s string) (TSIGKey, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	var name, alg, secret string
	switch len(parts) {
	case 2:
		name, alg, secret = parts[0], "hmac-sha256", parts[1]
	case 3:
		name, alg, secret = parts[0], parts[1], parts[2]
		if isTSIGAlgorithm(parts[0]) && !isTSIGAlgorithm(parts[1]) {
			alg, name = parts[0], parts[1]
		}
	default:
		return TSIGKey{}, fmt.Errorf("dnsserver: tsig key: want name:secret or name:algorithm:secret")
	}
	return NewTSIGKey(name, alg, secret)
}

// NewTSIGKey checks and normalises a key given as separate fields; an empty
// algorithm means hmac-sha256.
func NewTSIGKey(name, alg, secret string) (TSIGKey, error) {
	if alg == "" {
		alg = "hmac-sha256"
	}
	full, ok := tsigAlgorithm(alg)
	if !ok {
		return TSIGKey{}, fmt.Errorf("dnsserver: tsig key: unsupported algorithm %q", alg)
	}
	n := dns.Fqdn(strings.ToLower(strings.TrimSpace(name)))
	if _, ok := dns.IsDomainName(n); !ok || n == "." {
		return TSIGKey{}, fmt.Errorf("dnsserver: tsig key: bad key name %q", name)
	}
	raw, err := base64.StdEncoding.DecodeString(secret)
	if err != nil || len(raw) == 0 {
		return TSIGKey{}, fmt.Errorf("dnsserver: tsig key %s: secret is not base64", n)
	}
	return TSIGKey{Name: n, Algorithm: full, Secret: secret}, nil
}

func isTSIGAlgorithm(s string) bool {
	_, ok := tsigAlgorithm(s)
	return ok
}

// tsigState is the verdict on a query's TSIG.
type tsigState uint16

const (
	tsigNone    tsigState = 0 // unsigned
	tsigValid   tsigState = 1 // signed with our key, verified
	tsigBadSig            = tsigState(dns.RcodeBadSig)
	tsigBadKey            = tsigState(dns.RcodeBadKey)
	tsigBadTime           = tsigState(dns.RcodeBadTime)
)

// signedByUs reports whether the request carries a TSIG made with our
// transfer key that verified (an update key does not let a client
// transfer a zone).
func (h *Handler) signedByUs(req *Request) bool {
	return req.tsig == tsigValid && h.tsig != nil && strings.EqualFold(req.Req.IsTsig().Hdr.Name, h.tsig.Name)
}

// tsigVerdict classifies a signed query (RFC 8945 section 5.2): a key we
// do not have is BADKEY, a MAC that does not verify BADSIG, a time outside
// the fudge BADTIME. The transport verified the MAC; its status says how.
func (h *Handler) tsigVerdict(req *Request) tsigState {
	t := req.Req.IsTsig()
	if key := h.keyFor(t.Hdr.Name); key == nil || !strings.EqualFold(t.Algorithm, key.Algorithm) {
		return tsigBadKey
	}
	switch err := req.W.TsigStatus(); {
	case err == nil:
		return tsigValid
	case errors.Is(err, dns.ErrTime):
		return tsigBadTime
	case errors.Is(err, dns.ErrSecret), errors.Is(err, dns.ErrKeyAlg):
		return tsigBadKey
	default:
		return tsigBadSig
	}
}

// verifyTSIG is what a transport reports as TsigStatus for the raw query p:
// nil when it verifies with our key. miekg/dns verifies in place (it
// rewrites the header and the bytes after the message), so it gets a copy:
// p is still read afterwards, for the EDNS options.
func verifyTSIG(p []byte, key *TSIGKey) error {
	if key == nil {
		return dns.ErrSecret
	}
	return dns.TsigVerify(bytes.Clone(p), key.Secret, "", false)
}

// tsigFailed logs and counts a TSIG we refused. Nobody else hears about
// it: the client only sees NOTAUTH.
func (h *Handler) tsigFailed(req *Request) {
	code := int(req.tsig)
	h.metrics.tsigError(code)
	t := req.Req.IsTsig()
	h.tsigLog.warn("dnsserver: refused a TSIG-signed query",
		"tsig_error", dns.RcodeToString[code], "client", req.IP().String(), "key", t.Hdr.Name,
		"algorithm", t.Algorithm, "qname", req.name, "qtype", dns.TypeToString[req.qtype], "tcp", req.tcp)
}

// responseTSIG returns the TSIG record to sign the response to req with,
// or nil for an unsigned request. On a TSIG error it carries the error:
// unsigned for BADKEY and BADSIG, signed for BADTIME with our clock in the
// other data (RFC 8945 sections 5.2.3 and 5.3.2); the writer signs.
func (h *Handler) responseTSIG(req *Request, m *dns.Msg) *dns.TSIG {
	q := req.Req.IsTsig()
	if q == nil || req.tsig == tsigNone {
		return nil
	}
	now := h.now()
	t := &dns.TSIG{
		Hdr:       dns.RR_Header{Name: strings.ToLower(q.Hdr.Name), Rrtype: dns.TypeTSIG, Class: dns.ClassANY},
		Algorithm: strings.ToLower(q.Algorithm), Fudge: tsigFudge, OrigId: m.Id, TimeSigned: uint64(now.Unix()),
	}
	switch req.tsig {
	case tsigValid:
		key := h.keyFor(q.Hdr.Name)
		t.Hdr.Name, t.Algorithm = key.Name, key.Algorithm
	case tsigBadTime:
		// Signed with the client's time, so the client can check the MAC,
		// and ours in the other data, so it can see the skew.
		t.Error, t.TimeSigned, t.Fudge = dns.RcodeBadTime, q.TimeSigned, q.Fudge
		t.OtherLen, t.OtherData = 6, fmt.Sprintf("%012x", uint64(now.Unix())&(1<<48-1))
	default:
		t.Error = uint16(req.tsig)
	}
	return t
}
