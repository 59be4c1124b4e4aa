package store

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

func ep(name, typ string, targets ...string) *endpoint.Endpoint {
	return endpoint.New(name, typ, targets...)
}

func keys(eps []*endpoint.Endpoint) []string {
	out := make([]string, len(eps))
	for i, e := range eps {
		out[i] = e.String()
	}
	return out
}

func equal(t *testing.T, got, want []*endpoint.Endpoint) {
	t.Helper()
	g, w := keys(got), keys(want)
	if len(g) != len(w) {
		t.Fatalf("got %q, want %q", g, w)
	}
	for i := range g {
		if g[i] != w[i] {
			t.Fatalf("got %q, want %q", g, w)
		}
	}
}

func TestApplyRules(t *testing.T) {
	base := []*endpoint.Endpoint{
		ep("a.example.com", "A", "192.0.2.1"),
		ep("b.example.com", "A", "192.0.2.2"),
	}
	cases := []struct {
		name    string
		changes plan.Changes
		wantErr error
		want    []*endpoint.Endpoint
	}{
		{"create", plan.Changes{Create: []*endpoint.Endpoint{ep("c.example.com", "A", "192.0.2.3")}}, nil,
			append(base[:2:2], ep("c.example.com", "A", "192.0.2.3"))},
		{"create existing", plan.Changes{Create: []*endpoint.Endpoint{ep("a.example.com", "A", "192.0.2.9")}}, ErrRecordExists, base},
		{"create twice in one batch", plan.Changes{Create: []*endpoint.Endpoint{ep("c.example.com", "A", "192.0.2.3"), ep("c.example.com", "A", "192.0.2.4")}}, ErrRecordExists, base},
		{"stray name rejects the batch", plan.Changes{Create: []*endpoint.Endpoint{ep("c.example.com", "A", "192.0.2.3"), ep("x.example.org", "A", "192.0.2.3")}}, ErrNoZone, base},
		{"delete", plan.Changes{Delete: []*endpoint.Endpoint{ep("a.example.com", "A", "192.0.2.1")}}, nil, base[1:]},
		{"delete with stale targets", plan.Changes{Delete: []*endpoint.Endpoint{ep("a.example.com", "A", "192.0.2.7")}}, ErrMismatch, base},
		{"delete missing", plan.Changes{Delete: []*endpoint.Endpoint{ep("z.example.com", "A", "192.0.2.7")}}, ErrRecordMissing, base},
		{"delete then create same key", plan.Changes{
			Delete: []*endpoint.Endpoint{ep("a.example.com", "A", "192.0.2.1")},
			Create: []*endpoint.Endpoint{ep("a.example.com", "A", "192.0.2.5")}}, nil,
			[]*endpoint.Endpoint{ep("a.example.com", "A", "192.0.2.5"), base[1]}},
		{"update", plan.Changes{
			UpdateOld: []*endpoint.Endpoint{ep("b.example.com", "A", "192.0.2.2")},
			UpdateNew: []*endpoint.Endpoint{ep("b.example.com", "A", "192.0.2.8").WithTTL(60)}}, nil,
			[]*endpoint.Endpoint{base[0], ep("b.example.com", "A", "192.0.2.8").WithTTL(60)}},
		{"update changing the key", plan.Changes{
			UpdateOld: []*endpoint.Endpoint{ep("b.example.com", "A", "192.0.2.2")},
			UpdateNew: []*endpoint.Endpoint{ep("b.example.com", "A", "192.0.2.8").WithSetIdentifier("x")}}, ErrInvalid, base},
		{"update of a deleted record", plan.Changes{
			Delete:    []*endpoint.Endpoint{ep("b.example.com", "A", "192.0.2.2")},
			UpdateOld: []*endpoint.Endpoint{ep("b.example.com", "A", "192.0.2.2")},
			UpdateNew: []*endpoint.Endpoint{ep("b.example.com", "A", "192.0.2.8")}}, ErrRecordMissing, base},
		{"uneven update lists", plan.Changes{UpdateOld: []*endpoint.Endpoint{base[0]}}, nil, base},
		{"no targets", plan.Changes{Create: []*endpoint.Endpoint{ep("c.example.com", "A")}}, ErrInvalid, base},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewMemory([]string{"example.com"})
			if _, err := s.Apply(&plan.Changes{Create: base}); err != nil {
				t.Fatal(err)
			}
			serial := mustZone(t, s, "example.com").Serial
			_, err := s.Apply(&tc.changes)
			switch {
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			case tc.wantErr == nil && tc.name != "uneven update lists" && err != nil:
				t.Fatalf("unexpected error %v", err)
			}
			equal(t, s.Records(), tc.want)
			after := mustZone(t, s, "example.com").Serial
			if changed := err == nil && tc.changes.HasChanges(); changed != (after == serial+1) || (!changed && after != serial) {
				t.Errorf("serial %d -> %d, changed=%v", serial, after, changed)
			}
		})
	}
}

