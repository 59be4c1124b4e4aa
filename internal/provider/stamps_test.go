package provider

import (
	"slices"
	"testing"
)

// TestStamps: the version moves when the stamp differs from the last one
// read, stays while it does not, and is new at every call while none can
// be read; the first stamp after an outage moves it even when it equals
// the one before.
func TestStamps(t *testing.T) {
	s := Stamps[[]uint32]{Equal: slices.Equal[[]uint32]}
	steps := []struct {
		stamp []uint32
		ok    bool
		moves bool
	}{
		{[]uint32{1, 7}, true, true}, // the first
		{[]uint32{1, 7}, true, false},
		{[]uint32{2, 7}, true, true},
		{[]uint32{2, 7}, true, false},
		{nil, false, true},
		{nil, false, true},
		{[]uint32{2, 7}, true, true},
		{[]uint32{2, 7}, true, false},
	}
	last := uint64(0)
	for i, st := range steps {
		v := s.Observe(st.stamp, st.ok)
		if moved := v != last; moved != st.moves {
			t.Errorf("step %d (%v, ok %v): moved %v, want %v", i, st.stamp, st.ok, moved, st.moves)
		}
		last = v
	}
}
