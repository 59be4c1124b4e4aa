package route53

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/test/route53fake"
)

// forEachCombination runs f for every --txt-prefix/--txt-suffix form the
// plain-record tests cover, with and without encryption.
func forEachCombination(t *testing.T, f func(t *testing.T, af affix, encrypt bool)) {
	for _, af := range affixes {
		for _, encrypt := range []bool{false, true} {
			name := af.name
			if encrypt {
				name += ", encrypted"
			}
			t.Run(name, func(t *testing.T) { f(t, af, encrypt) })
		}
	}
}

// valueFunc returns how ownership values are written: plain, or encrypted
// as upstream does with a nonce of its own.
func valueFunc(t *testing.T, encrypt bool) func(string) string {
	if !encrypt {
		return plainValue
	}
	return func(res string) string { return upstreamEncrypt(t, ownershipText(res), []byte("upstreamnonc")) }
}

// TestUpstreamZoneManagedByExodns: a zone exactly as upstream external-dns
// wrote it (routed ownership records copying their record's routing and
// health check, TTL 300, typed alias names, A and AAAA aliases) is taken
// over with no change at all, then updated and deleted cleanly by exodns,
// staying in upstream's form throughout and leaving nothing behind.
func TestUpstreamZoneManagedByExodns(t *testing.T) {
	forEachCombination(t, func(t *testing.T, af affix, encrypt bool) {
		e := newEnv(t, route53fake.Options{Rate: -1})
		zid := e.fake.AddZone("example.com", false, nil)
		hc1, hc2 := e.healthCheck("hc1"), e.healthCheck("hc2")
		specs := upstreamSpecs(hc1, hc2)
		value := valueFunc(t, encrypt)
		seed := upstreamZone(af, specs, value)
		if err := e.fake.PutRecordSets(zid, seed...); err != nil {
			t.Fatal(err)
		}
		c := e.clusterTXT(txtConfig(af, encrypt), fastConfig(), Options{})

		// Converged already: not one change, not even to ownership records.
		ch, err := c.sync(desiredOf(specs)...)
		if err != nil || ch.HasChanges() || c.api.calls["ChangeResourceRecordSets"].Load() != 0 {
			t.Fatalf("takeover: %v, %d change requests, plan %+v", err, c.api.calls["ChangeResourceRecordSets"].Load(), ch)
		}
		e.wantSets(zid, seed)

		// Updates: targets, a TTL, a weight, a load balancer, a resource.
		// Records change; ownership records stay in upstream's form, with
		// TTL 300 whatever the record's.
		updated := upstreamSpecs(hc1, hc2)
		for i := range updated {
			s := &updated[i]
			switch {
			case s.label == "plain":
				s.desired = owned("plain.example.com", "A", s.resource, "192.0.2.11").WithTTL(120)
				s.sets[0].TTL, s.sets[0].ResourceRecords = aws.Int64(120), a("192.0.2.11")
			case s.label == "w" && aws.ToString(s.sets[0].SetIdentifier) == "w1":
				s.desired = withProps(owned("w.example.com", "A", s.resource, "192.0.2.1"), propWeight, "70").WithSetIdentifier("w1").WithTTL(60)
				s.sets[0].Weight = aws.Int64(70)
			case s.label == "lb":
				s.desired = owned("lb.example.com", "CNAME", s.resource, elbTarget2)
				for j := range s.sets {
					s.sets[j].AliasTarget.DNSName = aws.String(elbTarget2 + ".")
				}
			case s.label == "geo" && aws.ToString(s.sets[0].SetIdentifier) == "eu":
				s.resource = "service/default/geo-eu"
				s.desired.Labels.Set(endpoint.ResourceLabel, s.resource)
			}
		}
		c.mustConverge(desiredOf(updated)...)
		e.wantSets(zid, upstreamZone(af, updated, value))

		// Deleted: nothing is left, ownership records included.
		if _, err := c.sync(); err != nil {
			t.Fatal(err)
		}
		if left := renderAll(e.fake.RecordSets(zid)); len(left) != 0 {
			t.Errorf("left behind:\n  %s", strings.Join(left, "\n  "))
		}
	})
}

