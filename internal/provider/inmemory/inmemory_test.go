package inmemory

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

func a(name, ip string) *endpoint.Endpoint { return endpoint.New(name, "A", ip) }

func TestApplyChanges(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		seed    []*endpoint.Endpoint
		changes plan.Changes
		wantErr error
		want    map[string]string // name -> first target after apply
	}{
		{
			name:    "create",
			changes: plan.Changes{Create: []*endpoint.Endpoint{a("x.example.com", "1.1.1.1")}},
			want:    map[string]string{"x.example.com": "1.1.1.1"},
		},
		{
			name:    "create existing fails",
			seed:    []*endpoint.Endpoint{a("x.example.com", "1.1.1.1")},
			changes: plan.Changes{Create: []*endpoint.Endpoint{a("x.example.com", "2.2.2.2")}},
			wantErr: ErrRecordExists,
			want:    map[string]string{"x.example.com": "1.1.1.1"},
		},
		{
			name:    "outside zones is refused alone; its neighbour lands",
			changes: plan.Changes{Create: []*endpoint.Endpoint{a("y.example.com", "1.1.1.1"), a("x.other.org", "1.1.1.1")}},
			wantErr: ErrNoZone,
			want:    map[string]string{"y.example.com": "1.1.1.1"},
		},
		{
			name: "update",
			seed: []*endpoint.Endpoint{a("x.example.com", "1.1.1.1")},
			changes: plan.Changes{
				UpdateOld: []*endpoint.Endpoint{a("x.example.com", "1.1.1.1")},
				UpdateNew: []*endpoint.Endpoint{a("x.example.com", "2.2.2.2")},
			},
			want: map[string]string{"x.example.com": "2.2.2.2"},
		},
		{
			name:    "delete mismatch fails",
			seed:    []*endpoint.Endpoint{a("x.example.com", "1.1.1.1")},
			changes: plan.Changes{Delete: []*endpoint.Endpoint{a("x.example.com", "9.9.9.9")}},
			wantErr: ErrMismatch,
			want:    map[string]string{"x.example.com": "1.1.1.1"},
		},
		{
			name:    "delete missing fails",
			changes: plan.Changes{Delete: []*endpoint.Endpoint{a("x.example.com", "1.1.1.1")}},
			wantErr: ErrRecordMissing,
			want:    map[string]string{},
		},
		{
			name: "delete then create same key in one batch",
			seed: []*endpoint.Endpoint{a("x.example.com", "1.1.1.1")},
			changes: plan.Changes{
				Delete: []*endpoint.Endpoint{a("x.example.com", "1.1.1.1")},
				Create: []*endpoint.Endpoint{a("x.example.com", "3.3.3.3")},
			},
			want: map[string]string{"x.example.com": "3.3.3.3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New([]string{"example.com"})
			if len(tt.seed) > 0 {
				if err := p.ApplyChanges(ctx, &plan.Changes{Create: tt.seed}); err != nil {
					t.Fatal(err)
				}
			}
			err := p.ApplyChanges(ctx, &tt.changes)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			recs, _ := p.Records(ctx)
			got := map[string]string{}
			for _, r := range recs {
				got[r.DNSName] = r.Targets[0]
			}
			if len(got) != len(tt.want) {
				t.Fatalf("records = %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestRecordsAreCopies(t *testing.T) {
	ctx := context.Background()
	p := New([]string{"example.com"})
	_ = p.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{a("x.example.com", "1.1.1.1")}})
	recs, _ := p.Records(ctx)
	recs[0].Targets[0] = "6.6.6.6"
	again, _ := p.Records(ctx)
	if again[0].Targets[0] != "1.1.1.1" {
		t.Fatal("caller mutated the store")
	}
	if p.Applies() != 1 {
		t.Fatalf("applies = %d", p.Applies())
	}
}

// TestRecordsCopiesApart: appending to one copy's targets reaches neither
// the store nor the copy next to it in the shared block.
func TestRecordsCopiesApart(t *testing.T) {
	ctx := context.Background()
	p := New([]string{"example.com"})
	_ = p.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{a("x.example.com", "1.1.1.1"), a("y.example.com", "2.2.2.2")}})
	recs, _ := p.Records(ctx)
	recs[0].Targets = append(recs[0].Targets, "6.6.6.6")
	recs[0].Labels.Set("k", "v")
	if recs[1].Targets[0] != "2.2.2.2" || recs[1].Labels.Len() != 0 {
		t.Fatalf("an append to one copy reached the next: %v", recs[1])
	}
	again, _ := p.Records(ctx)
	if len(again[0].Targets) != 1 || again[0].Labels.Len() != 0 {
		t.Fatalf("a caller changed the store: %v", again[0])
	}
}

// TestRecordsAllocations: a read of the zone allocates one label map a
// record (callers may write labels into it) and a few blocks, not a
// record, a target slice and a label map each.
func TestRecordsAllocations(t *testing.T) {
	ctx := context.Background()
	p := New([]string{"example.com"})
	var create []*endpoint.Endpoint
	for i := range 1000 {
		create = append(create, a(fmt.Sprintf("r%d.example.com", i), "192.0.2.1"))
	}
	if err := p.ApplyChanges(ctx, &plan.Changes{Create: create}); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(5, func() { _, _ = p.Records(ctx) })
	if allocs > 1.1*float64(len(create)) {
		t.Errorf("Records allocates %.0f times for %d records", allocs, len(create))
	}
}
