package txt

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
)

// TestSpareSnapshot: the snapshot a read replaces is kept for the next
// read to reuse its memory only for SpareFor, so a burst of reads
// allocates little, and a registry at rest keeps no second snapshot.
func TestSpareSnapshot(t *testing.T) {
	tests := []struct {
		name      string
		spareFor  time.Duration
		kept      bool
		letsGoOff bool // the spare is let go once SpareFor passed
	}{
		{"never kept", -1, false, false},
		{"kept briefly", 30 * time.Millisecond, true, true},
		{"default", 0, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var zone []*endpoint.Endpoint
			for i := range 50 {
				name := fmt.Sprintf("app-%d.example.com", i)
				zone = append(zone, endpoint.New(name, "A", "192.0.2.1"), endpoint.New("a-"+name, "TXT", `"heritage=external-dns,external-dns/owner=`+owner+`"`))
			}
			p := newFakeProvider(zone...)
			var dropped atomic.Int32
			r := newRegistry(t, p, Config{SpareFor: tt.spareFor, SpareDropped: func() { dropped.Add(1) }})
			records(t, r)
			first := r.state
			records(t, r)
			r.mu.Lock()
			spare := r.spare
			r.mu.Unlock()
			if (spare != nil) != tt.kept {
				t.Fatalf("after a second read, a spare is kept: %v, want %v", spare != nil, tt.kept)
			}
			if lists := r.state.others != nil || r.state.succ != nil || r.state.filing != nil; lists != tt.kept {
				t.Fatalf("the live snapshot keeps its read's working lists: %v, want %v", lists, tt.kept)
			}
			if !tt.kept {
				return
			}
			if spare != first {
				t.Fatal("the spare is not the snapshot the second read replaced")
			}
			if got := records(t, r); len(got) != 50 {
				t.Fatalf("a read over the reused snapshot gave %d records, want 50", len(got))
			}
			if r.state != first {
				t.Fatal("the third read did not reuse the spare's memory")
			}
			if !tt.letsGoOff {
				return
			}
			deadline := time.Now().Add(5 * time.Second)
			for {
				r.mu.Lock()
				gone := r.spare == nil && r.state.others == nil && r.state.succ == nil && r.state.filing == nil
				r.mu.Unlock()
				if gone {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the spare is still kept 5 s after its %v ran out", tt.spareFor)
				}
				time.Sleep(10 * time.Millisecond)
			}
			for try := 0; dropped.Load() == 0 && try < 100; try++ {
				time.Sleep(10 * time.Millisecond)
			}
			if got := dropped.Load(); got != 1 {
				t.Errorf("SpareDropped called %d times, want once", got)
			}
		})
	}
}
