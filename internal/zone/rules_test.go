package zone

import (
	"errors"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

func rec(name, typ string, targets ...string) *endpoint.Endpoint {
	return endpoint.New(name, typ, targets...)
}

func TestRulesCheck(t *testing.T) {
	current := NewSet()
	current.Put(rec("a.example.com", "A", "192.0.2.1"))
	current.Put(rec("c.example.com", "CNAME", "a.example.com"))
	current.Put(rec("w.example.com", "A", "192.0.2.2").WithSetIdentifier("eu"))
	reserved := NewSet()
	reserved.Put(rec("_acme-challenge.example.com", "TXT", "token"))

	tests := []struct {
		name string
		c    plan.Changes
		want error
	}{
		{"create new", plan.Changes{Create: []*endpoint.Endpoint{rec("b.example.com", "A", "192.0.2.3")}}, nil},
		{"create existing", plan.Changes{Create: []*endpoint.Endpoint{rec("a.example.com", "A", "192.0.2.9")}}, ErrRecordExists},
		{"create twice", plan.Changes{Create: []*endpoint.Endpoint{rec("b.example.com", "A", "192.0.2.3"), rec("b.example.com", "A", "192.0.2.4")}}, ErrRecordExists},
		{"create after delete", plan.Changes{Delete: []*endpoint.Endpoint{rec("a.example.com", "A", "192.0.2.1")}, Create: []*endpoint.Endpoint{rec("a.example.com", "A", "192.0.2.9")}}, nil},
		{"create another set identifier", plan.Changes{Create: []*endpoint.Endpoint{rec("w.example.com", "A", "192.0.2.5").WithSetIdentifier("us")}}, nil},
		{"create over a reserved key", plan.Changes{Create: []*endpoint.Endpoint{rec("_acme-challenge.example.com", "TXT", "x")}}, ErrRecordExists},
		{"create a CNAME beside a reserved TXT", plan.Changes{Create: []*endpoint.Endpoint{rec("_acme-challenge.example.com", "CNAME", "x.example.org")}}, ErrCNAMEConflict},
		{"create outside every zone", plan.Changes{Create: []*endpoint.Endpoint{rec("x.example.org", "A", "192.0.2.1")}}, ErrNoZone},
		{"delete missing", plan.Changes{Delete: []*endpoint.Endpoint{rec("z.example.com", "A", "192.0.2.1")}}, ErrRecordMissing},
		{"delete a reserved record", plan.Changes{Delete: []*endpoint.Endpoint{rec("_acme-challenge.example.com", "TXT", "token")}}, ErrRecordMissing},
		{"delete twice", plan.Changes{Delete: []*endpoint.Endpoint{rec("a.example.com", "A", "192.0.2.1"), rec("a.example.com", "A", "192.0.2.1")}}, ErrRecordMissing},
		{"delete stale targets", plan.Changes{Delete: []*endpoint.Endpoint{rec("a.example.com", "A", "192.0.2.7")}}, ErrMismatch},
		{"delete matches targets in any order and case", plan.Changes{Delete: []*endpoint.Endpoint{rec("c.example.com", "CNAME", "A.example.com.")}}, nil},
		{"update", plan.Changes{UpdateOld: []*endpoint.Endpoint{rec("a.example.com", "A", "192.0.2.1")}, UpdateNew: []*endpoint.Endpoint{rec("a.example.com", "A", "192.0.2.8")}}, nil},
		{"update stale", plan.Changes{UpdateOld: []*endpoint.Endpoint{rec("a.example.com", "A", "192.0.2.2")}, UpdateNew: []*endpoint.Endpoint{rec("a.example.com", "A", "192.0.2.8")}}, ErrMismatch},
		{"update missing", plan.Changes{UpdateOld: []*endpoint.Endpoint{rec("q.example.com", "A", "192.0.2.2")}, UpdateNew: []*endpoint.Endpoint{rec("q.example.com", "A", "192.0.2.8")}}, ErrRecordMissing},
		{"update of a deleted record", plan.Changes{Delete: []*endpoint.Endpoint{rec("a.example.com", "A", "192.0.2.1")},
			UpdateOld: []*endpoint.Endpoint{rec("a.example.com", "A", "192.0.2.1")}, UpdateNew: []*endpoint.Endpoint{rec("a.example.com", "A", "192.0.2.8")}}, ErrRecordMissing},
		{"update changes the key", plan.Changes{UpdateOld: []*endpoint.Endpoint{rec("a.example.com", "A", "192.0.2.1")}, UpdateNew: []*endpoint.Endpoint{rec("a.example.com", "A", "192.0.2.8").WithSetIdentifier("x")}}, ErrInvalid},
		{"uneven update lists", plan.Changes{UpdateOld: []*endpoint.Endpoint{rec("a.example.com", "A", "192.0.2.1")}}, ErrInvalid},
		{"nil create", plan.Changes{Create: []*endpoint.Endpoint{nil}}, ErrInvalid},
		{"CNAME beside an A", plan.Changes{Create: []*endpoint.Endpoint{rec("a.example.com", "CNAME", "x.example.org")}}, ErrCNAMEConflict},
		{"A beside a CNAME", plan.Changes{Create: []*endpoint.Endpoint{rec("C.example.com.", "TXT", "x")}}, ErrCNAMEConflict},
		{"CNAME and A created together", plan.Changes{Create: []*endpoint.Endpoint{rec("n.example.com", "CNAME", "x.example.org"), rec("n.example.com", "AAAA", "2001:db8::1")}}, ErrCNAMEConflict},
		{"CNAME replaces a deleted A", plan.Changes{Delete: []*endpoint.Endpoint{rec("a.example.com", "A", "192.0.2.1")}, Create: []*endpoint.Endpoint{rec("a.example.com", "CNAME", "x.example.org")}}, nil},
		{"CNAMEs under two set identifiers", plan.Changes{Create: []*endpoint.Endpoint{rec("m.example.com", "CNAME", "x.example.org").WithSetIdentifier("1"), rec("m.example.com", "CNAME", "y.example.org").WithSetIdentifier("2")}}, nil},
	}
	r := Rules{Zones: NewMatcher([]string{"example.com"}), Current: current, Reserved: reserved, ReservedBy: "an RFC 2136 update"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.Check(&tt.c)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Check = %v, want %v", err, tt.want)
			}
			if !Refused(err) {
				t.Errorf("Refused(%v) = false", err)
			}
		})
	}
	if Refused(errors.New("disk full")) {
		t.Error("a backend failure counts as a refusal")
	}
	if current.Len() != 3 {
		t.Errorf("Check changed the records: %d", current.Len())
	}
}

func TestSet(t *testing.T) {
	s := NewSet()
	s.Put(rec("a.example.com", "A", "192.0.2.1"))
	s.Put(rec("a.example.com", "TXT", "x"))
	s.Put(rec("a.example.com", "A", "192.0.2.2")) // replaces
	if s.Len() != 2 || len(s.Keys("A.example.com.")) != 2 {
		t.Fatalf("len %d, keys %v", s.Len(), s.Keys("a.example.com"))
	}
	if e, _ := s.Get(endpoint.Key{DNSName: "a.example.com", RecordType: "A"}); e.Targets[0] != "192.0.2.2" {
		t.Errorf("Put did not replace: %v", e)
	}
	s.Delete(endpoint.Key{DNSName: "a.example.com", RecordType: "A"})
	s.Delete(endpoint.Key{DNSName: "a.example.com", RecordType: "MX"})
	if got := s.Keys("a.example.com"); len(got) != 1 || got[0].RecordType != "TXT" {
		t.Errorf("keys after delete = %v", got)
	}
	s.Delete(endpoint.Key{DNSName: "a.example.com", RecordType: "TXT"})
	if s.Len() != 0 || len(s.byName) != 0 {
		t.Errorf("not empty: %d %v", s.Len(), s.byName)
	}
}
