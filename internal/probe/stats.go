package probe

import (
	"cmp"
	"math"
	"slices"
)

// Stats describes a set of durations in milliseconds. Percentiles are by
// nearest rank: always a value that was measured, never an interpolation.
type Stats struct {
	Count  int     `json:"count"`
	MinMS  float64 `json:"min_ms"`
	MeanMS float64 `json:"mean_ms"`
	P50MS  float64 `json:"p50_ms"`
	P90MS  float64 `json:"p90_ms"`
	P99MS  float64 `json:"p99_ms"`
	MaxMS  float64 `json:"max_ms"`
}

func newStats(ms []float64) Stats {
	if len(ms) == 0 {
		return Stats{}
	}
	s := slices.Clone(ms)
	slices.Sort(s)
	var sum float64
	for _, v := range s {
		sum += v
	}
	return Stats{
		Count: len(s), MinMS: s[0], MaxMS: s[len(s)-1], MeanMS: sum / float64(len(s)),
		P50MS: percentile(s, 50), P90MS: percentile(s, 90), P99MS: percentile(s, 99),
	}
}

// percentile returns the nearest-rank p-th percentile of sorted values.
func percentile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	return sorted[min(max(rank, 1), n)-1]
}

// Share is one part of a distribution.
type Share struct {
	Name    string  `json:"name"`
	Count   int     `json:"count"`
	Percent float64 `json:"percent"` // of the whole the summary counts (all requests or checks)
}

// tally counts how often each name occurs.
type tally struct {
	counts map[string]int
}

func (t *tally) add(name string) {
	if t.counts == nil {
		t.counts = map[string]int{}
	}
	t.counts[name]++
}

// shares lists the counts as percentages of total, largest first, ties by name.
func (t *tally) shares(total int) []Share {
	out := make([]Share, 0, len(t.counts))
	for name, n := range t.counts {
		pct := 0.0
		if total > 0 {
			pct = 100 * float64(n) / float64(total)
		}
		out = append(out, Share{Name: name, Count: n, Percent: pct})
	}
	slices.SortFunc(out, func(a, b Share) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Name, b.Name))
	})
	return out
}
