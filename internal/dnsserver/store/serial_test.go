package store

import (
	"path/filepath"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// TestDigestIsOfContentOnly: two stores that reached the same records by
// different histories have one digest; any difference in the records
// changes it.
func TestDigestIsOfContentOnly(t *testing.T) {
	a, b := NewMemory([]string{"example.com"}), NewMemory([]string{"example.com"})
	apply := func(s *Store, c plan.Changes) {
		t.Helper()
		if _, err := s.Apply(&c); err != nil {
			t.Fatal(err)
		}
	}
	apply(a, plan.Changes{Create: []*endpoint.Endpoint{ep("x.example.com", "A", "192.0.2.1", "192.0.2.2"), ep("y.example.com", "A", "192.0.2.3")}})
	apply(b, plan.Changes{Create: []*endpoint.Endpoint{ep("y.example.com", "A", "192.0.2.9")}})
	apply(b, plan.Changes{UpdateOld: []*endpoint.Endpoint{ep("y.example.com", "A", "192.0.2.9")}, UpdateNew: []*endpoint.Endpoint{ep("y.example.com", "A", "192.0.2.3")}})
	apply(b, plan.Changes{Create: []*endpoint.Endpoint{ep("x.example.com", "A", "192.0.2.2", "192.0.2.1")}})
	da, _ := a.Digest("example.com")
	db, _ := b.Digest("example.com")
	if da != db {
		t.Fatalf("same records, digests %s and %s", da, db)
	}
	if mustZone(t, a, "example.com").Serial == mustZone(t, b, "example.com").Serial {
		t.Fatal("test needs different histories, so different serials")
	}
	for _, c := range []plan.Changes{
		{UpdateOld: []*endpoint.Endpoint{ep("y.example.com", "A", "192.0.2.3")}, UpdateNew: []*endpoint.Endpoint{ep("y.example.com", "A", "192.0.2.4")}},
		{UpdateOld: []*endpoint.Endpoint{ep("y.example.com", "A", "192.0.2.4")}, UpdateNew: []*endpoint.Endpoint{ep("y.example.com", "A", "192.0.2.4").WithTTL(60)}},
		{Create: []*endpoint.Endpoint{ep("z.example.com", "TXT", "hi")}},
	} {
		apply(b, c)
		if d, _ := b.Digest("example.com"); d == da {
			t.Errorf("digest unchanged after %v", c)
		}
	}
}

// TestSetSerialIsDurable: a serial taken from the leader survives a restart.
func TestSetSerialIsDurable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s, err := Open(path, []string{"example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetSerial("example.com", 4711); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSerial("nope.example", 1); err == nil {
		t.Error("serial of an unknown zone accepted")
	}
	_ = s.Close()
	s, err = Open(path, []string{"example.com"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := mustZone(t, s, "example.com").Serial; got != 4711 {
		t.Errorf("serial after reopen %d, want 4711", got)
	}
}
