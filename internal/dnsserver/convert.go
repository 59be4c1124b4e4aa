package dnsserver

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/endpoint"
)

// maxTXTString is the longest character-string RFC 1035 allows.
const maxTXTString = 255

// toRRs converts one endpoint into resource records owned by owner (a
// lowercase FQDN). It rejects what it cannot serve, so a bad record fails
// the batch that brings it instead of silently vanishing from answers.
func toRRs(e *endpoint.Endpoint, owner string, ttl uint32) ([]dns.RR, error) {
	rrtype, ok := dns.StringToType[e.RecordType]
	if !ok || !endpoint.IsKnownRecordType(e.RecordType) {
		return nil, fmt.Errorf("unsupported record type %q", e.RecordType)
	}
	hdr := dns.RR_Header{Name: owner, Rrtype: rrtype, Class: dns.ClassINET, Ttl: ttl}
	out := make([]dns.RR, 0, len(e.Targets))
	for _, t := range e.Targets {
		rrs, err := targetRRs(hdr, strings.TrimSpace(t))
		if err != nil {
			return nil, fmt.Errorf("%s target %q: %w", e.RecordType, t, err)
		}
		out = append(out, rrs...)
	}
	return out, nil
}

func targetRRs(hdr dns.RR_Header, t string) ([]dns.RR, error) {
	switch hdr.Rrtype {
	case dns.TypeA, dns.TypeAAAA:
		a, err := netip.ParseAddr(t)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("not an IP address")
		}
		if hdr.Rrtype == dns.TypeA {
			if !a.Is4() {
				return nil, fmt.Errorf("not an IPv4 address")
			}
			return one(&dns.A{Hdr: hdr, A: net.IP(a.AsSlice())}), nil
		}
		if !a.Is6() {
			return nil, fmt.Errorf("not an IPv6 address")
		}
		return one(&dns.AAAA{Hdr: hdr, AAAA: net.IP(a.AsSlice())}), nil
	case dns.TypeCNAME, dns.TypeNS, dns.TypePTR:
		host, err := hostName(t)
		if err != nil {
			return nil, err
		}
		switch hdr.Rrtype {
		case dns.TypeCNAME:
			return one(&dns.CNAME{Hdr: hdr, Target: host}), nil
		case dns.TypeNS:
			return one(&dns.NS{Hdr: hdr, Ns: host}), nil
		}
		return one(&dns.PTR{Hdr: hdr, Ptr: host}), nil
	case dns.TypeMX:
		n, host, err := numbersAndHost(t, 1)
		if err != nil {
			return nil, err
		}
		return one(&dns.MX{Hdr: hdr, Preference: n[0], Mx: host}), nil
	case dns.TypeSRV:
		n, host, err := numbersAndHost(t, 3)
		if err != nil {
			return nil, err
		}
		return one(&dns.SRV{Hdr: hdr, Priority: n[0], Weight: n[1], Port: n[2], Target: host}), nil
	case dns.TypeTXT:
		return one(&dns.TXT{Hdr: hdr, Txt: txtStrings(t)}), nil
	case dns.TypeCAA:
		return caa(hdr, t)
	case dns.TypeNAPTR:
		return parsed(hdr, t)
	}
	return nil, fmt.Errorf("unsupported record type")
}

func one(rr dns.RR) []dns.RR { return []dns.RR{rr} }

func hostName(t string) (string, error) {
	h := dns.Fqdn(strings.ToLower(t))
	if _, ok := dns.IsDomainName(h); !ok || strings.ContainsAny(h, " \t\\") {
		return "", fmt.Errorf("not a host name")
	}
	return h, nil
}

// numbersAndHost reads "n1 ... nk host", the form of MX and SRV targets.
func numbersAndHost(t string, k int) ([]uint16, string, error) {
	f := strings.Fields(t)
	if len(f) != k+1 {
		return nil, "", fmt.Errorf("want %d numbers and a host", k)
	}
	n := make([]uint16, k)
	for i := range k {
		v, err := strconv.ParseUint(f[i], 10, 16)
		if err != nil {
			return nil, "", fmt.Errorf("field %d: %w", i+1, err)
		}
		n[i] = uint16(v)
	}
	host, err := hostName(f[k])
	return n, host, err
}

// txtStrings turns a TXT target into character-strings. The target is the
// text itself; one pair of surrounding quotes is dropped because the TXT
// registry writes its values quoted. Text over 255 bytes is split into
// 255-byte strings, as every DNS server does with long SPF or DKIM values.
// miekg/dns reads backslashes in TXT data as escapes, so they are doubled to
// keep the bytes on the wire exactly the bytes of the target.
func txtStrings(t string) []string {
	if len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' {
		t = t[1 : len(t)-1]
	}
	if len(t) == 0 {
		return []string{""}
	}
	out := make([]string, 0, (len(t)+maxTXTString-1)/maxTXTString)
	for len(t) > 0 {
		n := min(len(t), maxTXTString)
		out = append(out, strings.ReplaceAll(t[:n], `\`, `\\`))
		t = t[n:]
	}
	return out
}

// caa reads `flags tag "value"`; the value keeps presentation escapes,
// which is the form miekg/dns holds it in.
func caa(hdr dns.RR_Header, t string) ([]dns.RR, error) {
	flags, rest, ok1 := strings.Cut(t, " ")
	tag, value, ok2 := strings.Cut(strings.TrimSpace(rest), " ")
	if !ok1 || !ok2 {
		return nil, fmt.Errorf(`want flags tag "value"`)
	}
	f, err := strconv.ParseUint(flags, 10, 8)
	if err != nil {
		return nil, fmt.Errorf("flags: %w", err)
	}
	value = strings.TrimSpace(value)
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		value = value[1 : len(value)-1]
	}
	if tag == "" || len(value) > maxTXTString*4 {
		return nil, fmt.Errorf("bad tag or value")
	}
	return one(&dns.CAA{Hdr: hdr, Flag: uint8(f), Tag: strings.ToLower(tag), Value: value}), nil
}

// parsed reads a target in zone-file presentation form, for types whose
// syntax (quoted fields, escapes) is not worth re-implementing.
func parsed(hdr dns.RR_Header, t string) ([]dns.RR, error) {
	if strings.ContainsAny(t, "\n\r") {
		return nil, fmt.Errorf("characters not allowed in a target")
	}
	rr, err := dns.NewRR(hdr.Name + " " + strconv.FormatUint(uint64(hdr.Ttl), 10) + " IN " +
		dns.TypeToString[hdr.Rrtype] + " " + t)
	if err != nil {
		return nil, err
	}
	if rr == nil || rr.Header().Rrtype != hdr.Rrtype {
		return nil, fmt.Errorf("not a %s record", dns.TypeToString[hdr.Rrtype])
	}
	return one(rr), nil
}
