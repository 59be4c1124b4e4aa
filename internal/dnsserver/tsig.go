package dnsserver

import (
	"encoding/base64"
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

// signedByUs reports whether the request carries a TSIG made with our key
// that the server verified.
func (h *Handler) signedByUs(req *Request) bool {
	t := req.Req.IsTsig()
	return h.tsig != nil && t != nil && req.W.TsigStatus() == nil &&
		strings.EqualFold(t.Hdr.Name, h.tsig.Name) && strings.EqualFold(t.Algorithm, h.tsig.Algorithm)
}
