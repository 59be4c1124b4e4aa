package route53

import (
	"bytes"
	"compress/gzip"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/registry/txt"
)

// This file states, independently of the provider and registry code, what
// upstream external-dns v0.22 writes to Route 53 (shared/compat: the
// ownership TXT of a record copies its set identifier, routing policy and
// health check, has no TTL of its own, so 300, and is named after the
// record's own type, "a-"/"aaaa-" for aliases too; a CNAME to an AWS
// endpoint becomes an A and an AAAA alias). The scenario tests check both
// directions against it.

const (
	upstreamOwner = "k3s-cluster"
	elbTarget     = "k8s-web-1234.eu-west-1.elb.amazonaws.com"
	elbTarget2    = "k8s-web-5678.eu-west-1.elb.amazonaws.com"
	elbZone       = "Z32O12XQLNTSW2"
	cfTarget      = "d1abcdef.cloudfront.net"
	cfZone        = "Z2FDTNDATAQYW2"
	upstreamKey   = "k3s-txt-registry-aes-key-32bytes"
)

// affix is one --txt-prefix/--txt-suffix setting, with upstream's naming
// rule for it written out by hand.
type affix struct {
	name           string
	prefix, suffix string
	wildcard       string                         // --txt-wildcard-replacement
	txtName        func(label, typ string) string // for <label>.example.com
}

var affixes = []affix{
	{"none", "", "", "", func(l, t string) string { return t + "-" + l + ".example.com" }},
	{"prefix k3s", "k3s", "", "", func(l, t string) string { return "k3s" + t + "-" + l + ".example.com" }},
	{"prefix k3s-", "k3s-", "", "", func(l, t string) string { return "k3s-" + t + "-" + l + ".example.com" }},
	{"prefix k3s.", "k3s.", "", "", func(l, t string) string { return "k3s." + t + "-" + l + ".example.com" }},
	{"templated prefix", "%{record_type}-k3s.", "", "", func(l, t string) string { return t + "-k3s." + l + ".example.com" }},
	{"suffix -k3s", "", "-k3s", "", func(l, t string) string { return t + "-" + l + "-k3s.example.com" }},
	{"templated suffix", "", "-%{record_type}", "", func(l, t string) string { return l + "-" + t + ".example.com" }},
	{"prefix k3s-, wildcard replaced", "k3s-", "", "wildcard", func(l, t string) string { return "k3s-" + t + "-" + l + ".example.com" }},
}

// spec is one record as a source asks for it: a label under example.com,
// its resource, and the record sets upstream writes for it (without TXT).
type spec struct {
	label    string
	resource string
	desired  *endpoint.Endpoint
	sets     []types.ResourceRecordSet
}

func a(ip string) []types.ResourceRecord { return []types.ResourceRecord{{Value: aws.String(ip)}} }