func mustZone(t *testing.T, s *Store, name string) Zone {
	t.Helper()
	z, ok := s.Zone(name)
	if !ok {
		t.Fatalf("zone %s missing", name)
	}
	return z
}

func TestRecordsDropLabelsAndCopy(t *testing.T) {
	s := NewMemory([]string{"example.com"})
	in := ep("a.example.com", "TXT", "x").WithLabel("owner", "me").WithProviderSpecific("weight", "10")
	if _, err := s.Apply(&plan.Changes{Create: []*endpoint.Endpoint{in}}); err != nil {
		t.Fatal(err)
	}
	in.Targets[0] = "mutated after apply"
	got := s.Records()
	if len(got) != 1 || got[0].Labels.Len() != 0 || got[0].Targets[0] != "x" {
		t.Fatalf("got %+v", got[0])
	}
	if v, _ := got[0].ProviderSpecific.Get("weight"); v != "10" {
		t.Errorf("provider-specific lost: %+v", got[0].ProviderSpecific)
	}
	got[0].Targets[0] = "mutated copy"
	if s.Records()[0].Targets[0] != "x" {
		t.Error("Records returned the stored endpoint, not a copy")
	}
}

func TestSerialPerZone(t *testing.T) {
	s := NewMemory([]string{"example.com", "sub.example.com", "example.org"})
	changed, err := s.Apply(&plan.Changes{Create: []*endpoint.Endpoint{
		ep("a.sub.example.com", "A", "192.0.2.1"), ep("b.example.com", "A", "192.0.2.2"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(changed) != 2 || changed[0] != "example.com" || changed[1] != "sub.example.com" {
		t.Fatalf("changed = %v", changed)
	}
	for zone, want := range map[string]uint32{"example.com": 2, "sub.example.com": 2, "example.org": 1} {
		if got := mustZone(t, s, zone).Serial; got != want {
			t.Errorf("%s serial = %d, want %d", zone, got, want)
		}
	}
	if recs := mustZone(t, s, "sub.example.com").Records; len(recs) != 1 || recs[0].DNSName != "a.sub.example.com" {
		t.Errorf("longest zone should hold a.sub: %v", recs)
	}
}

// TestDurable reopens the file the way a restart after kill -9 would: what
// Apply returned for is there, with its serial, and a failed batch left
// nothing behind.
func TestDurable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "embedded.db")
	zones := []string{"example.com"}
	s, err := Open(path, zones)
	if err != nil {
		t.Fatal(err)
	}
	want := []*endpoint.Endpoint{
		ep("a.example.com", "A", "192.0.2.1").WithTTL(30),
		ep("b.example.com", "TXT", `"heritage=external-dns"`).WithSetIdentifier("x\x00y"),
	}
	if _, err := s.Apply(&plan.Changes{Create: want}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(&plan.Changes{
		Create: []*endpoint.Endpoint{ep("c.example.com", "A", "192.0.2.3")},
		Delete: []*endpoint.Endpoint{ep("a.example.com", "A", "192.0.2.99")},
	}); !errors.Is(err, ErrMismatch) {
		t.Fatalf("err = %v", err)
	}
	if _, err := Open(path, zones); err == nil {
		t.Fatal("a second Open of a locked file should fail, not hang")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path, append(zones, "example.org"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	equal(t, s.Records(), want)
	if got := mustZone(t, s, "example.com").Serial; got != 2 {
		t.Errorf("serial after reopen = %d, want 2", got)
	}
	if got := mustZone(t, s, "example.org").Serial; got != 1 {
		t.Errorf("new zone serial = %d, want 1", got)
	}
}

func TestDefaultDBPath(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/data")
	if p, err := DefaultDBPath(); err != nil || p != "/data/exodns/embedded.db" {
		t.Errorf("got %q, %v", p, err)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/u")
	if p, err := DefaultDBPath(); err != nil || p != "/home/u/.local/share/exodns/embedded.db" {
		t.Errorf("got %q, %v", p, err)
	}
}
