package route53

import (
	"reflect"
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

func testAdjuster() adjuster {
	own := map[string]string{"example.com": "ZOWN"}
	return adjuster{
		conv: converter{evaluateTargetHealth: true, ownZone: func(n string) (string, bool) {
			for z, id := range own {
				if endpoint.MatchDomain(z, n) {
					return id, true
				}
			}
			return "", false
		}},
		zonesKnown: true,
		inZone:     func(n string) bool { return endpoint.MatchDomain("example.com", n) },
	}
}

func ep(name, typ string, targets ...string) *endpoint.Endpoint {
	return endpoint.New(name, typ, targets...)
}

func withProps(e *endpoint.Endpoint, kv ...string) *endpoint.Endpoint {
	for i := 0; i+1 < len(kv); i += 2 {
		e.WithProviderSpecific(kv[i], kv[i+1])
	}
	return e
}

// TestAdjustRefuses checks every combination Route 53 would reject is held
// with a message naming the record and the annotation.
func TestAdjustRefuses(t *testing.T) {
	set := func(e *endpoint.Endpoint) *endpoint.Endpoint { return e.WithSetIdentifier("s1") }
	cases := []struct {
		name       string
		in         *endpoint.Endpoint
		annotation string
		reason     string
	}{
		{"policy without set identifier", withProps(ep("a.example.com", "A", "1.2.3.4"), propWeight, "10"), "aws-weight", "needs a set identifier"},
		{"set identifier without policy", set(ep("a.example.com", "A", "1.2.3.4")), "set-identifier", "has no routing policy"},
		{"two policies", set(withProps(ep("a.example.com", "A", "1.2.3.4"), propWeight, "10", propRegion, "eu-west-1")), "aws-region", "one routing policy"},
		{"weight too big", set(withProps(ep("a.example.com", "A", "1.2.3.4"), propWeight, "256")), "aws-weight", "0 to 255"},
		{"weight not a number", set(withProps(ep("a.example.com", "A", "1.2.3.4"), propWeight, "heavy")), "aws-weight", "0 to 255"},
		{"bad latency region", set(withProps(ep("a.example.com", "A", "1.2.3.4"), propRegion, "mars-1")), "aws-region", "not a Route 53 latency region"},
		{"bad failover", set(withProps(ep("a.example.com", "A", "1.2.3.4"), propFailover, "TERTIARY")), "aws-failover", "PRIMARY or SECONDARY"},
		{"primary without health check", set(withProps(ep("a.example.com", "A", "1.2.3.4"), propFailover, "PRIMARY")), "aws-health-check-id", "needs a health check"},
		{"bad continent", set(withProps(ep("a.example.com", "A", "1.2.3.4"), propGeoContinent, "XX")), "aws-geolocation-continent-code", "not one of"},
		{"continent and country", set(withProps(ep("a.example.com", "A", "1.2.3.4"), propGeoContinent, "EU", propGeoCountry, "DE")), "aws-geolocation-continent-code", "cannot be combined"},
		{"bad country", set(withProps(ep("a.example.com", "A", "1.2.3.4"), propGeoCountry, "DEU")), "aws-geolocation-country-code", "two-letter"},
		{"subdivision alone", set(withProps(ep("a.example.com", "A", "1.2.3.4"), propGeoSubdivision, "CA")), "aws-geolocation-country-code", "is needed"},
		{"geoproximity two locations", set(withProps(ep("a.example.com", "A", "1.2.3.4"), propGeoProxRegion, "us-east-1", propGeoProxCoords, "1,2")), "aws-geoproximity-region", "exactly one"},
		{"bias out of range", set(withProps(ep("a.example.com", "A", "1.2.3.4"), propGeoProxRegion, "us-east-1", propGeoProxBias, "100")), "aws-geoproximity-bias", "-99 to 99"},
		{"bad coordinates", set(withProps(ep("a.example.com", "A", "1.2.3.4"), propGeoProxCoords, "91,10")), "aws-geoproximity-coordinates", "latitude,longitude"},
		{"multivalue false", set(withProps(ep("a.example.com", "A", "1.2.3.4"), propMultiValue, "false")), "aws-multi-value-answer", "must be \"true\""},
		{"multivalue CNAME", set(withProps(ep("a.example.com", "CNAME", "b.other.org"), propMultiValue, "true")), "aws-multi-value-answer", "cannot be a CNAME"},
		{"multivalue alias", set(withProps(ep("a.example.com", "CNAME", "x.cloudfront.net"), propMultiValue, "true")), "aws-multi-value-answer", "alias"},
		{"routed NS", set(withProps(ep("a.example.com", "NS", "ns1.other.org"), propWeight, "1")), "aws-weight", "does not route NS"},
		{"unknown aws property", withProps(ep("a.example.com", "A", "1.2.3.4"), "aws/wieght", "1"), "aws-wieght", "not a Route 53 setting"},
		{"alias on MX", withProps(ep("a.example.com", "MX", "10 mx.other.org"), propAlias, "true"), "alias", "only A, AAAA and CNAME"},
		{"alias unknown target", withProps(ep("a.example.com", "CNAME", "lb.other.org"), propAlias, "true"), "aws-target-hosted-zone", "neither an AWS endpoint"},
		{"target zone without alias", withProps(ep("a.example.com", "A", "1.2.3.4"), propTargetHostedZone, "Z1"), "aws-target-hosted-zone", "only to alias"},
		{"two CNAME targets", ep("a.example.com", "CNAME", "b.other.org", "c.other.org"), "", "exactly one target"},
		{"health check too long", set(withProps(ep("a.example.com", "A", "1.2.3.4"), propWeight, "1", propHealthCheck, strings.Repeat("x", 65))), "aws-health-check-id", "not a Route 53 health check ID"},
		// The seeds' own placeholder: real IDs are UUIDs.
		{"health check placeholder", set(withProps(ep("a.example.com", "A", "1.2.3.4"), propFailover, "PRIMARY", propHealthCheck, "0b794607-275f-xxxx-xxxx")), "aws-health-check-id", "is not a Route 53 health check ID, which is a UUID"},
	}
	a := testAdjuster()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			outs, p := a.adjust(tc.in)
			if p == nil || len(outs) != 1 {
				t.Fatalf("accepted: %v", outs)
			}
			out := outs[0]
			if !out.Held() {
				t.Fatalf("refused endpoint not held: %v", out.Labels)
			}
			msg := p.Error()
			for _, want := range []string{tc.in.DNSName, tc.reason} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
			if tc.annotation != "" && !strings.Contains(msg, "external-dns.alpha.kubernetes.io/"+tc.annotation) {
				t.Errorf("message %q lacks annotation %q", msg, tc.annotation)
			}
			if out.Labels.Get(endpoint.HoldLabel) != msg {
				t.Errorf("hold reason %q, want %q", out.Labels.Get(endpoint.HoldLabel), msg)
			}
		})
	}
}

