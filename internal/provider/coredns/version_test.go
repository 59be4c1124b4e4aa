package coredns

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestZoneVersionFollowsRecords: through random transactions of puts and
// deletes under the prefix and beside it (several keys in one, as etcd
// gives them one revision), an unchanged version must mean Records
// answers the same, and the version must stay put when nothing under the
// prefix changed. While etcd is down it is new at every call.
func TestZoneVersionFollowsRecords(t *testing.T) {
	f, p := newTest(t, nil)
	ctx := context.Background()
	describe := func() []string {
		recs, err := p.Records(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range recs {
			out = append(out, e.String())
		}
		slices.Sort(out)
		return out
	}
	r := rand.New(rand.NewPCG(2, 9))
	keys := []string{"/skydns/test/example/a", "/skydns/test/example/b", "/skydns/test/example/c/x1", "/skydns/test/example/c/x2", "/other/key"}
	lastV, seen := p.ZoneVersion(), describe()
	stayed, changes := 0, 0
	for step := range 3000 {
		var ops []Op
		for _, k := range keys {
			switch r.IntN(6) {
			case 0:
				ops = append(ops, Op{Key: k, Delete: true})
			case 1:
				ops = append(ops, Op{Key: k, Value: fmt.Appendf(nil, `{"host":"192.0.2.%d","ttl":60}`, 1+r.IntN(3))})
			}
		}
		if len(ops) > 0 && r.IntN(3) == 0 {
			if _, err := f.Txn(ctx, nil, ops); err != nil {
				t.Fatal(err)
			}
		}
		v, now := p.ZoneVersion(), describe()
		if v == lastV {
			stayed++
			if !slices.Equal(now, seen) {
				t.Fatalf("step %d: version unchanged, but Records answers differently\nseen %q\nnow  %q", step, seen, now)
			}
		} else if !slices.Equal(now, seen) {
			changes++
		}
		lastV, seen = v, now
	}
	if stayed < 1000 || changes < 100 {
		t.Errorf("the walk stayed %d times and changed the records %d times: it tests little", stayed, changes)
	}

	f.down = errors.New("etcd unreachable")
	a, b := p.ZoneVersion(), p.ZoneVersion()
	if a == b || a == lastV {
		t.Errorf("while etcd is down the version must be new at every call: %d, %d after %d", a, b, lastV)
	}
}
