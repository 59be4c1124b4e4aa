package provider

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func groupsOf(items ...string) []Group[string] {
	out := make([]Group[string], len(items))
	for i, it := range items {
		out[i] = Group[string]{Items: []string{it}, Cost: Cost{Changes: 1, Values: 1, Bytes: len(it)}}
	}
	return out
}

func TestPack(t *testing.T) {
	cases := []struct {
		name  string
		sizes []int // Values per group
		limit Cost
		want  [][]int
	}{
		{"fits one", []int{1, 2, 3}, Cost{100, 10, 1000}, [][]int{{1, 2, 3}}},
		{"splits on values", []int{4, 4, 4}, Cost{100, 8, 1000}, [][]int{{4, 4}, {4}}},
		{"splits on changes", []int{1, 1, 1}, Cost{2, 100, 1000}, [][]int{{1, 1}, {1}}},
		{"oversize alone", []int{1, 20, 1}, Cost{100, 10, 1000}, [][]int{{1}, {20}, {1}}},
		{"keeps order", []int{6, 1, 6, 1}, Cost{100, 7, 1000}, [][]int{{6, 1}, {6, 1}}},
		{"empty", nil, Cost{1, 1, 1}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var groups []Group[int]
			for _, s := range tc.sizes {
				groups = append(groups, Group[int]{Items: []int{s}, Cost: Cost{Changes: 1, Values: s}})
			}
			var got [][]int
			for _, b := range Pack(groups, tc.limit) {
				var sizes []int
				for _, g := range b {
					sizes = append(sizes, g.Items...)
				}
				got = append(got, sizes)
			}
			if !slices.EqualFunc(got, tc.want, func(a, b []int) bool { return slices.Equal(a, b) }) {
				t.Errorf("Pack = %v, want %v", got, tc.want)
			}
		})
	}
}

var errRefused = errors.New("refused")

// refusing sends batches and refuses any that holds a bad item.
type refusing struct {
	sends   int
	applied []string
	bad     map[string]bool
	named   bool // name the bad item in the error
}

func (r *refusing) send(_ context.Context, items []string) error {
	r.sends++
	for _, it := range items {
		if r.bad[it] {
			if r.named {
				return errors.Join(errRefused, errors.New("bad item "+it))
			}
			return errRefused
		}
	}
	r.applied = append(r.applied, items...)
	return nil
}

func TestSubmitIsolatesRefusedChanges(t *testing.T) {
	items := make([]string, 1000)
	for i := range items {
		items[i] = "item" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strconv.Itoa(i)
	}
	bad := items[637]
	cases := []struct {
		name     string
		named    bool
		maxSends int
	}{
		{"bisection", false, 1 + 2*10},
		{"named in error", true, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &refusing{bad: map[string]bool{bad: true}, named: tc.named}
			s := Submitter[string]{Send: r.send, Refused: func(err error) bool { return errors.Is(err, errRefused) }}
			if tc.named {
				s.Suspects = func(err error, groups []Group[string]) []int {
					var out []int
					for i, g := range groups {
						if strings.Contains(err.Error(), "bad item "+g.Items[0]) {
							out = append(out, i)
						}
					}
					return out
				}
			}
			failed := s.Submit(context.Background(), Pack(groupsOf(items...), Cost{1000, 1000, 1 << 20}))
			if len(failed) != 1 || failed[0].Group.Items[0] != bad {
				t.Fatalf("failed = %v, want only %s", failed, bad)
			}
			if len(r.applied) != 999 {
				t.Errorf("applied %d, want 999", len(r.applied))
			}
			if r.sends > tc.maxSends {
				t.Errorf("%d sends, want at most %d", r.sends, tc.maxSends)
			}
			t.Logf("%s: %d requests to apply 999 of 1000 changes", tc.name, r.sends)
		})
	}
}

func TestSubmitStopsOnTransportError(t *testing.T) {
	sends := 0
	down := errors.New("connection refused")
	s := Submitter[string]{
		Send:    func(context.Context, []string) error { sends++; return down },
		Refused: func(error) bool { return false },
	}
	failed := s.Submit(context.Background(), Pack(groupsOf("a", "b", "c"), Cost{1, 10, 100}))
	if sends != 1 || len(failed) != 3 {
		t.Fatalf("sends=%d failed=%d, want 1 and 3", sends, len(failed))
	}
	if !errors.Is(failed[2].Err, ErrNotSent) || !errors.Is(failed[2].Err, down) {
		t.Errorf("unsent group error = %v", failed[2].Err)
	}
}