// TestExodnsWritesUpstreamForm: what exodns writes from scratch is what
// upstream writes, field by field (name, type, TTL, value, set identifier,
// weight, region, failover, geolocation, multivalue, health check); and
// upstream can delete every set of it, since Route 53 deletes only exact
// matches.
func TestExodnsWritesUpstreamForm(t *testing.T) {
	forEachCombination(t, func(t *testing.T, af affix, encrypt bool) {
		e := newEnv(t, route53fake.Options{Rate: -1})
		zid := e.fake.AddZone("example.com", false, nil)
		hc1, hc2 := e.healthCheck("hc1"), e.healthCheck("hc2")
		specs := upstreamSpecs(hc1, hc2)
		c := e.clusterTXT(txtConfig(af, encrypt), fastConfig(), Options{})
		c.mustConverge(desiredOf(specs)...)
		// Encrypted values are compared decrypted: a new one has a
		// random nonce, in upstream as in exodns.
		want := upstreamZone(af, specs, valueFunc(t, encrypt))
		e.wantSets(zid, want)
		if encrypt {
			for _, s := range e.fake.RecordSets(zid) {
				if s.Type == types.RRTypeTxt && strings.Contains(aws.ToString(s.ResourceRecords[0].Value), "heritage") {
					t.Errorf("%s is not encrypted", aws.ToString(s.Name))
				}
			}
		}
		upstreamDeletes(t, e, zid, want)
	})
}

// upstreamDeletes deletes want as upstream would: each set rebuilt from
// its own form; the one thing upstream reads back rather than rebuilds is
// an encrypted value's nonce, so TXT values are taken from the zone.
func upstreamDeletes(t *testing.T, e *env, zid string, want []types.ResourceRecordSet) {
	t.Helper()
	values := map[string]*string{}
	for _, s := range e.fake.RecordSets(zid) {
		if s.Type == types.RRTypeTxt {
			values[canonicalName(aws.ToString(s.Name))+"/"+aws.ToString(s.SetIdentifier)] = s.ResourceRecords[0].Value
		}
	}
	var changes []types.Change
	for _, s := range want {
		s := s
		if s.Type == types.RRTypeTxt {
			s.ResourceRecords = []types.ResourceRecord{{Value: values[canonicalName(aws.ToString(s.Name))+"/"+aws.ToString(s.SetIdentifier)]}}
		}
		changes = append(changes, types.Change{Action: types.ChangeActionDelete, ResourceRecordSet: &s})
	}
	_, err := e.client("AKIDUPSTREAM", testConfig()).ChangeResourceRecordSets(context.Background(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zid), ChangeBatch: &types.ChangeBatch{Changes: changes}})
	if err != nil {
		t.Fatalf("upstream's delete refused: %v", err)
	}
}

// TestOlderExodnsFormMigrated: a zone as earlier exodns versions wrote it
// (ownership records of routed sets weighted 1, the record's TTL on them,
// alias ownership under "cname-", no AAAA alias) is brought to upstream's
// form in one atomic request, after which nothing changes.
func TestOlderExodnsFormMigrated(t *testing.T) {
	forEachCombination(t, func(t *testing.T, af affix, encrypt bool) {
		e := newEnv(t, route53fake.Options{Rate: -1})
		zid := e.fake.AddZone("example.com", false, nil)
		hc1, hc2 := e.healthCheck("hc1"), e.healthCheck("hc2")
		specs := upstreamSpecs(hc1, hc2)
		value := valueFunc(t, encrypt)
		var old []types.ResourceRecordSet
		for _, s := range specs {
			for _, rec := range s.sets {
				if rec.Type == types.RRTypeAaaa {
					continue // aliases were A only
				}
				txt := ownershipSet(af, s.label, rec, value(s.resource))
				txt.Region, txt.Failover, txt.GeoLocation, txt.MultiValueAnswer, txt.HealthCheckId, txt.Weight = "", "", nil, nil, nil, nil
				if rec.SetIdentifier != nil {
					txt.Weight = aws.Int64(1)
				}
				if rec.TTL != nil {
					txt.TTL = rec.TTL
				}
				if rec.AliasTarget != nil {
					txt.Name = aws.String(af.txtName(s.label, "cname") + ".")
				}
				old = append(old, rec, txt)
			}
		}
		if err := e.fake.PutRecordSets(zid, old...); err != nil {
			t.Fatal(err)
		}
		c := e.clusterTXT(txtConfig(af, encrypt), fastConfig(), Options{})
		if _, err := c.sync(desiredOf(specs)...); err != nil {
			t.Fatal(err)
		}
		if n := c.api.calls["ChangeResourceRecordSets"].Load(); n != 1 {
			t.Errorf("migration took %d requests, want 1 atomic one", n)
		}
		c.mustConverge(desiredOf(specs)...)
		want := upstreamZone(af, specs, value)
		e.wantSets(zid, want)
		upstreamDeletes(t, e, zid, want)
	})
}

