package route53

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/test/route53fake"
)

func manyEndpoints(n int) []*endpoint.Endpoint {
	out := make([]*endpoint.Endpoint, n)
	for i := range out {
		out[i] = owned(fmt.Sprintf("svc%05d.example.com", i), "A", "service/default/svc", fmt.Sprintf("10.%d.%d.%d", i>>16, (i>>8)&255, i&255))
	}
	return out
}

// TestThrottledInitialSync publishes 20,000 records (40,000 record sets
// with their ownership records) into a fake that allows 5 requests per
// second, and checks every change lands with no failure. The client is
// set to 5 req/s, like AWS's account limit, and in a second case to 20
// req/s with the fake also refusing every 7th change request as
// PriorRequestNotComplete, so the limiter must back off on its own.
func TestThrottledInitialSync(t *testing.T) {
	if testing.Short() {
		t.Skip("20k records")
	}
	cases := []struct {
		name       string
		clientRate float64
		priorEvery int
	}{
		{"client at the account limit", 5, 0},
		{"client too fast, prior requests pending", 20, 7},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, route53fake.Options{Rate: 5, PriorRequestEvery: tc.priorEvery})
			zid := e.fake.AddZone("example.com", false, nil)
			cfg := testConfig()
			cfg.APIRateLimit = tc.clientRate
			c := e.cluster("c1", "", cfg)
			desired := manyEndpoints(20000)
			start := time.Now()
			if _, err := c.sync(desired...); err != nil {
				t.Fatalf("initial sync: %v", err)
			}
			took := time.Since(start)
			sets := e.fake.RecordSets(zid)
			if got := len(sets) - 2; got != 40000 { // minus SOA and NS
				t.Fatalf("%d record sets, want 40000", got)
			}
			t.Logf("20k records: %d calls reached the fake (%d ChangeResourceRecordSets, %d throttled), %d sent by the provider, %s",
				e.fake.TotalCalls(), e.fake.Calls("ChangeResourceRecordSets"), e.fake.Throttled("ChangeResourceRecordSets")+e.fake.Throttled("ListResourceRecordSets"),
				c.api.total(), took.Round(time.Millisecond))
			// The next run finds everything in place and sends nothing.
			before := c.api.total()
			if ch, err := c.sync(desired...); err != nil || ch.HasChanges() {
				t.Fatalf("second sync: %v, %d changes", err, ch.Len())
			}
			if n := c.api.total() - before; n != 0 {
				t.Errorf("second sync made %d calls", n)
			}
		})
	}
	_ = aws.String
	_ = types.RRTypeA
}
