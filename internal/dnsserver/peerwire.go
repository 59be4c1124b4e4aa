package dnsserver

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/endpoint"
)

// A zone transfer carries records, not the set identifiers and routing
// properties that tell a weighted or failover set from its neighbours. So
// each routed record also travels as one TXT record at "_gslb.<name>",
// readable by any DNS tool:
//
//	_gslb.app.example.com. 60 IN TXT "v=exodns-gslb1" "type=A" "set=rke2" "ttl=60"
//	    "target=192.0.2.2" "p=aws/weight=80" "p=gslb/health-check=http"
//
// Values are URL-escaped, one per string, so none passes 255 bytes in any
// sane use. A peer rebuilds the sets from these and ignores the plain
// records of routed names, which are only their union.

const (
	routingLabel   = "_gslb."
	routingVersion = "v=exodns-gslb1"
)

// routingRecord encodes one routed endpoint.
func routingRecord(e *endpoint.Endpoint, rrs []dns.RR) dns.RR {
	ttl := uint32(0)
	if len(rrs) > 0 {
		ttl = rrs[0].Header().Ttl
	}
	txt := []string{routingVersion, "type=" + e.RecordType, "set=" + url.QueryEscape(e.SetIdentifier),
		"ttl=" + strconv.FormatInt(int64(e.RecordTTL), 10)}
	for _, t := range e.Targets {
		txt = append(txt, "target="+url.QueryEscape(t))
	}
	for _, p := range e.ProviderSpecific {
		txt = append(txt, "p="+url.QueryEscape(p.Name)+"="+url.QueryEscape(p.Value))
	}
	return &dns.TXT{Hdr: dns.RR_Header{Name: routingLabel + dns.Fqdn(strings.ToLower(e.DNSName)), Rrtype: dns.TypeTXT,
		Class: dns.ClassINET, Ttl: ttl}, Txt: txt}
}

// parseRoutingRecord decodes a routing record at owner (_gslb.<name>).
func parseRoutingRecord(owner string, t *dns.TXT) (*endpoint.Endpoint, error) {
	if len(t.Txt) == 0 || t.Txt[0] != routingVersion {
		return nil, fmt.Errorf("%s: not an exodns routing record", owner)
	}
	e := &endpoint.Endpoint{DNSName: strings.TrimSuffix(strings.TrimPrefix(owner, routingLabel), ".")}
	for _, s := range t.Txt[1:] {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("%s: %q is not key=value", owner, s)
		}
		switch k {
		case "type":
			e.RecordType = v
		case "set", "target":
			u, err := url.QueryUnescape(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", owner, k, err)
			}
			if k == "set" {
				e.SetIdentifier = u
			} else {
				e.Targets = append(e.Targets, u)
			}
		case "ttl":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: ttl: %w", owner, err)
			}
			e.RecordTTL = endpoint.TTL(n)
		case "p":
			name, value, ok := strings.Cut(v, "=")
			n, err1 := url.QueryUnescape(name)
			val, err2 := url.QueryUnescape(value)
			if !ok || err1 != nil || err2 != nil {
				return nil, fmt.Errorf("%s: property %q", owner, v)
			}
			e.ProviderSpecific = append(e.ProviderSpecific, endpoint.ProviderSpecificProperty{Name: n, Value: val})
		}
	}
	if e.RecordType == "" || len(e.Targets) == 0 {
		return nil, fmt.Errorf("%s: a routing record needs a type and targets", owner)
	}
	return e, nil
}

// EndpointsFromTransfer turns a peer's zone transfer back into endpoints:
// plain records grouped by name and type, routed ones from their routing
// records. The SOA and the apex NS (each server names itself) are left out.
func EndpointsFromTransfer(zone string, rrs []dns.RR) ([]*endpoint.Endpoint, error) {
	origin := dns.Fqdn(strings.ToLower(zone))
	type key struct {
		name string
		t    uint16
	}
	routedKeys := map[key]bool{}
	var out []*endpoint.Endpoint
	for _, rr := range rrs {
		h := rr.Header()
		name := strings.ToLower(h.Name)
		if t, ok := rr.(*dns.TXT); ok && strings.HasPrefix(name, routingLabel) && len(t.Txt) > 0 && t.Txt[0] == routingVersion {
			e, err := parseRoutingRecord(name, t)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
			routedKeys[key{dns.Fqdn(e.DNSName), dns.StringToType[e.RecordType]}] = true
		}
	}
	plain := map[key]*endpoint.Endpoint{}
	var order []key
	for _, rr := range rrs {
		h := rr.Header()
		name := strings.ToLower(h.Name)
		switch {
		case h.Rrtype == dns.TypeSOA, h.Rrtype == dns.TypeNS && name == origin:
			continue
		case h.Rrtype == dns.TypeTXT && strings.HasPrefix(name, routingLabel):
			continue
		case routedKeys[key{name, h.Rrtype}]:
			continue
		case !dns.IsSubDomain(origin, name):
			return nil, fmt.Errorf("%s is not in zone %s", name, zone)
		}
		k := key{name, h.Rrtype}
		e := plain[k]
		if e == nil {
			e = &endpoint.Endpoint{DNSName: strings.TrimSuffix(name, "."), RecordType: dns.TypeToString[h.Rrtype],
				RecordTTL: endpoint.TTL(h.Ttl)}
			plain[k] = e
			order = append(order, k)
		}
		e.Targets = append(e.Targets, rrTargetText(rr))
	}
	for _, k := range order {
		out = append(out, plain[k])
	}
	return out, nil
}

// rrTargetText is the endpoint target that converts back into rr.
func rrTargetText(rr dns.RR) string {
	switch v := rr.(type) {
	case *dns.TXT:
		return `"` + strings.ReplaceAll(strings.Join(v.Txt, ""), `\\`, `\`) + `"`
	case *dns.CAA:
		return fmt.Sprintf("%d %s %q", v.Flag, v.Tag, v.Value)
	}
	return rrTarget(rr)
}