// TestDualStackAliasDefault: a CNAME to an AWS load balancer gets an A and
// an AAAA alias, as upstream writes by default, so a zone both tools
// manage does not flap; aws-dualstack=false keeps the A alone, and
// existing A-only aliases gain their AAAA twin.
func TestDualStackAliasDefault(t *testing.T) {
	for _, tc := range []struct {
		name   string
		target string
		props  []string
		types  string
	}{
		{"ALB", "k8s-app-1.eu-west-1.elb.amazonaws.com", nil, "A AAAA"},
		{"NLB", "k8s-app-1-abc.elb.us-east-1.amazonaws.com", nil, "A AAAA"},
		{"classic ELB, dualstack prefix", "dualstack.my-lb-1.us-east-1.elb.amazonaws.com", nil, "A AAAA"},
		{"dual-stack turned off", "k8s-app-1.eu-west-1.elb.amazonaws.com", []string{propDualstack, "false"}, "A"},
		{"explicit true", "k8s-app-1.eu-west-1.elb.amazonaws.com", []string{propDualstack, "true"}, "A AAAA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, route53fake.Options{Rate: -1})
			zid := e.fake.AddZone("example.com", false, nil)
			c := e.cluster(upstreamOwner, "", fastConfig())
			c.mustConverge(withProps(owned("app.example.com", "CNAME", "service/default/app", tc.target), tc.props...))
			var got []string
			for _, s := range e.fake.RecordSets(zid) {
				if canonicalName(aws.ToString(s.Name)) == "app.example.com" {
					got = append(got, string(s.Type))
				}
				if s.Type == types.RRTypeTxt {
					if n := canonicalName(aws.ToString(s.Name)); n != "a-app.example.com" && n != "aaaa-app.example.com" {
						t.Errorf("ownership record %s", n)
					}
				}
			}
			if strings.Join(got, " ") != tc.types {
				t.Errorf("alias sets %v, want %s", got, tc.types)
			}
		})
	}
}

// TestPrimaryAliasWithoutHealthCheckHeld: a PRIMARY failover alias may do
// without a health check, but its ownership record, which copies the
// routing and is no alias, may not, so Route 53 would refuse it on every
// run (as it does upstream's). The record is held with that reason
// instead, and nothing is sent.
func TestPrimaryAliasWithoutHealthCheckHeld(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: -1})
	zid := e.fake.AddZone("example.com", false, nil)
	c := e.cluster(upstreamOwner, "", fastConfig())
	primary := withProps(owned("app.example.com", "CNAME", "service/default/app", elbTarget).WithSetIdentifier("primary"), propFailover, "PRIMARY")
	adj, err := c.reg.AdjustEndpoints([]*endpoint.Endpoint{primary})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range adj {
		if !a.Held() || !strings.Contains(a.Labels.Get(endpoint.HoldLabel), annotationFor(propHealthCheck)) {
			t.Errorf("%s not held for its health check: %v", a.Key(), a.Labels)
		}
	}
	if _, err := c.sync(primary); err != nil || c.api.calls["ChangeResourceRecordSets"].Load() != 0 {
		t.Fatalf("sync: %v, %d change requests", err, c.api.calls["ChangeResourceRecordSets"].Load())
	}
	if got := renderAll(e.fake.RecordSets(zid)); len(got) != 0 {
		t.Errorf("written: %v", got)
	}
}
