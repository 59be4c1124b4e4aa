package dnsserver

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// UpdateKey is a TSIG key that may send RFC 2136 updates, and the names it
// may change (--embedded-update-key).
type UpdateKey struct {
	TSIGKey
	// Subtrees are lowercase FQDNs. A plain name covers itself and every
	// name below it; "*.name" covers only the names below it.
	Subtrees []string
}

// ParseUpdateKey reads --embedded-update-key:
//
//	name:secret:subtree[,subtree...]            (hmac-sha256)
//	name:algorithm:secret:subtree[,subtree...]
//
// The secret is base64 (as tsig-keygen prints it); a subtree is a name
// and everything below it, or *.name for only what is below it. For
// cert-manager's DNS-01 solver, _acme-challenge.example.com (or
// *.example.com to let it answer challenges for every name).
func ParseUpdateKey(s string) (UpdateKey, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	var name, alg, secret, subtrees string
	switch len(parts) {
	case 3:
		name, secret, subtrees = parts[0], parts[1], parts[2]
	case 4:
		name, alg, secret, subtrees = parts[0], parts[1], parts[2], parts[3]
	default:
		return UpdateKey{}, fmt.Errorf("dnsserver: update key: want name:[algorithm:]secret:subtree[,subtree...]")
	}
	key, err := NewTSIGKey(name, alg, secret)
	if err != nil {
		return UpdateKey{}, err
	}
	uk := UpdateKey{TSIGKey: key}
	for _, st := range strings.Split(subtrees, ",") {
		st = strings.ToLower(strings.TrimSpace(st))
		wild := strings.HasPrefix(st, "*.")
		base := dns.Fqdn(strings.TrimPrefix(st, "*."))
		if _, ok := dns.IsDomainName(base); !ok || base == "." || strings.Contains(strings.TrimPrefix(st, "*."), "*") {
			return UpdateKey{}, fmt.Errorf("dnsserver: update key %s: bad subtree %q", key.Name, st)
		}
		if wild {
			base = "*." + base
		}
		uk.Subtrees = append(uk.Subtrees, base)
	}
	return uk, nil
}

// Allows reports whether the key may change name (a lowercase FQDN).
func (k UpdateKey) Allows(name string) bool {
	for _, st := range k.Subtrees {
		if below, ok := strings.CutPrefix(st, "*."); ok {
			if name != below && dns.IsSubDomain(below, name) {
				return true
			}
			continue
		}
		if dns.IsSubDomain(st, name) {
			return true
		}
	}
	return false
}

// keyFor returns the key a TSIG names: the transfer key, or an update key;
// nil for a key we do not have.
func (h *Handler) keyFor(name string) *TSIGKey {
	if h.tsig != nil && strings.EqualFold(name, h.tsig.Name) {
		return h.tsig
	}
	if uk := h.updateKey(name); uk != nil {
		return &uk.TSIGKey
	}
	return nil
}

// updateKey returns the update key of that name, if any.
func (h *Handler) updateKey(name string) *UpdateKey {
	for i := range h.updateKeys {
		if strings.EqualFold(name, h.updateKeys[i].Name) {
			return &h.updateKeys[i]
		}
	}
	return nil
}
