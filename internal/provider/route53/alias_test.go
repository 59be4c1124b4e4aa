package route53

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/test/route53fake"
)

func TestCanonicalHostedZone(t *testing.T) {
	cases := []struct{ target, want string }{
		{"my-lb-123.eu-west-1.elb.amazonaws.com", "Z32O12XQLNTSW2"},
		{"dualstack.my-lb-123.us-east-1.elb.amazonaws.com.", "Z35SXDOTRQ7X7K"},
		{"internal-my-lb-123.ap-east-1.elb.amazonaws.com", "Z3DQVH9N71FHZ0"},
		{"my-nlb-abc.elb.us-west-2.amazonaws.com", "Z18D5FSROUN65G"},
		{"my-nlb-abc.elb.cn-north-1.amazonaws.com.cn", "Z3QFB96KMJ7ED6"},
		{"d111111abcdef8.cloudfront.net", "Z2FDTNDATAQYW2"},
		{"a1234567890abcdef.awsglobalaccelerator.com", "Z2BJ6XQ5FK7U4H"},
		{"d-abc123.execute-api.eu-west-1.amazonaws.com", "ZLY8HYME6SFDD"},
		{"bucket.s3-website-us-east-1.amazonaws.com", "Z3AQBSTGFYJSTF"},
		{"bucket.s3-website.eu-central-1.amazonaws.com", "Z21DNDUVLTQW6Q"},
		{"my-lb-123.mars-1.elb.amazonaws.com", ""},
		{"example.org", ""},
		{"foo.amazonaws.com", ""},
	}
	for _, tc := range cases {
		if got := CanonicalHostedZone(tc.target); got != tc.want {
			t.Errorf("CanonicalHostedZone(%q) = %q, want %q", tc.target, got, tc.want)
		}
	}
}

// TestAliasScenario checks alias records: a CNAME to an AWS endpoint
// becomes an A and an AAAA alias, each with its own ownership record named
// after its type, as upstream writes them; aws/dualstack=false keeps the A
// alone; each converges; --aws-prefer-cname keeps the CNAME.
func TestAliasScenario(t *testing.T) {
	const lb = "k8s-app-1234.eu-west-1.elb.amazonaws.com"
	cases := []struct {
		name   string
		mutate func(*Config)
		ep     *endpoint.Endpoint
		want   []string
		extra  []*endpoint.Endpoint
	}{
		{"auto alias", nil, owned("app.example.com", "CNAME", "ingress/default/app", lb),
			[]string{"app.example.com. A alias=" + lb + ". zone=Z32O12XQLNTSW2 eth=true",
				"app.example.com. AAAA alias=" + lb + ". zone=Z32O12XQLNTSW2 eth=true",
				"a-app.example.com. TXT ttl=300 " + ownership("c1"),
				"aaaa-app.example.com. TXT ttl=300 " + ownership("c1")}, nil},
		{"dualstack off, no target health", nil, withProps(owned("app.example.com", "CNAME", "ingress/default/app", lb),
			propDualstack, "false", propEvaluateTargetHealth, "false"),
			[]string{"app.example.com. A alias=" + lb + ". zone=Z32O12XQLNTSW2 eth=false",
				"a-app.example.com. TXT ttl=300 " + ownership("c1")}, nil},
		{"weighted alias", nil, withProps(owned("app.example.com", "CNAME", "ingress/default/app", "d1.cloudfront.net").WithSetIdentifier("a"),
			propWeight, "10"),
			[]string{"app.example.com. A set=a weight=10 alias=d1.cloudfront.net. zone=Z2FDTNDATAQYW2 eth=true",
				"app.example.com. AAAA set=a weight=10 alias=d1.cloudfront.net. zone=Z2FDTNDATAQYW2 eth=true",
				"a-app.example.com. TXT set=a weight=10 ttl=300 " + ownership("c1"),
				"aaaa-app.example.com. TXT set=a weight=10 ttl=300 " + ownership("c1")}, nil},
		{"alias into own zone", nil, withProps(owned("www.example.com", "A", "ingress/default/app", "app.example.com"), propAlias, "true"),
			[]string{"www.example.com. A alias=app.example.com. zone={zone} eth=true",
				"a-www.example.com. TXT ttl=300 " + ownership("c1"),
				"app.example.com. A ttl=300 " + rke2IP,
				"a-app.example.com. TXT ttl=300 " + ownership("c1")},
			[]*endpoint.Endpoint{owned("app.example.com", "A", "ingress/default/app", rke2IP)}},
		{"prefer CNAME", func(c *Config) { c.PreferCNAME = true }, owned("app.example.com", "CNAME", "ingress/default/app", lb).WithTTL(60),
			[]string{"app.example.com. CNAME ttl=60 " + lb,
				"cname-app.example.com. TXT ttl=300 " + ownership("c1")}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, route53fake.Options{Rate: -1})
			zid := e.fake.AddZone("example.com", false, nil)
			cfg := testConfig()
			if tc.mutate != nil {
				tc.mutate(&cfg)
			}
			c := e.cluster("c1", "", cfg)
			c.mustConverge(append(tc.extra, tc.ep)...)
			var want []string
			for _, w := range tc.want {
				want = append(want, replaceAll(w, "{zone}", zid))
			}
			e.wantZone(zid, want...)
		})
	}
}

