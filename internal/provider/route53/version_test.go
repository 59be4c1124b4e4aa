package route53

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/test/route53fake"
)

// TestZoneVersionFollowsRecords acts as a controller over the provider:
// it reads the zone version, and reads the records only when the version
// moved, as periodic resyncs do. Whatever happens in between (someone else
// writes, a re-list or the zone list falls due, our batches land or fail,
// a zone is added), an unchanged version must mean Records would answer as
// it did: else the controller keeps a stale view until its next full
// resync, and --aws-zone-resync-interval would no longer bound how late
// someone else's change is seen.
func TestZoneVersionFollowsRecords(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, route53fake.Options{Rate: -1})
	zoneID := e.fake.AddZone("example.com", false, nil)
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	cfg := testConfig()
	cfg.APIRateLimit = 0
	p, api := e.providerWith(cfg, Options{Now: clk.now})
	var _ provider.Versioned = p

	describe := func() []string {
		recs, err := p.Records(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]string, len(recs))
		for i, r := range recs {
			out[i] = r.String()
		}
		slices.Sort(out)
		return out
	}
	r := rand.New(rand.NewPCG(5, 8))
	lastV := p.ZoneVersion()
	seen := describe()
	n, skipped, listed := 0, 0, int64(0)
	for step := range 1500 {
		var what string
		otherWrites := func() {
			err := e.fake.PutRecordSets(zoneID, types.ResourceRecordSet{Name: aws.String(fmt.Sprintf("o%d.example.com", r.IntN(40))),
				Type: types.RRTypeA, TTL: aws.Int64(300), ResourceRecords: []types.ResourceRecord{{Value: aws.String(fmt.Sprintf("192.0.2.%d", 1+r.IntN(9)))}}})
			if err != nil {
				t.Fatal(err)
			}
		}
		switch x := r.IntN(12); {
		case x < 3:
			what = "someone else writes"
			otherWrites()
		case x < 6:
			what = "time passes"
			clk.advance(time.Duration(r.IntN(240)) * time.Second)
		case x < 7:
			what = "our batch fails"
			e.fake.InjectError("ChangeResourceRecordSets", 1, route53fake.APIError{StatusCode: 500, Code: "InternalFailure", Message: "injected"})
			_ = p.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{endpoint.New(fmt.Sprintf("f%d.example.com", step), "A", "192.0.2.1")}})
		case x < 9:
			what = "our batch lands"
			if r.IntN(3) == 0 {
				// The controller read the records, then someone else
				// wrote and the re-list fell due before its batch.
				otherWrites()
				clk.advance(time.Duration(r.IntN(700)) * time.Second)
			}
			adj, err := p.AdjustEndpoints([]*endpoint.Endpoint{endpoint.New(fmt.Sprintf("u%d.example.com", step), "A", "192.0.2.2").WithTTL(300)})
			if err != nil || len(adj) != 1 {
				t.Fatal(adj, err)
			}
			ep := adj[0]
			if err := p.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{ep}}); err != nil {
				t.Fatal(err)
			}
			// The controller knows what it wrote, and takes the version after.
			seen = append(seen, ep.String())
			slices.Sort(seen)
			lastV = p.ZoneVersion()
			continue
		case x < 10:
			what = "desired records are adjusted"
			if _, err := p.AdjustEndpoints([]*endpoint.Endpoint{endpoint.New("x.example.com", "A", "192.0.2.3")}); err != nil {
				t.Fatal(err)
			}
		case x < 11:
			if step%150 == 0 {
				what = "a zone is added"
				e.fake.AddZone(fmt.Sprintf("z%d.example.org", step), false, nil)
				break
			}
			what = "nothing"
		default:
			what = "nothing"
		}
		n++
		v := p.ZoneVersion()
		before, calls := api.calls["ListResourceRecordSets"].Load(), api.total()
		now := describe()
		if v == lastV {
			skipped++
			if !slices.Equal(now, seen) {
				t.Fatalf("step %d (%s): version unchanged, but Records answers differently\nseen %q\nnow  %q", step, what, seen, now)
			}
			if got := api.total() - calls; got > 0 {
				t.Fatalf("step %d (%s): version unchanged, but Records made %d API calls", step, what, got)
			}
		}
		listed += api.calls["ListResourceRecordSets"].Load() - before
		lastV, seen = v, now
	}
	t.Logf("%d checks: the version stayed put in %d; %d listings", n, skipped, listed)
	if skipped < n/4 {
		t.Errorf("the version stayed put in only %d of %d checks: it spares the controller no read", skipped, n)
	}
	if listed == 0 {
		t.Error("the zone was never listed again: the test never lets a re-list fall due")
	}
}