// TestAdjustCanonical checks accepted endpoints come out in the exact form
// Records reports, so the plan sees no difference.
func TestAdjustCanonical(t *testing.T) {
	const hc = "abcdef11-2222-3333-4444-555555fedcba"
	cases := []struct {
		name      string
		in        *endpoint.Endpoint
		wantType  string // several for the alias sets of a CNAME
		wantTTL   endpoint.TTL
		wantProps map[string]string
		targets   []string
	}{
		{"weight spelled oddly", withProps(ep("a.example.com", "A", "1.2.3.4"), propWeight, " 080").WithSetIdentifier("s"), "A", 0,
			map[string]string{propWeight: "80"}, []string{"1.2.3.4"}},
		{"latency upper case", withProps(ep("a.example.com", "A", "1.2.3.4"), propRegion, "AP-EAST-1", propHealthCheck, hc).WithSetIdentifier("s"), "A", 0,
			map[string]string{propRegion: "ap-east-1", propHealthCheck: hc}, []string{"1.2.3.4"}},
		{"failover lower case alias", withProps(ep("a.example.com", "CNAME", "lb-1.eu-west-1.elb.amazonaws.com"), propFailover, "primary").WithSetIdentifier("s").WithTTL(60), "A AAAA", 0,
			map[string]string{propFailover: "PRIMARY", propAlias: "true", propEvaluateTargetHealth: "true"}, []string{"lb-1.eu-west-1.elb.amazonaws.com"}},
		{"geolocation default", withProps(ep("a.example.com", "A", "1.2.3.4"), propGeoCountry, "*").WithSetIdentifier("s"), "A", 0,
			map[string]string{propGeoCountry: "*"}, []string{"1.2.3.4"}},
		{"geoproximity bias zero dropped", withProps(ep("a.example.com", "A", "1.2.3.4"), propGeoProxCoords, " 1.25 , -103.8", propGeoProxBias, "0").WithSetIdentifier("s"), "A", 0,
			map[string]string{propGeoProxCoords: "1.25,-103.8"}, []string{"1.2.3.4"}},
		{"alias A stays A alone", withProps(ep("a.example.com", "A", "D1.CloudFront.net."), propAlias, "true", propEvaluateTargetHealth, "False"), "A", 0,
			map[string]string{propAlias: "true", propEvaluateTargetHealth: "false"}, []string{"d1.cloudfront.net"}},
		{"auto alias to NLB, dual-stack by default", ep("a.example.com", "CNAME", "x-1.elb.us-east-1.amazonaws.com").WithTTL(30), "A AAAA", 0,
			map[string]string{propAlias: "true", propEvaluateTargetHealth: "true"}, []string{"x-1.elb.us-east-1.amazonaws.com"}},
		{"auto alias to ALB, dual-stack turned off", withProps(ep("a.example.com", "CNAME", "k8s-app-1.eu-west-1.elb.amazonaws.com"), propDualstack, "false"), "A", 0,
			map[string]string{propAlias: "true", propEvaluateTargetHealth: "true"}, []string{"k8s-app-1.eu-west-1.elb.amazonaws.com"}},
		{"alias into own zone is A alone", withProps(ep("a.example.com", "CNAME", "b.example.com"), propAlias, "true"), "A", 0,
			map[string]string{propAlias: "true", propEvaluateTargetHealth: "true"}, []string{"b.example.com"}},
		{"alias into own zone, dual-stack asked", withProps(ep("a.example.com", "CNAME", "b.example.com"), propAlias, "true", propTargetHostedZone, "ZOWN", propDualstack, "true"), "A AAAA", 0,
			map[string]string{propAlias: "true", propEvaluateTargetHealth: "true"}, []string{"b.example.com"}},
		{"A alias with dual-stack asked", withProps(ep("a.example.com", "A", "d1.cloudfront.net"), propAlias, "true", propDualstack, "true"), "A AAAA", 0,
			map[string]string{propAlias: "true", propEvaluateTargetHealth: "true"}, []string{"d1.cloudfront.net"}},
		{"alias false stays CNAME", withProps(ep("a.example.com", "CNAME", "d1.cloudfront.net"), propAlias, "false", "webhook/foo", "bar").WithTTL(30), "CNAME", 30,
			nil, []string{"d1.cloudfront.net"}},
		{"TXT quoted and deduped", ep("a.example.com", "TXT", "hello", `"hello"`), "TXT", 0, nil, []string{`"hello"`}},
	}
	a := testAdjuster()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.in.DeepCopy()
			outs, p := a.adjust(tc.in)
			if p != nil {
				t.Fatalf("refused: %v", p)
			}
			var gotTypes []string
			for _, o := range outs {
				gotTypes = append(gotTypes, o.RecordType)
			}
			if strings.Join(gotTypes, " ") != tc.wantType {
				t.Errorf("types = %v, want %s", gotTypes, tc.wantType)
			}
			out := outs[0]
			if out.RecordTTL != tc.wantTTL {
				t.Errorf("ttl = %d, want %d", out.RecordTTL, tc.wantTTL)
			}
			var want endpoint.ProviderSpecific
			for k, v := range tc.wantProps {
				want.Set(k, v)
			}
			for _, out := range outs {
				if !out.ProviderSpecific.Same(want) {
					t.Errorf("%s props = %v, want %v", out.RecordType, out.ProviderSpecific, want)
				}
				if !out.Targets.Same(tc.targets) || len(out.Targets) != len(tc.targets) {
					t.Errorf("%s targets = %v, want %v", out.RecordType, out.Targets, tc.targets)
				}
			}
			if !reflect.DeepEqual(before, tc.in) {
				t.Errorf("input modified: %+v", tc.in)
			}
		})
	}
}

func TestAdjustDropsNamesOutsideZones(t *testing.T) {
	out, p := testAdjuster().adjust(ep("a.other.org", "A", "1.2.3.4"))
	if out != nil || p != nil {
		t.Fatalf("got %v, %v; want dropped", out, p)
	}
}
