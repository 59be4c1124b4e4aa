package route53

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
)

// TestRoundTrip checks what AdjustEndpoints makes of an endpoint is what
// Records reads back after it is written: the plan must see no difference.
func TestRoundTrip(t *testing.T) {
	set := func(e *endpoint.Endpoint, id string) *endpoint.Endpoint { return e.WithSetIdentifier(id) }
	cases := []*endpoint.Endpoint{
		ep("a.example.com", "A", "1.2.3.4", "5.6.7.8").WithTTL(60),
		ep("a.example.com", "AAAA", "2001:db8::1"),
		ep("a.example.com", "CNAME", "b.other.org"),
		ep("a.example.com", "TXT", "v=spf1 -all"),
		ep("a.example.com", "MX", "10 mx.other.org"),
		set(withProps(ep("a.example.com", "A", "1.2.3.4"), propWeight, "7", propHealthCheck, "abcdef11-2222-3333-4444-555555fedcba"), "w"),
		set(withProps(ep("a.example.com", "A", "1.2.3.4"), propRegion, "eu-west-1"), "l"),
		set(withProps(ep("a.example.com", "A", "1.2.3.4"), propFailover, "SECONDARY"), "f"),
		set(withProps(ep("a.example.com", "A", "1.2.3.4"), propGeoCountry, "US", propGeoSubdivision, "CA"), "g"),
		set(withProps(ep("a.example.com", "A", "1.2.3.4"), propGeoContinent, "EU"), "c"),
		set(withProps(ep("a.example.com", "A", "1.2.3.4"), propGeoProxLocalZone, "us-west-2-lax-1", propGeoProxBias, "-20"), "p"),
		set(withProps(ep("a.example.com", "A", "1.2.3.4"), propGeoProxCoords, "49.22,-74.01"), "q"),
		set(withProps(ep("a.example.com", "TXT", "x"), propMultiValue, "true"), "m"),
		ep("a.example.com", "CNAME", "lb-1.us-east-1.elb.amazonaws.com"),
		withProps(ep("a.example.com", "CNAME", "lb-1.us-east-1.elb.amazonaws.com"), propDualstack, "true"),
		withProps(ep("a.example.com", "AAAA", "d1.cloudfront.net"), propAlias, "true"),
		withProps(ep("a.example.com", "CNAME", "b.example.com"), propAlias, "true"),
		withProps(ep("a.example.com", "CNAME", "x.other.org"), propAlias, "true", propTargetHostedZone, "ZOTHER"),
		set(withProps(ep("a.example.com", "CNAME", "d1.cloudfront.net"), propFailover, "PRIMARY", propEvaluateTargetHealth, "false"), "fa"),
	}
	a := testAdjuster()
	for _, in := range cases {
		t.Run(in.String()+" "+propsString(in.ProviderSpecific), func(t *testing.T) {
			wants, p := a.adjust(in)
			if p != nil {
				t.Fatalf("refused: %v", p)
			}
			z := &zone{sets: map[setKey]*types.ResourceRecordSet{}}
			for _, want := range wants {
				s, err := a.conv.recordSet(want)
				if err != nil {
					t.Fatal(err)
				}
				z.sets[keyOf(&s)] = &s
			}
			got := zoneEndpoints(a.conv, z)
			if len(got) != len(wants) {
				t.Fatalf("%d endpoints back from %d", len(got), len(wants))
			}
			for i, want := range wants {
				g := got[i]
				if g.Key() != want.Key() || !g.Targets.Same(want.Targets) || !g.ProviderSpecific.Same(want.ProviderSpecific) ||
					(want.RecordTTL.IsConfigured() && g.RecordTTL != want.RecordTTL) {
					t.Errorf("read back %v %v\nwant       %v %v", g, g.ProviderSpecific, want, want.ProviderSpecific)
				}
			}
		})
	}
}

func propsString(ps endpoint.ProviderSpecific) string {
	s := ""
	for _, p := range ps {
		s += p.Name + "=" + p.Value + " "
	}
	return s
}
