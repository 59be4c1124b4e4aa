package route53

import (
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

// FuzzAdjust feeds arbitrary annotation values for every aws/* property
// through the validation that runs before any API call. It must never
// panic; an endpoint it accepts must convert to record sets without error,
// and one it refuses must come back held with a problem naming the record.
func FuzzAdjust(f *testing.F) {
	f.Add("A", "1.2.3.4", "s1", "80", "", "", "", "", "", "", "", "")
	f.Add("A", "1.2.3.4", "s1", "", "ap-east-1", "", "", "", "", "", "", "0b79")
	f.Add("A", "1.2.3.4", "s1", "", "", "PRIMARY", "", "", "", "", "", "hc")
	f.Add("A", "1.2.3.4", "s1", "", "", "", "EU", "", "", "", "", "")
	f.Add("A", "1.2.3.4", "s1", "", "", "", "", "*", "", "", "", "")
	f.Add("CNAME", "lb-1.eu-west-1.elb.amazonaws.com", "", "", "", "", "", "", "us-east-1", "1.5,2", "-99", "")
	f.Add("CNAME", "d111.cloudfront.net", "x", "256", "mars-1", "TERTIARY", "XX", "DEU", "", "a,b", "100", "")
	f.Fuzz(func(t *testing.T, typ, target, set, weight, region, failover, continent, country, proxRegion, coords, bias, hc string) {
		e := endpoint.New("app.example.com", typ, target).WithSetIdentifier(set)
		for name, v := range map[string]string{propWeight: weight, propRegion: region, propFailover: failover,
			propGeoContinent: continent, propGeoCountry: country, propGeoProxRegion: proxRegion,
			propGeoProxCoords: coords, propGeoProxBias: bias, propHealthCheck: hc} {
			if v != "" {
				e.WithProviderSpecific(name, v)
			}
		}
		a := testAdjuster()
		outs, p := a.adjust(e)
		if len(outs) == 0 {
			t.Fatal("an in-zone endpoint vanished")
		}
		if p != nil {
			if len(outs) != 1 || !outs[0].Held() || p.Record != e.Key() || p.Reason == "" {
				t.Fatalf("refusal not held or not explained: %+v %+v", outs, p)
			}
			return
		}
		for _, out := range outs {
			if _, err := a.conv.recordSet(out); err != nil {
				t.Fatalf("accepted endpoint %v does not convert: %v", out, err)
			}
		}
	})
}
