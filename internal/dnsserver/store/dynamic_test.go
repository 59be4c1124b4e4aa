package store

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// TestDynamicNamespace: records of RFC 2136 updates are answered (Zone),
// durable, invisible to the controller (Records), never touch a name the
// controller holds, and the controller cannot create over them.
func TestDynamicNamespace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s, err := Open(path, []string{"example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(&plan.Changes{Create: []*endpoint.Endpoint{ep("app.example.com", "A", "192.0.2.1"), ep("a-app.example.com", "TXT", `"heritage=external-dns"`)}}); err != nil {
		t.Fatal(err)
	}
	challenge := ep("_acme-challenge.example.com", "TXT", "token")
	if _, err := s.ApplyDynamic(&plan.Changes{Create: []*endpoint.Endpoint{challenge}}); err != nil {
		t.Fatal(err)
	}
	refusals := []struct {
		name    string
		dynamic bool
		c       plan.Changes
		want    error
	}{
		{"update adds a type at an exodns name", true, plan.Changes{Create: []*endpoint.Endpoint{ep("app.example.com", "TXT", "mine")}}, ErrOwned},
		{"update replaces an ownership record", true, plan.Changes{Delete: []*endpoint.Endpoint{ep("a-app.example.com", "TXT", `"heritage=external-dns"`)}}, ErrOwned},
		{"controller creates over an update", false, plan.Changes{Create: []*endpoint.Endpoint{ep("_acme-challenge.example.com", "TXT", "x")}}, ErrRecordExists},
		{"controller CNAME beside an update", false, plan.Changes{Create: []*endpoint.Endpoint{ep("_acme-challenge.example.com", "CNAME", "x.example.org")}}, ErrCNAMEConflict},
		{"controller deletes an update", false, plan.Changes{Delete: []*endpoint.Endpoint{challenge}}, ErrRecordMissing},
	}
	for _, r := range refusals {
		apply := s.Apply
		if r.dynamic {
			apply = s.ApplyDynamic
		}
		if _, err := apply(&r.c); !errors.Is(err, r.want) {
			t.Errorf("%s: %v, want %v", r.name, err, r.want)
		}
	}
	if len(s.Records()) != 2 {
		t.Errorf("controller sees %v", s.Records())
	}
	if z, _ := s.Zone("example.com"); len(z.Records) != 3 || z.Serial != 3 {
		t.Errorf("zone holds %d records at serial %d, want 3 at 3", len(z.Records), z.Serial)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, []string{"example.com"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	equal(t, s.DynamicRecords(), []*endpoint.Endpoint{challenge})
	if got := s.Dynamic("_ACME-challenge.example.com."); len(got) != 1 {
		t.Errorf("Dynamic = %v", got)
	}
	if !s.Owned("app.example.com") || s.Owned("_acme-challenge.example.com") {
		t.Error("Owned is wrong")
	}
	if _, err := s.ApplyDynamic(&plan.Changes{Delete: []*endpoint.Endpoint{challenge}}); err != nil {
		t.Fatal(err)
	}
	if z, _ := s.Zone("example.com"); len(z.Records) != 2 {
		t.Errorf("after removing the challenge: %d records", len(z.Records))
	}
}
