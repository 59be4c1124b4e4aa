package txt

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/provider/inmemory"
)

// TestCacheZoneVersion acts as a controller over a cached, versioned
// provider: it reads the version, and reads the records only when the
// version moved. Whatever happens in between (someone else writes, the
// cache goes stale or is read by another caller, our own batches land or
// fail), an unchanged version
// must mean Records would answer as it did, or the controller keeps a
// stale view until its next full resync, past the cache interval the
// operator chose.
func TestCacheZoneVersion(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	under := inmemory.New([]string{"example.com"})
	c := CacheRecords(under, time.Minute, clock.now)
	if _, ok := provider.ZoneVersionOf(c); !ok {
		t.Fatal("the cache hides the provider's zone version")
	}
	if _, ok := provider.ZoneVersionOf(CacheRecords(unversioned{under}, time.Minute, clock.now)); ok {
		t.Fatal("the cache reports a version over a provider that keeps none")
	}
	describe := func() []string {
		recs, err := c.Records(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]string, len(recs))
		for i, e := range recs {
			out[i] = e.String()
		}
		slices.Sort(out)
		return out
	}
	r := rand.New(rand.NewPCG(3, 5))
	lastV, _ := provider.ZoneVersionOf(c)
	seen := describe()
	skipped, n := 0, 0
	for step := range 2000 {
		var what string
		switch x := r.IntN(10); {
		case x < 3:
			what = "someone else writes"
			_ = under.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{endpoint.New(fmt.Sprintf("o%d.example.com", step), "A", "192.0.2.1")}})
		case x < 5:
			what = "time passes"
			clock.t = clock.t.Add(time.Duration(r.IntN(40)) * time.Second)
		case x < 6:
			what = "our batch fails"
			_ = c.ApplyChanges(ctx, &plan.Changes{Delete: []*endpoint.Endpoint{endpoint.New("missing.example.com", "A", "192.0.2.9")}})
		case x < 8:
			what = "our batch lands"
			e := endpoint.New(fmt.Sprintf("u%d.example.com", step), "A", "192.0.2.2")
			if err := c.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{e}}); err != nil {
				t.Fatal(err)
			}
			// The controller knows what it wrote, and takes the version after.
			seen = append(seen, stored(e).String())
			slices.Sort(seen)
			lastV, _ = provider.ZoneVersionOf(c)
			continue
		case x < 9:
			// The cache may refresh between the controller's looks: another
			// caller of Records (an explain request) reads it.
			what = "time passes, and another caller reads"
			clock.t = clock.t.Add(time.Duration(r.IntN(80)) * time.Second)
			if _, err := c.Records(ctx); err != nil {
				t.Fatal(err)
			}
		default:
			what = "nothing"
		}
		n++
		v, _ := provider.ZoneVersionOf(c)
		now := describe()
		if v == lastV {
			skipped++
			if !slices.Equal(now, seen) {
				t.Fatalf("step %d (%s): version unchanged, but Records answers differently\nseen %q\nnow %q", step, what, seen, now)
			}
		}
		lastV, seen = v, now
	}
	if skipped < n/4 {
		t.Errorf("the version stayed put in only %d of %d checks: it cannot spare the controller any read", skipped, n)
	}
}

// unversioned hides its provider's version.
type unversioned struct{ provider.Provider }
