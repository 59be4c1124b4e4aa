package noop

import (
	"context"
	"errors"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

type fakeProvider struct {
	records []*endpoint.Endpoint
	applied []*plan.Changes
	err     error
}

func (f *fakeProvider) Records(context.Context) ([]*endpoint.Endpoint, error) {
	return f.records, f.err
}

func (f *fakeProvider) ApplyChanges(_ context.Context, c *plan.Changes) error {
	f.applied = append(f.applied, c)
	return f.err
}

func (f *fakeProvider) AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	return append(eps, endpoint.New("adjusted.example.com", endpoint.RecordTypeA, "192.0.2.9")), nil
}

func TestRegistry(t *testing.T) {
	rec := endpoint.New("app.example.com", endpoint.RecordTypeA, "192.0.2.1")
	txt := endpoint.New("a-app.example.com", endpoint.RecordTypeTXT, `"heritage=external-dns,external-dns/owner=x"`)
	tests := []struct {
		name      string
		changes   *plan.Changes
		wantCalls int
	}{
		{"nil changes", nil, 0},
		{"empty changes", &plan.Changes{}, 0},
		{"create", &plan.Changes{Create: []*endpoint.Endpoint{rec}}, 1},
		{"update", &plan.Changes{UpdateOld: []*endpoint.Endpoint{rec}, UpdateNew: []*endpoint.Endpoint{rec}}, 1},
		{"delete", &plan.Changes{Delete: []*endpoint.Endpoint{rec}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &fakeProvider{records: []*endpoint.Endpoint{rec, txt}}
			r := New(p)
			if r.OwnerID() != "" {
				t.Fatalf("OwnerID = %q", r.OwnerID())
			}
			got, err := r.Records(context.Background())
			if err != nil || len(got) != 2 || got[1] != txt {
				t.Fatalf("Records = %v, %v; want the provider's records, TXT included", got, err)
			}
			if err := r.ApplyChanges(context.Background(), tc.changes); err != nil {
				t.Fatal(err)
			}
			if len(p.applied) != tc.wantCalls {
				t.Fatalf("provider called %d times, want %d", len(p.applied), tc.wantCalls)
			}
			if tc.wantCalls == 1 && p.applied[0] != tc.changes {
				t.Fatal("changes were not passed through unchanged")
			}
			adj, err := r.AdjustEndpoints(nil)
			if err != nil || len(adj) != 1 {
				t.Fatalf("AdjustEndpoints did not delegate: %v, %v", adj, err)
			}
		})
	}
}

func TestErrorsWrapped(t *testing.T) {
	boom := errors.New("boom")
	r := New(&fakeProvider{err: boom})
	if _, err := r.Records(context.Background()); !errors.Is(err, boom) {
		t.Fatalf("Records error = %v", err)
	}
	err := r.ApplyChanges(context.Background(), &plan.Changes{Delete: []*endpoint.Endpoint{endpoint.New("a.example.com", "A", "192.0.2.1")}})
	if !errors.Is(err, boom) {
		t.Fatalf("ApplyChanges error = %v", err)
	}
}
