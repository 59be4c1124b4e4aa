package coredns

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/zone"
)

// GroupProperty is the provider-specific property (annotation
// external-dns.alpha.kubernetes.io/coredns-group) that sets a record's
// SkyDNS group: the etcd plugin answers only services of one group
// together.
const GroupProperty = "coredns/group"

// Service is one SkyDNS record as the CoreDNS etcd plugin reads it (the
// fields exodns uses; others are kept as they are by never rewriting a
// key we did not write).
type Service struct {
	Host     string `json:"host,omitempty"`
	Port     int    `json:"port,omitempty"`
	Priority int    `json:"priority,omitempty"`
	Weight   int    `json:"weight,omitempty"`
	Text     string `json:"text,omitempty"`
	Mail     bool   `json:"mail,omitempty"`
	TTL      uint32 `json:"ttl,omitempty"`
	// TargetStrip is how many leftmost labels of the key are not part of
	// the name: the label that keeps one name's records apart.
	TargetStrip int    `json:"targetstrip,omitempty"`
	Group       string `json:"group,omitempty"`
}

// record is one stored key read back: the name and type it serves, its
// target, and what a change of it must compare.
type record struct {
	kv     KV
	name   string
	typ    string
	target string
	ttl    uint32
	group  string
}

// keyOf is the etcd key of a name: the prefix, then the labels from the
// right, "/"-separated (app.example.test -> /skydns/test/example/app).
func keyOf(prefix, name string) string {
	labels := strings.Split(strings.ToLower(strings.TrimSuffix(name, ".")), ".")
	slices.Reverse(labels)
	return prefix + strings.Join(labels, "/")
}

// targetKey is where one target of an endpoint lives: a sibling key under
// the name, "x" and 8 hex digits from the type and the target, so a
// rewrite lands on the same key (never a duplicate) and targets of one
// name stay apart; the etcd plugin answers the name with all of them. A
// CNAME, the one record of its name, lives at the name's own key: the
// plugin answers a CNAME query from that key alone.
func targetKey(prefix string, e *endpoint.Endpoint, target string) string {
	if e.RecordType == endpoint.RecordTypeCNAME {
		return keyOf(prefix, e.DNSName)
	}
	sum := sha256.Sum256([]byte(e.RecordType + "\x00" + target))
	return keyOf(prefix, e.DNSName) + "/x" + hex.EncodeToString(sum[:4])
}

// decode reads one stored key. ok is false for a key that is not a record
// exodns understands (it is then left alone, and not reported).
func decode(prefix string, kv KV) ([]record, bool) {
	var s Service
	if err := json.Unmarshal(kv.Value, &s); err != nil {
		return nil, false
	}
	path := strings.Trim(strings.TrimPrefix(kv.Key, prefix), "/")
	if path == "" || strings.Contains(path, "//") {
		return nil, false
	}
	labels := strings.Split(path, "/")
	slices.Reverse(labels)
	if s.TargetStrip < 0 || s.TargetStrip >= len(labels) {
		return nil, false
	}
	name := strings.ToLower(strings.Join(labels[s.TargetStrip:], "."))
	if _, err := endpoint.NormalizeName(name); err != nil {
		return nil, false
	}
	base := record{kv: kv, name: name, ttl: s.TTL, group: s.Group}
	var out []record
	if s.Text != "" {
		r := base
		r.typ, r.target = endpoint.RecordTypeTXT, `"`+s.Text+`"`
		out = append(out, r)
	}
	// A host of "." alone names no target (the root): nothing to read.
	if host := strings.TrimSuffix(s.Host, "."); host != "" && s.Port == 0 {
		r := base
		switch a, err := netip.ParseAddr(s.Host); {
		case s.Mail:
			r.typ, r.target = endpoint.RecordTypeMX, fmt.Sprintf("%d %s", s.Priority, host)
		case err == nil && a.Is4():
			r.typ, r.target = endpoint.RecordTypeA, a.String()
		case err == nil:
			r.typ, r.target = endpoint.RecordTypeAAAA, a.String()
		default:
			r.typ, r.target = endpoint.RecordTypeCNAME, host
		}
		out = append(out, r)
	}
	return out, len(out) > 0
}

// encode is the stored value of one target of e.
func encode(e *endpoint.Endpoint, target string, ttl uint32) ([]byte, error) {
	s := Service{TTL: ttl, TargetStrip: 1}
	if e.RecordType == endpoint.RecordTypeCNAME {
		s.TargetStrip = 0 // at the name's own key (targetKey)
	}
	s.Group, _ = e.ProviderSpecific.Get(GroupProperty)
	switch e.RecordType {
	case endpoint.RecordTypeA, endpoint.RecordTypeAAAA:
		a, err := netip.ParseAddr(strings.TrimSpace(target))
		if err != nil || a.Is4() != (e.RecordType == endpoint.RecordTypeA) || a.Zone() != "" {
			return nil, fmt.Errorf("%s target %q is not an %s address", e.Key(), target, e.RecordType)
		}
		s.Host = a.String()
	case endpoint.RecordTypeCNAME:
		h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(target)), ".")
		if _, err := endpoint.NormalizeName(h); err != nil || h == "" {
			return nil, fmt.Errorf("%s target %q is not a host name", e.Key(), target)
		}
		s.Host = h
	case endpoint.RecordTypeTXT:
		s.Text = zone.TXTText(target)
		if s.Text == "" {
			return nil, fmt.Errorf("%s: SkyDNS cannot hold an empty TXT", e.Key())
		}
	default:
		return nil, fmt.Errorf("%s: SkyDNS records are A, AAAA, CNAME or TXT, not %s", e.Key(), e.RecordType)
	}
	return json.Marshal(s)
}
