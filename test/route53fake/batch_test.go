package route53fake_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/test/route53fake"
)

func (e *env) healthCheck(t *testing.T, ref string) string {
	t.Helper()
	out, err := e.c.CreateHealthCheck(context.Background(), &route53.CreateHealthCheckInput{
		CallerReference: aws.String(ref),
		HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeHttp,
			FullyQualifiedDomainName: aws.String("origin.example.net"), ResourcePath: aws.String("/healthz")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return *out.HealthCheck.Id
}

// batchCase applies setup (which must succeed), then changes, and expects
// code and message (success when code is empty). build, when set, makes the
// changes from the environment, for cases that need IDs.
type batchCase struct {
	name    string
	setup   []types.Change
	changes []types.Change
	build   func(e *env, hc string) []types.Change
	code    string
	msg     string
}

const elbZone = "Z35SXDOTRQ7X7K" // us-east-1 Classic Load Balancers

func TestChangeBatchRules(t *testing.T) {
	a := func(name string, values ...string) *types.ResourceRecordSet {
		return rrset(name, types.RRTypeA, 300, values...)
	}
	cases := []batchCase{
		{name: "create ok", changes: []types.Change{create(a("ok.example.com", "192.0.2.1"))}},
		{name: "create existing", setup: []types.Change{create(a("a.example.com", "192.0.2.1"))},
			changes: []types.Change{create(a("a.example.com.", "192.0.2.2"))}, code: "InvalidChangeBatch",
			msg: "[Tried to create resource record set [name='a.example.com.', type='A'] but it already exists]"},
		{name: "create existing routed", setup: []types.Change{create(weighted(a("w.example.com", "192.0.2.1"), "Default", 1))},
			changes: []types.Change{create(weighted(a("W.Example.COM", "192.0.2.1"), "Default", 1))}, code: "InvalidChangeBatch",
			msg: "[Tried to create resource record set [name='w.example.com.', type='A', set-identifier='Default'] but it already exists]"},
		{name: "delete missing", changes: []types.Change{del(a("k.example.com", "192.0.2.1"))}, code: "InvalidChangeBatch",
			msg: "[Tried to delete resource record set [name='k.example.com.', type='A'] but it was not found]"},
		{name: "delete other ttl", setup: []types.Change{create(a("x.example.com", "192.0.2.1"))},
			changes: []types.Change{del(rrset("x.example.com", types.RRTypeA, 60, "192.0.2.1"))}, code: "InvalidChangeBatch",
			msg: "[Tried to delete resource record set [name='x.example.com.', type='A'] but the values provided do not match the current values]"},
		{name: "delete other values", setup: []types.Change{create(a("x.example.com", "192.0.2.1", "192.0.2.2"))},
			changes: []types.Change{del(a("x.example.com", "192.0.2.1"))}, code: "InvalidChangeBatch",
			msg: "[Tried to delete resource record set [name='x.example.com.', type='A'] but the values provided do not match the current values]"},
		{name: "delete values in other order", setup: []types.Change{create(a("x.example.com", "192.0.2.1", "192.0.2.2"))},
			changes: []types.Change{del(a("x.example.com", "192.0.2.2", "192.0.2.1"))}},
		{name: "delete other weight", setup: []types.Change{create(weighted(a("w.example.com", "192.0.2.1"), "one", 10))},
			changes: []types.Change{del(weighted(a("w.example.com", "192.0.2.1"), "one", 20))}, code: "InvalidChangeBatch",
			msg: "[Tried to delete resource record set [name='w.example.com.', type='A', set-identifier='one'] but the values provided do not match the current values]"},
		{name: "delete without health check id",
			build: func(e *env, hc string) []types.Change {
				s := with(weighted(a("h.example.com", "192.0.2.1"), "one", 10), func(s *types.ResourceRecordSet) { s.HealthCheckId = &hc })
				e.fake.PutRecordSets(e.zone, *s)
				return []types.Change{del(weighted(a("h.example.com", "192.0.2.1"), "one", 10))}
			}, code: "InvalidChangeBatch",
			msg: "[Tried to delete resource record set [name='h.example.com.', type='A', set-identifier='one'] but the values provided do not match the current values]"},
		{name: "cname over other types", setup: []types.Change{create(a("x.example.com", "192.0.2.1"))},
			changes: []types.Change{create(rrset("x.example.com", types.RRTypeCname, 300, "y.example.net"))}, code: "InvalidChangeBatch",
			msg: "[RRSet of type CNAME with DNS name x.example.com. is not permitted as it conflicts with other records with the same DNS name in zone example.com.]"},
		{name: "other type over cname", setup: []types.Change{create(rrset("d.example.com", types.RRTypeCname, 300, "y.example.net"))},
			changes: []types.Change{upsert(rrset("d.example.com", types.RRTypeTxt, 300, `"v"`))}, code: "InvalidChangeBatch",
			msg: "[RRSet of type TXT with DNS name d.example.com. is not permitted because a conflicting RRSet of type  CNAME with the same DNS name already exists in zone example.com.]"},
		{name: "cname at apex", changes: []types.Change{upsert(rrset("example.com", types.RRTypeCname, 300, "y.example.net"))},
			code: "InvalidChangeBatch", msg: "[RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone example.com.]"},
		{name: "name outside zone", changes: []types.Change{create(a("x.other.net", "192.0.2.1"))},
			code: "InvalidChangeBatch", msg: "[RRSet with DNS name x.other.net. is not permitted in zone example.com.]"},
		{name: "name is a suffix but not a subdomain", changes: []types.Change{create(a("badexample.com", "192.0.2.1"))},
			code: "InvalidChangeBatch", msg: "[RRSet with DNS name badexample.com. is not permitted in zone example.com.]"},
		{name: "empty label", changes: []types.Change{create(a("a..example.com", "192.0.2.1"))},
			code: "InvalidChangeBatch", msg: "FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with 'a..example.com'"},
		{name: "label too long", changes: []types.Change{create(a(strings.Repeat("x", 64)+".example.com", "192.0.2.1"))},
			code: "InvalidChangeBatch"},
		{name: "routed over simple", setup: []types.Change{create(a("e.example.com", "192.0.2.1"))},
			changes: []types.Change{create(weighted(a("e.example.com", "192.0.2.2"), "bananas", 1))}, code: "InvalidChangeBatch",
			msg: "[RRSet with DNS name e.example.com., type A, SetIdentifier bananas cannot be created as a non-weighted set exists with the same name and type.]"},
		{name: "simple over routed", setup: []types.Change{create(weighted(rrset("t.example.com", types.RRTypeCname, 60, "a.example.net"), "one", 1))},
			changes: []types.Change{upsert(rrset("t.example.com", types.RRTypeCname, 60, "b.example.net"))}, code: "InvalidChangeBatch",
			msg: "[RRSet with DNS name t.example.com., type CNAME cannot be created as other RRSets exist with the same name and type.]"},
		{name: "weighted and latency mixed", setup: []types.Change{create(weighted(a("m.example.com", "192.0.2.1"), "w", 1))},
			changes: []types.Change{create(latency(a("m.example.com", "192.0.2.2"), "l", "eu-west-1"))}, code: "InvalidChangeBatch",
			msg: "[RRSet with DNS name m.example.com., type A, SetIdentifier l cannot be created as a non-latency set exists with the same name and type.]"},
		{name: "policies may differ across types", setup: []types.Change{create(weighted(a("m.example.com", "192.0.2.1"), "w", 1))},
			changes: []types.Change{create(latency(rrset("m.example.com", types.RRTypeAaaa, 300, "2001:db8::1"), "l", "eu-west-1"))}},
		{name: "second latency record for a region", setup: []types.Change{create(latency(a("xyz.example.com", "192.0.2.1"), "one", "eu-west-1"))},
			changes: []types.Change{create(latency(a("xyz.example.com", "192.0.2.2"), "two", "eu-west-1"))}, code: "InvalidChangeBatch",
			msg: "[RRSet with DNS name xyz.example.com., type A, SetIdentifier two, and Region Name=eu-west-1 cannot be created because a latency RRSet with the same name, type and region already exists.]"},
		{name: "unknown latency region", changes: []types.Change{create(latency(a("l.example.com", "192.0.2.1"), "one", "xx-moon-1"))},
			code: "InvalidInput", msg: "Invalid XML ; cvc-enumeration-valid: Value 'xx-moon-1' is not facet-valid with respect to enumeration '[" +
				strings.Join(regionNames(), ", ") + "]'. It must be a value from the enumeration."},
		{name: "primary without health check", changes: []types.Change{create(with(a("f.example.com", "192.0.2.1"), func(s *types.ResourceRecordSet) {
			s.SetIdentifier, s.Failover = aws.String("p"), types.ResourceRecordSetFailoverPrimary
		}))}, code: "InvalidChangeBatch", msg: "[A non-alias primary ResourceRecordSet must have an associated health check. No changes made.]"},
		{name: "secondary without health check", changes: []types.Change{create(with(a("f.example.com", "192.0.2.1"), func(s *types.ResourceRecordSet) {
			s.SetIdentifier, s.Failover = aws.String("s"), types.ResourceRecordSetFailoverSecondary
		}))}},
		{name: "primary alias without health check", setup: []types.Change{create(a("target.example.com", "192.0.2.1"))},
			build: func(e *env, _ string) []types.Change {
				return []types.Change{create(with(alias("f.example.com", types.RRTypeA, e.zone, "target.example.com"), func(s *types.ResourceRecordSet) {
					s.SetIdentifier, s.Failover = aws.String("p"), types.ResourceRecordSetFailoverPrimary
				}))}
			}},
		{name: "primary with health check", build: func(_ *env, hc string) []types.Change {
			return []types.Change{create(with(a("f.example.com", "192.0.2.1"), func(s *types.ResourceRecordSet) {
				s.SetIdentifier, s.Failover, s.HealthCheckId = aws.String("p"), types.ResourceRecordSetFailoverPrimary, &hc
			}))}
		}},
		{name: "unknown health check", changes: []types.Change{create(with(weighted(a("f.example.com", "192.0.2.1"), "p", 1), func(s *types.ResourceRecordSet) {
			s.HealthCheckId = aws.String("abcdef11-2222-3333-4444-555555fedcba")
		}))}, code: "NoSuchHealthCheck", msg: "A health check with id abcdef11-2222-3333-4444-555555fedcba does not exist."},
		{name: "duplicate values", changes: []types.Change{create(a("d.example.com", "10.160.0.188", "10.160.0.188"))},
			code: "InvalidChangeBatch", msg: "[Duplicate Resource Record: '10.160.0.188']"},
		{name: "invalid ipv4", changes: []types.Change{create(a("d.example.com", "10.0.0"))}, code: "InvalidChangeBatch",
			msg: "[Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '10.0.0'']"},
		{name: "two cname values", changes: []types.Change{create(rrset("c.example.com", types.RRTypeCname, 300, "a.example.net", "b.example.net"))},
			code: "InvalidChangeBatch", msg: "[The request contains an invalid set of changes for a resource record set 'CNAME c.example.com.']"},
		{name: "weight above 255", changes: []types.Change{create(weighted(a("w.example.com", "192.0.2.1"), "one", 256))}, code: "InvalidInput",
			msg: "Invalid XML ; cvc-maxInclusive-valid: Value '256' is not facet-valid with respect to maxInclusive '255' for type 'ResourceRecordSetWeight'."},
		{name: "weight zero", changes: []types.Change{create(weighted(a("w.example.com", "192.0.2.1"), "one", 0))}},
		{name: "negative ttl", changes: []types.Change{create(rrset("n.example.com", types.RRTypeA, -1, "192.0.2.1"))}, code: "InvalidInput",
			msg: "Invalid XML ; cvc-minInclusive-valid: Value '-1' is not facet-valid with respect to minInclusive '0' for type 'TTL'."},
		{name: "missing set identifier", changes: []types.Change{upsert(with(a("w.example.com", "192.0.2.1"), func(s *types.ResourceRecordSet) { s.Weight = aws.Int64(1) }))},
			code: "InvalidInput", msg: "Invalid request: Missing field 'SetIdentifier' in Change with [Action=UPSERT, Name=w.example.com, Type=A, SetIdentifier=null]"},
		{name: "multivalue false needs set identifier", changes: []types.Change{upsert(with(a("w.example.com.", "192.0.2.1"), func(s *types.ResourceRecordSet) { s.MultiValueAnswer = aws.Bool(false) }))},
			code: "InvalidInput", msg: "Invalid request: Missing field 'SetIdentifier' in Change with [Action=UPSERT, Name=w.example.com., Type=A, SetIdentifier=null]"},
		{name: "set identifier without policy", changes: []types.Change{create(with(a("s.example.com", "192.0.2.1"), func(s *types.ResourceRecordSet) { s.SetIdentifier = aws.String("sid") }))},
			code: "InvalidInput", msg: "Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, or MultiValueAnswer], but found none in Change with [Action=CREATE, Name=s.example.com, Type=A, SetIdentifier=sid]"},
		{name: "no ttl", changes: []types.Change{create(with(a("n.example.com", "192.0.2.1"), func(s *types.ResourceRecordSet) { s.TTL = nil }))},
			code: "InvalidInput", msg: "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=CREATE, Name=n.example.com, Type=A, SetIdentifier=null]"},
		{name: "alias with ttl", changes: []types.Change{create(with(alias("n.example.com", types.RRTypeA, elbZone, "lb-1.us-east-1.elb.amazonaws.com"), func(s *types.ResourceRecordSet) { s.TTL = aws.Int64(60) }))},
			code: "InvalidInput", msg: "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one in Change with [Action=CREATE, Name=n.example.com, Type=A, SetIdentifier=null]"},
		{name: "alias to an elb", changes: []types.Change{create(alias("lb.example.com", types.RRTypeA, elbZone, "lb-1.us-east-1.elb.amazonaws.com"))}},
		{name: "alias outside own zone", build: func(e *env, _ string) []types.Change {
			return []types.Change{create(alias("lb.example.com", types.RRTypeA, e.zone, "lb-1.us-east-1.elb.amazonaws.com"))}
		}, code: "InvalidChangeBatch"},
		{name: "alias to missing record", build: func(e *env, _ string) []types.Change {
			return []types.Change{create(alias("www.example.com", types.RRTypeA, e.zone, "nothing.example.com"))}
		}, code: "InvalidChangeBatch"},
		{name: "alias in the batch that creates its target", build: func(e *env, _ string) []types.Change {
			return []types.Change{create(a("target.example.com", "192.0.2.1")), create(alias("www.example.com", types.RRTypeA, e.zone, "target.example.com"))}
		}},
		{name: "unknown country", changes: []types.Change{create(with(a("g.example.com", "192.0.2.1"), func(s *types.ResourceRecordSet) {
			s.SetIdentifier, s.GeoLocation = aws.String("bv"), &types.GeoLocation{CountryCode: aws.String("BV")}
		}))}, code: "InvalidChangeBatch"},
		{name: "continent code too long", changes: []types.Change{create(with(a("g.example.com", "192.0.2.1"), func(s *types.ResourceRecordSet) {
			s.SetIdentifier, s.GeoLocation = aws.String("d"), &types.GeoLocation{ContinentCode: aws.String("Default")}
		}))}, code: "InvalidInput", msg: "Invalid XML ; cvc-length-valid: Value 'Default' with length = '7' is not facet-valid with respect to length '2' for type 'ContinentCode'."},
		{name: "subdivision outside the US", changes: []types.Change{create(with(a("g.example.com", "192.0.2.1"), func(s *types.ResourceRecordSet) {
			s.SetIdentifier, s.GeoLocation = aws.String("d"), &types.GeoLocation{CountryCode: aws.String("CA"), SubdivisionCode: aws.String("ON")}
		}))}, code: "InvalidChangeBatch"},
		{name: "geolocation default and state", changes: []types.Change{
			create(with(a("g.example.com", "192.0.2.1"), func(s *types.ResourceRecordSet) {
				s.SetIdentifier, s.GeoLocation = aws.String("default"), &types.GeoLocation{CountryCode: aws.String("*")}
			})),
			create(with(a("g.example.com", "192.0.2.2"), func(s *types.ResourceRecordSet) {
				s.SetIdentifier, s.GeoLocation = aws.String("wa"), &types.GeoLocation{CountryCode: aws.String("US"), SubdivisionCode: aws.String("WA")}
			}))}},
		{name: "geoproximity latitude with three decimals", changes: []types.Change{create(with(a("p.example.com", "192.0.2.1"), func(s *types.ResourceRecordSet) {
			s.SetIdentifier = aws.String("nyc")
			s.GeoProximityLocation = &types.GeoProximityLocation{Coordinates: &types.Coordinates{Latitude: aws.String("40.7128"), Longitude: aws.String("-74.00")}}
		}))}, code: "InvalidInput", msg: `Invalid XML ; cvc-pattern-valid: Value '40.7128' is not facet-valid with respect to pattern '[-+]?[0-9]{1,2}(\.[0-9]{0,2})?' for type 'Latitude'.`},
		{name: "geoproximity with two locations", changes: []types.Change{create(with(a("p.example.com", "192.0.2.1"), func(s *types.ResourceRecordSet) {
			s.SetIdentifier = aws.String("nyc")
			s.GeoProximityLocation = &types.GeoProximityLocation{AWSRegion: aws.String("us-east-1"), LocalZoneGroup: aws.String("us-east-1-nyc-1")}
		}))}, code: "InvalidChangeBatch"},
		{name: "routed NS", changes: []types.Change{create(weighted(rrset("sub.example.com", types.RRTypeNs, 300, "ns1.example.net"), "one", 1))},
			code: "InvalidChangeBatch"},
		{name: "wildcard NS", changes: []types.Change{create(rrset("*.example.com", types.RRTypeNs, 300, "ns1.example.net"))}, code: "InvalidChangeBatch"},
		{name: "multivalue CNAME", changes: []types.Change{create(with(rrset("mv.example.com", types.RRTypeCname, 300, "a.example.net"), func(s *types.ResourceRecordSet) {
			s.SetIdentifier, s.MultiValueAnswer = aws.String("one"), aws.Bool(true)
		}))}, code: "InvalidChangeBatch"},
		{name: "two upserts of one set", changes: []types.Change{upsert(a("d.example.com", "192.0.2.1")), upsert(a("d.example.com", "192.0.2.2"))},
			code: "InvalidChangeBatch", msg: "[The request contains an invalid set of changes for a resource record set 'A d.example.com.']"},
		{name: "delete then create", setup: []types.Change{create(a("d.example.com", "192.0.2.1"))},
			changes: []types.Change{del(a("d.example.com", "192.0.2.1")), create(a("d.example.com", "192.0.2.2"))}},
		{name: "delete twice", setup: []types.Change{create(a("d.example.com", "192.0.2.1"))},
			changes: []types.Change{del(a("d.example.com", "192.0.2.1")), del(a("d.example.com", "192.0.2.1"))},
			code:    "InvalidChangeBatch", msg: "[The request contains an invalid set of changes for a resource record set 'A d.example.com.']"},
		{name: "messages of several changes", setup: []types.Change{create(a("a.example.com", "192.0.2.1"))},
			changes: []types.Change{create(a("a.example.com", "192.0.2.1")), del(a("k.example.com", "192.0.2.1"))}, code: "InvalidChangeBatch",
			msg: "[Tried to create resource record set [name='a.example.com.', type='A'] but it already exists, Tried to delete resource record set [name='k.example.com.', type='A'] but it was not found]"},
		{name: "delete apex NS", build: func(e *env, _ string) []types.Change {
			for _, s := range e.fake.RecordSets(e.zone) {
				if s.Type == types.RRTypeNs {
					return []types.Change{del(&s)}
				}
			}
			return nil
		}, code: "InvalidChangeBatch", msg: "[A HostedZone must contain at least one NS record for the zone itself.]"},
		{name: "create apex SOA", changes: []types.Change{create(rrset("example.com", types.RRTypeSoa, 900, "ns. host. 1 2 3 4 5"))}, code: "InvalidChangeBatch",
			msg: "[Tried to create resource record set [name='example.com.', type='SOA'] but it already exists]"},
		{name: "empty batch", changes: []types.Change{}, code: "InvalidInput"},
		{name: "unknown type", changes: []types.Change{create(rrset("u.example.com", "A6", 300, "x"))}, code: "InvalidInput"},
		{name: "101st weighted set", setup: weightedMany(100), changes: []types.Change{create(weighted(a("w.example.com", "192.0.2.1"), "w100", 1))},
			code: "InvalidChangeBatch", msg: "[Exceeded limit on number of weighted RRSets for w.example.com., type A in this zone.]"},
		{name: "1000 records", changes: createMany("r%d.example.com", 1000)},
		{name: "1001 records", changes: createMany("r%d.example.com", 1001), code: "InvalidChangeBatch", msg: "[Number of records limit of 1000 exceeded.]"},
		{name: "upsert counts twice", changes: upsertMany(501), code: "InvalidChangeBatch", msg: "[Number of records limit of 1000 exceeded.]"},
		{name: "500 upserts", changes: upsertMany(500)},
		{name: "32000 characters", changes: []types.Change{upsert(txt("t1.example.com", 4, 4000))}},
		{name: "more than 32000 characters", changes: []types.Change{upsert(txt("t1.example.com", 4, 4000)), create(txt("t2.example.com", 1, 1))},
			code: "InvalidChangeBatch", msg: "[Number of characters limit of 32000 exceeded.]"},
		{name: "value too long", changes: []types.Change{create(txt("t.example.com", 1, 4001))}, code: "InvalidInput"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, route53fake.Options{})
			hc := e.healthCheck(t, "hc")
			if len(tc.setup) > 0 {
				e.mustChange(t, e.zone, tc.setup...)
			}
			changes := tc.changes
			if tc.build != nil {
				changes = tc.build(e, hc)
			}
			before := e.fake.RecordSets(e.zone)
			err := e.change(t, e.zone, changes...)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			wantAPIError(t, err, tc.code, tc.msg)
			if after := e.fake.RecordSets(e.zone); !reflect.DeepEqual(before, after) {
				t.Fatalf("a rejected batch changed the zone")
			}
		})
	}
}

