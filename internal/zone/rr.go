package zone

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/endpoint"
)

// maxTXTString is the longest character-string RFC 1035 allows.
const maxTXTString = 255

// dnssecTypes are the record types a signer owns (65534 is BIND's private
// signing-state type). exodns never lists, creates, changes or deletes
// them: a signed zone stays signed.
var dnssecTypes = []uint16{dns.TypeRRSIG, dns.TypeNSEC, dns.TypeNSEC3, dns.TypeNSEC3PARAM,
	dns.TypeDNSKEY, dns.TypeCDS, dns.TypeCDNSKEY, dns.TypeKEY, dns.TypeSIG, 65534}

// IsDNSSEC reports whether t is a record type that DNSSEC signing manages.
func IsDNSSEC(t uint16) bool { return slices.Contains(dnssecTypes, t) }

// RRs converts an endpoint into the resource records a DNS server holds
// for it, all with ttl. A TXT target is the text itself, with one pair of
// surrounding quotes dropped (the TXT registry writes its values quoted);
// text over 255 bytes becomes several character-strings. Other targets
// are read in zone-file presentation form ("10 mail.example.com" for MX).
func RRs(e *endpoint.Endpoint, ttl uint32) ([]dns.RR, error) {
	t, ok := dns.StringToType[e.RecordType]
	if !ok || !endpoint.IsKnownRecordType(e.RecordType) {
		return nil, fmt.Errorf("%s: unsupported record type %q", e.Key(), e.RecordType)
	}
	owner := dns.Fqdn(strings.ToLower(e.DNSName))
	if _, ok := dns.IsDomainName(owner); !ok || strings.ContainsAny(owner, " \t\n\r;()\"\\") {
		return nil, fmt.Errorf("%s: not a domain name", e.Key())
	}
	hdr := dns.RR_Header{Name: owner, Rrtype: t, Class: dns.ClassINET, Ttl: ttl}
	out := make([]dns.RR, 0, len(e.Targets))
	for _, target := range e.Targets {
		if t == dns.TypeTXT {
			out = append(out, &dns.TXT{Hdr: hdr, Txt: txtStrings(TXTText(target))})
			continue
		}
		target = strings.TrimSpace(target)
		if target == "" || strings.ContainsAny(target, "\n\r;()") {
			return nil, fmt.Errorf("%s: target %q is not in presentation form", e.Key(), target)
		}
		rr, err := dns.NewRR(owner + " " + strconv.FormatUint(uint64(ttl), 10) + " IN " + e.RecordType + " " + target)
		if err != nil || rr == nil || rr.Header().Rrtype != t {
			return nil, fmt.Errorf("%s: target %q is not a %s value", e.Key(), target, e.RecordType)
		}
		out = append(out, rr)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no targets", e.Key())
	}
	return out, nil
}

// Target is the endpoint target of one record, the inverse of RRs: an
// address, a host name without the final dot, TXT text in quotes (as the
// TXT registry writes it), other types in presentation form.
func Target(rr dns.RR) string {
	switch v := rr.(type) {
	case *dns.A:
		return v.A.String()
	case *dns.AAAA:
		return v.AAAA.String()
	case *dns.CNAME:
		return host(v.Target)
	case *dns.NS:
		return host(v.Ns)
	case *dns.PTR:
		return host(v.Ptr)
	case *dns.MX:
		return fmt.Sprintf("%d %s", v.Preference, host(v.Mx))
	case *dns.SRV:
		return fmt.Sprintf("%d %d %d %s", v.Priority, v.Weight, v.Port, host(v.Target))
	case *dns.TXT:
		var b strings.Builder
		for _, s := range v.Txt {
			b.WriteString(unescapeTXT(s))
		}
		return `"` + b.String() + `"`
	}
	return strings.TrimSpace(strings.TrimPrefix(rr.String(), rr.Header().String()))
}

func host(h string) string {
	if h == "." {
		return h
	}
	return strings.TrimSuffix(h, ".")
}

// Endpoints groups records into endpoints by owner and type, in the order
// first seen, each with the lowest TTL of its records. Records keep says
// no to are left out.
func Endpoints(rrs []dns.RR, keep func(dns.RR) bool) []*endpoint.Endpoint {
	type key struct {
		name string
		t    uint16
	}
	index := map[key]*endpoint.Endpoint{}
	var out []*endpoint.Endpoint
	for _, rr := range rrs {
		if keep != nil && !keep(rr) {
			continue
		}
		h := rr.Header()
		k := key{strings.ToLower(h.Name), h.Rrtype}
		e := index[k]
		if e == nil {
			e = endpoint.New(strings.TrimSuffix(k.name, "."), dns.TypeToString[h.Rrtype]).WithTTL(endpoint.TTL(h.Ttl))
			index[k] = e
			out = append(out, e)
		}
		e.RecordTTL = min(e.RecordTTL, endpoint.TTL(h.Ttl))
		if tg := Target(rr); !slices.Contains(e.Targets, tg) {
			e.Targets = append(e.Targets, tg)
		}
	}
	return out
}

// TXTText is the text of a TXT target: one pair of surrounding quotes is
// dropped.
func TXTText(t string) string {
	if len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' {
		return t[1 : len(t)-1]
	}
	return t
}

// QuoteTXT is the form of a TXT target that Records report: the text in
// one pair of quotes. A target already in quotes is kept, so desired
// endpoints normalised with it compare equal to what was read back.
func QuoteTXT(t string) string {
	if len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' {
		return t
	}
	return `"` + t + `"`
}

// txtStrings splits text into 255-byte character-strings, escaped the way
// miekg/dns holds them.
func txtStrings(t string) []string {
	if t == "" {
		return []string{""}
	}
	var out []string
	for len(t) > 0 {
		n := min(len(t), maxTXTString)
		out = append(out, escapeTXT(t[:n]))
		t = t[n:]
	}
	return out
}

func escapeTXT(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			fmt.Fprintf(&b, "\\%03d", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unescapeTXT reads miekg/dns's escaped form back into bytes.
func unescapeTXT(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			n := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
			if n < 256 {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i+1])
		i++
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
