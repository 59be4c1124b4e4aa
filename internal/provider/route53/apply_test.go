package route53

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/test/route53fake"
)

// TestOneBadChangeOf1000 sends 1000 creates, one of which Route 53 refuses,
// and checks the other 999 land, the refused one is reported, and the
// number of requests stays small.
func TestOneBadChangeOf1000(t *testing.T) {
	cases := []struct {
		name    string
		spoil   func(e *env, zid string, ep *endpoint.Endpoint) // makes ep refused
		maxReqs int64
	}{
		{"unknown health check (found by halving)", func(_ *env, _ string, ep *endpoint.Endpoint) {
			ep.WithSetIdentifier("s").WithProviderSpecific(propWeight, "1").WithProviderSpecific(propHealthCheck, "00000000-0000-0000-0000-000000000000")
		}, 1 + 2*10},
		{"already exists (named by Route 53)", func(e *env, zid string, ep *endpoint.Endpoint) {
			err := e.fake.PutRecordSets(zid, types.ResourceRecordSet{Name: aws.String(ep.DNSName), Type: types.RRTypeA,
				TTL: aws.Int64(30), ResourceRecords: []types.ResourceRecord{{Value: aws.String("192.0.2.99")}}})
			if err != nil {
				e.t.Fatal(err)
			}
		}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, route53fake.Options{Rate: -1})
			zid := e.fake.AddZone("example.com", false, nil)
			p, api := e.provider(testConfig())
			if _, err := p.Records(context.Background()); err != nil {
				t.Fatal(err)
			}
			var creates []*endpoint.Endpoint
			for i := range 1000 {
				creates = append(creates, endpoint.New(fmt.Sprintf("r%04d.example.com", i), "A", "192.0.2.1"))
			}
			bad := creates[637]
			tc.spoil(e, zid, bad)
			before := api.calls["ChangeResourceRecordSets"].Load()
			err := p.ApplyChanges(context.Background(), &plan.Changes{Create: creates})
			reqs := api.calls["ChangeResourceRecordSets"].Load() - before

			var ae *ApplyError
			if !errors.As(err, &ae) || len(ae.Failed) != 1 || ae.Total != 1000 {
				t.Fatalf("err = %v, want one failed change of 1000", err)
			}
			if !strings.Contains(ae.Failed[0], "r0637.example.com/A") {
				t.Errorf("failure names %q, want r0637.example.com/A", ae.Failed[0])
			}
			n := 0
			for _, s := range e.fake.RecordSets(zid) {
				if strings.HasPrefix(aws.ToString(s.Name), "r") && aws.ToString(s.Name) != "r0637.example.com." {
					n++
				}
			}
			if n != 999 {
				t.Errorf("%d good records in the zone, want 999", n)
			}
			if reqs > tc.maxReqs {
				t.Errorf("%d requests, want at most %d", reqs, tc.maxReqs)
			}
			t.Logf("%d ChangeResourceRecordSets requests", reqs)
		})
	}
}

// TestRecordAndOwnershipShareABatch checks a refused record takes its
// ownership record down with it, and the other pairs land whole.
func TestRecordAndOwnershipShareABatch(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: -1})
	zid := e.fake.AddZone("example.com", false, nil)
	cfg := testConfig()
	cfg.BatchChangeSizeValues = 100 // several batches
	c := e.cluster("c1", "own-", cfg)
	var desired []*endpoint.Endpoint
	for i := range 500 {
		d := owned(fmt.Sprintf("r%03d.example.com", i), "A", "ingress/default/app", "192.0.2.1").WithSetIdentifier("s").
			WithProviderSpecific(propWeight, "10")
		if i == 123 {
			d.WithProviderSpecific(propHealthCheck, "00000000-0000-0000-0000-000000000000")
		}
		desired = append(desired, d)
	}
	_, err := c.sync(desired...)
	var ae *ApplyError
	if !errors.As(err, &ae) || len(ae.Failed) != 2 {
		t.Fatalf("err = %v, want the record and its ownership record failed", err)
	}
	records, owners := map[string]bool{}, map[string]bool{}
	for _, s := range e.fake.RecordSets(zid) {
		name := strings.TrimSuffix(aws.ToString(s.Name), ".example.com.")
		switch s.Type {
		case types.RRTypeA:
			records[name] = true
		case types.RRTypeTxt:
			owners[strings.TrimPrefix(name, "own-a-")] = true
		}
	}
	if len(records) != 499 || len(owners) != 499 || records["r123"] || owners["r123"] {
		t.Fatalf("%d records, %d ownership records; r123 record %v, ownership %v", len(records), len(owners), records["r123"], owners["r123"])
	}
	for r := range records {
		if !owners[r] {
			t.Errorf("%s has no ownership record", r)
		}
	}
}

// TestRefusedEndpointIsHeld checks an invalid annotation never reaches AWS
// and freezes the record's name: the live record is not deleted.
func TestRefusedEndpointIsHeld(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: -1})
	zid := e.fake.AddZone("example.com", false, nil)
	c := e.cluster("c1", "", testConfig())
	good := withProps(owned("app.example.com", "A", "ingress/default/app", rke2IP).WithSetIdentifier("a"), propWeight, "50")
	c.mustConverge(good)
	typo := withProps(owned("app.example.com", "A", "ingress/default/app", k3sIP).WithSetIdentifier("a"), propWeight, "500")
	before := c.api.calls["ChangeResourceRecordSets"].Load()
	if _, err := c.sync(typo); err != nil {
		t.Fatal(err)
	}
	if n := c.api.calls["ChangeResourceRecordSets"].Load() - before; n != 0 {
		t.Errorf("%d change requests for a refused endpoint", n)
	}
	probs := c.p.Problems()
	if len(probs) != 1 || probs[0].Property != propWeight || probs[0].Resource != "ingress/default/app" {
		t.Fatalf("problems = %+v", probs)
	}
	t.Log(probs[0].Error())
	e.wantZone(zid,
		"app.example.com. A set=a weight=50 ttl=300 "+rke2IP,
		"a-app.example.com. TXT set=a weight=50 ttl=300 "+ownership("c1"))
}

// TestPolicyKindChange switches a record from weighted to latency: Route 53
// cannot change a set's policy kind in place, so it is deleted and created
// in one request, and so is its ownership record, which follows.
func TestPolicyKindChange(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: -1})
	zid := e.fake.AddZone("example.com", false, nil)
	c := e.cluster("c1", "", testConfig())
	c.mustConverge(withProps(owned("app.example.com", "A", "ingress/default/app", rke2IP).WithSetIdentifier("a"), propWeight, "50"))
	c.mustConverge(withProps(owned("app.example.com", "A", "ingress/default/app", rke2IP).WithSetIdentifier("a"), propRegion, "eu-west-1"))
	e.wantZone(zid,
		"app.example.com. A set=a region=eu-west-1 ttl=300 "+rke2IP,
		"a-app.example.com. TXT set=a region=eu-west-1 ttl=300 "+ownership("c1"))
}