func replaceAll(s, old, new string) string {
	for {
		i := indexOf(s, old)
		if i < 0 {
			return s
		}
		s = s[:i] + new + s[i+len(old):]
	}
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// TestUpstreamOwnershipRecords takes over a zone external-dns wrote: its
// ownership TXT records carry the record's routing (latency region,
// failover role with health check) and the default TTL. They are read
// without churn, and when their labels change they are rewritten in place
// with their policy kept.
func TestUpstreamOwnershipRecords(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: -1})
	zid := e.fake.AddZone("example.com", false, nil)
	hc := e.healthCheck("hc")
	old := `"heritage=external-dns,external-dns/owner=k3s-cluster,external-dns/resource=ingress/default/old"`
	seed := []types.ResourceRecordSet{
		{Name: aws.String("app.example.com"), Type: types.RRTypeA, SetIdentifier: aws.String("sg"), Region: types.ResourceRecordSetRegionApSoutheast1,
			TTL: aws.Int64(60), ResourceRecords: []types.ResourceRecord{{Value: aws.String(k3sIP)}}},
		{Name: aws.String("k3sa-app.example.com"), Type: types.RRTypeTxt, SetIdentifier: aws.String("sg"), Region: types.ResourceRecordSetRegionApSoutheast1,
			TTL: aws.Int64(300), ResourceRecords: []types.ResourceRecord{{Value: aws.String(old)}}},
		{Name: aws.String("web.example.com"), Type: types.RRTypeA, SetIdentifier: aws.String("p"), Failover: types.ResourceRecordSetFailoverPrimary,
			HealthCheckId: aws.String(hc), TTL: aws.Int64(60), ResourceRecords: []types.ResourceRecord{{Value: aws.String(k3sIP)}}},
		{Name: aws.String("k3sa-web.example.com"), Type: types.RRTypeTxt, SetIdentifier: aws.String("p"), Failover: types.ResourceRecordSetFailoverPrimary,
			HealthCheckId: aws.String(hc), TTL: aws.Int64(300), ResourceRecords: []types.ResourceRecord{{Value: aws.String(old)}}},
	}
	if err := e.fake.PutRecordSets(zid, seed...); err != nil {
		t.Fatal(err)
	}
	c := e.cluster("k3s-cluster", "k3s", testConfig())
	appEp := withProps(owned("app.example.com", "A", "ingress/default/old", k3sIP).WithTTL(60).WithSetIdentifier("sg"), propRegion, "ap-southeast-1")
	webEp := withProps(owned("web.example.com", "A", "ingress/default/old", k3sIP).WithTTL(60).WithSetIdentifier("p"),
		propFailover, "PRIMARY", propHealthCheck, hc)
	// Same resource: nothing to do, not even on the first run.
	if ch, err := c.sync(appEp, webEp); err != nil || ch.HasChanges() || c.api.calls["ChangeResourceRecordSets"].Load() != 0 {
		t.Fatalf("takeover not idle: %v %+v", err, ch)
	}
	// The objects are renamed: ownership records are updated in place.
	appEp.Labels.Set(endpoint.ResourceLabel, "ingress/default/app")
	webEp.Labels.Set(endpoint.ResourceLabel, "ingress/default/app")
	c.mustConverge(appEp, webEp)
	e.wantZone(zid,
		"app.example.com. A set=sg region=ap-southeast-1 ttl=60 "+k3sIP,
		"k3sa-app.example.com. TXT set=sg region=ap-southeast-1 ttl=300 "+ownership("k3s-cluster"),
		"web.example.com. A set=p failover=PRIMARY health-check-id="+hc+" ttl=60 "+k3sIP,
		"k3sa-web.example.com. TXT set=p failover=PRIMARY health-check-id="+hc+" ttl=300 "+ownership("k3s-cluster"),
	)
	// A new latency set's ownership record copies its record's policy.
	hkEp := withProps(owned("app.example.com", "A", "ingress/default/app", rke2IP).WithTTL(60).WithSetIdentifier("hk"), propRegion, "ap-east-1")
	c.mustConverge(appEp, webEp, hkEp)
	got := e.zoneContent(zid)
	wantLine := "k3sa-app.example.com. TXT set=hk region=ap-east-1 ttl=300 " + ownership("k3s-cluster")
	if !contains(got, wantLine) {
		t.Errorf("missing %q in\n%v", wantLine, got)
	}
	_ = context.Background
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