// upstreamSpecs is a zone with every kind of record upstream writes.
// hc1 and hc2 are health check IDs.
func upstreamSpecs(hc1, hc2 string) []spec {
	name := func(l string) *string { return aws.String(l + ".example.com.") }
	res := func(l string) string { return "service/default/" + strings.ReplaceAll(l, "*", "star") }
	ep := func(l, typ string, targets ...string) *endpoint.Endpoint {
		return owned(l+".example.com", typ, res(l), targets...)
	}
	routed := func(l, set string, props ...string) *endpoint.Endpoint {
		return withProps(ep(l, "A", "192.0.2.1"), props...).WithSetIdentifier(set).WithTTL(60)
	}
	alias := func(l, typ, target, zone string) types.ResourceRecordSet {
		return types.ResourceRecordSet{Name: name(l), Type: types.RRType(typ),
			AliasTarget: &types.AliasTarget{DNSName: aws.String(target + "."), HostedZoneId: aws.String(zone), EvaluateTargetHealth: true}}
	}
	routedSet := func(l, set string, f func(*types.ResourceRecordSet)) types.ResourceRecordSet {
		s := types.ResourceRecordSet{Name: name(l), Type: types.RRTypeA, SetIdentifier: aws.String(set), TTL: aws.Int64(60), ResourceRecords: a("192.0.2.1")}
		f(&s)
		return s
	}
	out := []spec{
		{label: "plain", desired: ep("plain", "A", "192.0.2.10").WithTTL(60),
			sets: []types.ResourceRecordSet{{Name: name("plain"), Type: types.RRTypeA, TTL: aws.Int64(60), ResourceRecords: a("192.0.2.10")}}},
		{label: "*", desired: ep("*", "A", "192.0.2.20").WithTTL(60),
			sets: []types.ResourceRecordSet{{Name: name("*"), Type: types.RRTypeA, TTL: aws.Int64(60), ResourceRecords: a("192.0.2.20")}}},
		{label: "cn", desired: ep("cn", "CNAME", "target.example.org").WithTTL(60),
			sets: []types.ResourceRecordSet{{Name: name("cn"), Type: types.RRTypeCname, TTL: aws.Int64(60), ResourceRecords: a("target.example.org")}}},
		{label: "lb", desired: ep("lb", "CNAME", elbTarget),
			sets: []types.ResourceRecordSet{alias("lb", "A", elbTarget, elbZone), alias("lb", "AAAA", elbTarget, elbZone)}},
	}
	// One spec per set of the routed names: each set is its own record.
	add := func(l, set string, d *endpoint.Endpoint, f func(*types.ResourceRecordSet)) {
		out = append(out, spec{label: l, desired: d, sets: []types.ResourceRecordSet{routedSet(l, set, f)}})
	}
	add("w", "w1", routed("w", "w1", propWeight, "80"), func(s *types.ResourceRecordSet) { s.Weight = aws.Int64(80) })
	add("w", "w2", routed("w", "w2", propWeight, "20"), func(s *types.ResourceRecordSet) { s.Weight = aws.Int64(20) })
	add("lat", "eu", routed("lat", "eu", propRegion, "eu-west-1", propHealthCheck, hc1), func(s *types.ResourceRecordSet) {
		s.Region, s.HealthCheckId = types.ResourceRecordSetRegionEuWest1, aws.String(hc1)
	})
	add("lat", "us", routed("lat", "us", propRegion, "us-east-1", propHealthCheck, hc2), func(s *types.ResourceRecordSet) {
		s.Region, s.HealthCheckId = types.ResourceRecordSetRegionUsEast1, aws.String(hc2)
	})
	add("fo", "primary", routed("fo", "primary", propFailover, "PRIMARY", propHealthCheck, hc1), func(s *types.ResourceRecordSet) {
		s.Failover, s.HealthCheckId = types.ResourceRecordSetFailoverPrimary, aws.String(hc1)
	})
	add("fo", "secondary", routed("fo", "secondary", propFailover, "SECONDARY"), func(s *types.ResourceRecordSet) {
		s.Failover = types.ResourceRecordSetFailoverSecondary
	})
	add("geo", "eu", routed("geo", "eu", propGeoContinent, "EU"), func(s *types.ResourceRecordSet) {
		s.GeoLocation = &types.GeoLocation{ContinentCode: aws.String("EU")}
	})
	add("geo", "us-ca", routed("geo", "us-ca", propGeoCountry, "US", propGeoSubdivision, "CA"), func(s *types.ResourceRecordSet) {
		s.GeoLocation = &types.GeoLocation{CountryCode: aws.String("US"), SubdivisionCode: aws.String("CA")}
	})
	add("geo", "default", routed("geo", "default", propGeoCountry, "*"), func(s *types.ResourceRecordSet) {
		s.GeoLocation = &types.GeoLocation{CountryCode: aws.String("*")}
	})
	add("mv", "m1", routed("mv", "m1", propMultiValue, "true", propHealthCheck, hc1), func(s *types.ResourceRecordSet) {
		s.MultiValueAnswer, s.HealthCheckId = aws.Bool(true), aws.String(hc1)
	})
	add("mv", "m2", routed("mv", "m2", propMultiValue, "true"), func(s *types.ResourceRecordSet) { s.MultiValueAnswer = aws.Bool(true) })
	wlb := withProps(ep("wlb", "CNAME", cfTarget), propWeight, "100").WithSetIdentifier("blue")
	wa, w4 := alias("wlb", "A", cfTarget, cfZone), alias("wlb", "AAAA", cfTarget, cfZone)
	for _, s := range []*types.ResourceRecordSet{&wa, &w4} {
		s.SetIdentifier, s.Weight = aws.String("blue"), aws.Int64(100)
	}
	out = append(out, spec{label: "wlb", desired: wlb, sets: []types.ResourceRecordSet{wa, w4}})
	for i := range out {
		out[i].resource = res(out[i].label)
	}
	return out
}

// ownershipSet is the TXT set upstream writes for the record set rec: the
// record's set identifier, routing and health check copied, TTL 300.
func ownershipSet(af affix, label string, rec types.ResourceRecordSet, value string) types.ResourceRecordSet {
	if label == "*" && af.wildcard != "" {
		label = af.wildcard
	}
	return types.ResourceRecordSet{
		Name:             aws.String(af.txtName(label, strings.ToLower(string(rec.Type))) + "."),
		Type:             types.RRTypeTxt,
		TTL:              aws.Int64(300),
		ResourceRecords:  []types.ResourceRecord{{Value: aws.String(value)}},
		SetIdentifier:    rec.SetIdentifier,
		Weight:           rec.Weight,
		Region:           rec.Region,
		Failover:         rec.Failover,
		GeoLocation:      rec.GeoLocation,
		MultiValueAnswer: rec.MultiValueAnswer,
		HealthCheckId:    rec.HealthCheckId,
	}
}

// upstreamZone returns every set upstream writes for specs: records and
// their ownership records, valued by value(resource).
func upstreamZone(af affix, specs []spec, value func(resource string) string) []types.ResourceRecordSet {
	var out []types.ResourceRecordSet
	for _, s := range specs {
		for _, rec := range s.sets {
			out = append(out, rec, ownershipSet(af, s.label, rec, value(s.resource)))
		}
	}
	return out
}

func ownershipText(resource string) string {
	return "heritage=external-dns,external-dns/owner=" + upstreamOwner + ",external-dns/resource=" + resource
}

