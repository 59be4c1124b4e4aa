package probe

import (
	"slices"
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	hundred := make([]float64, 100)
	for i := range hundred {
		hundred[i] = float64(i + 1)
	}
	for _, c := range []struct {
		name   string
		sorted []float64
		p      float64
		want   float64
	}{
		{"empty", nil, 50, 0},
		{"one", []float64{7}, 99, 7},
		{"p50 of two is the lower", []float64{1, 2}, 50, 1},
		{"p50 of odd count is the middle", []float64{1, 2, 3}, 50, 2},
		{"p90 of 1..100", hundred, 90, 90},
		{"p99 of 1..100", hundred, 99, 99},
		{"p100 is the max", hundred, 100, 100},
		{"p0 is the min", hundred, 0, 1},
		{"p99 of ten is the max", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 99, 10},
	} {
		if got := percentile(c.sorted, c.p); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestStatsDoesNotReorderInput(t *testing.T) {
	in := []float64{3, 1, 2}
	s := newStats(in)
	if !slices.Equal(in, []float64{3, 1, 2}) {
		t.Errorf("input reordered: %v", in)
	}
	if s != (Stats{Count: 3, MinMS: 1, MeanMS: 2, P50MS: 2, P90MS: 3, P99MS: 3, MaxMS: 3}) {
		t.Errorf("stats %+v", s)
	}
	if (newStats(nil) != Stats{}) {
		t.Error("stats of nothing not zero")
	}
}

func TestSharesOrder(t *testing.T) {
	var tl tally
	for _, n := range []string{"b", "a", "c", "c", "b", "c"} {
		tl.add(n)
	}
	want := []Share{{"c", 3, 50}, {"b", 2, 100.0 / 3}, {"a", 1, 100.0 / 6}} // largest first
	if got := tl.shares(6); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := (&tally{}).shares(0); got == nil || len(got) != 0 {
		t.Errorf("empty tally gives %v, want an empty list (JSON [])", got)
	}
}

func TestCadence(t *testing.T) {
	c := cadence{start: t0, interval: time.Second}
	for _, tc := range []struct {
		begun, now, want float64
	}{
		{0, 0.1, 1},   // on time
		{1, 1.999, 2}, // a slow round still keeps the slot
		{2, 4.5, 5},   // an overrun skips the missed slots
		{3, 4, 4},     // exactly on a slot
	} {
		if got := c.next(secs(tc.begun), secs(tc.now)); !got.Equal(secs(tc.want)) {
			t.Errorf("next(+%v, +%v) = +%v, want +%v", tc.begun, tc.now, got.Sub(t0), tc.want)
		}
	}
	if got := (cadence{start: t0}).next(t0, secs(0.3)); !got.Equal(secs(0.3)) {
		t.Errorf("no interval: next = +%v, want now", got.Sub(t0))
	}
}