func regionNames() []string {
	var out []string
	for _, r := range types.ResourceRecordSetRegion("").Values() {
		out = append(out, string(r))
	}
	return out
}

func createMany(format string, n int) []types.Change {
	out := make([]types.Change, n)
	for i := range out {
		out[i] = create(rrset(fmt.Sprintf(format, i), types.RRTypeA, 60, "192.0.2.1"))
	}
	return out
}

func weightedMany(n int) []types.Change {
	out := make([]types.Change, n)
	for i := range out {
		out[i] = create(weighted(rrset("w.example.com", types.RRTypeA, 60, "192.0.2.1"), fmt.Sprintf("w%d", i), 1))
	}
	return out
}

func upsertMany(n int) []types.Change {
	out := make([]types.Change, n)
	for i := range out {
		out[i] = upsert(rrset(fmt.Sprintf("u%d.example.com", i), types.RRTypeA, 60, "192.0.2.1"))
	}
	return out
}

// txt makes a TXT set of n distinct values of size characters each.
func txt(name string, n, size int) *types.ResourceRecordSet {
	var vals []string
	for i := range n {
		vals = append(vals, fmt.Sprintf("%d%s", i, strings.Repeat("x", size-1)))
	}
	return rrset(name, types.RRTypeTxt, 300, vals...)
}