func plainValue(resource string) string { return `"` + ownershipText(resource) + `"` }

// upstreamEncrypt writes a value as upstream encrypts it:
// base64(nonce ‖ AES-256-GCM(gzip(text))), quoted.
func upstreamEncrypt(t testing.TB, text string, nonce []byte) string {
	t.Helper()
	var z bytes.Buffer
	w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	_, _ = w.Write([]byte(text))
	_ = w.Flush()
	_ = w.Close()
	block, err := aes.NewCipher([]byte(upstreamKey))
	if err != nil {
		t.Fatal(err)
	}
	gcm, _ := cipher.NewGCM(block)
	return `"` + base64.StdEncoding.EncodeToString(append(slices.Clone(nonce), gcm.Seal(nil, nonce, z.Bytes(), nil)...)) + `"`
}

// upstreamDecrypt reads such a value back; ok is false for plain text.
func upstreamDecrypt(v string) (string, bool) {
	raw, err := base64.StdEncoding.DecodeString(strings.Trim(v, `"`))
	if err != nil || len(raw) < 12+16 {
		return "", false
	}
	block, _ := aes.NewCipher([]byte(upstreamKey))
	gcm, _ := cipher.NewGCM(block)
	plain, err := gcm.Open(nil, raw[:12], raw[12:], nil)
	if err != nil {
		return "", false
	}
	r, err := gzip.NewReader(bytes.NewReader(plain))
	if err != nil {
		return "", false
	}
	text, err := io.ReadAll(r)
	if err != nil {
		return "", false
	}
	return string(text), true
}

// fullRender prints every field of a set that Route 53 compares on a
// DELETE, from the raw struct; an encrypted TXT value is shown decrypted,
// since a fresh value has a fresh nonce.
func fullRender(s types.ResourceRecordSet) string {
	str := func(p *string) string {
		if p == nil {
			return "-"
		}
		return *p
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s set=%s", canonicalName(aws.ToString(s.Name)), s.Type, str(s.SetIdentifier))
	if s.TTL != nil {
		fmt.Fprintf(&b, " ttl=%d", *s.TTL)
	}
	if s.Weight != nil {
		fmt.Fprintf(&b, " weight=%d", *s.Weight)
	}
	if s.Region != "" {
		fmt.Fprintf(&b, " region=%s", s.Region)
	}
	if s.Failover != "" {
		fmt.Fprintf(&b, " failover=%s", s.Failover)
	}
	if g := s.GeoLocation; g != nil {
		fmt.Fprintf(&b, " geo=%s/%s/%s", str(g.ContinentCode), str(g.CountryCode), str(g.SubdivisionCode))
	}
	if s.MultiValueAnswer != nil {
		fmt.Fprintf(&b, " multivalue=%t", *s.MultiValueAnswer)
	}
	if s.HealthCheckId != nil {
		fmt.Fprintf(&b, " hc=%s", *s.HealthCheckId)
	}
	if at := s.AliasTarget; at != nil {
		fmt.Fprintf(&b, " alias=%s zone=%s eth=%t", canonicalName(str(at.DNSName)), str(at.HostedZoneId), at.EvaluateTargetHealth)
	}
	for _, r := range s.ResourceRecords {
		v := str(r.Value)
		if text, ok := upstreamDecrypt(v); ok {
			v = "encrypted(" + text + ")"
		}
		fmt.Fprintf(&b, " %s", v)
	}
	return b.String()
}

func renderAll(sets []types.ResourceRecordSet) []string {
	var out []string
	for _, s := range sets {
		if s.Type == types.RRTypeSoa || s.Type == types.RRTypeNs {
			continue
		}
		out = append(out, fullRender(s))
	}
	slices.Sort(out)
	return out
}

func (e *env) wantSets(zoneID string, want []types.ResourceRecordSet) {
	e.t.Helper()
	got, exp := renderAll(e.fake.RecordSets(zoneID)), renderAll(want)
	if !slices.Equal(got, exp) {
		var diff []string
		for _, g := range got {
			if !slices.Contains(exp, g) {
				diff = append(diff, "+ "+g)
			}
		}
		for _, w := range exp {
			if !slices.Contains(got, w) {
				diff = append(diff, "- "+w)
			}
		}
		e.t.Errorf("zone differs from upstream's form (+ extra, - missing):\n  %s", strings.Join(diff, "\n  "))
	}
}

func desiredOf(specs []spec) []*endpoint.Endpoint {
	out := make([]*endpoint.Endpoint, len(specs))
	for i, s := range specs {
		out[i] = s.desired
	}
	return out
}

// fastConfig is testConfig without the client's request budget, for
// scenarios whose fake does not throttle either.
func fastConfig() Config {
	c := testConfig()
	c.APIRateLimit = 0
	return c
}

// txtConfig is the registry configuration of an affix, encrypted or not.
func txtConfig(af affix, encrypt bool) txt.Config {
	c := txt.Config{OwnerID: upstreamOwner, Prefix: af.prefix, Suffix: af.suffix, WildcardReplacement: af.wildcard}
	if encrypt {
		c.EncryptKey = []byte(upstreamKey)
	}
	return c
}
