package txt

import (
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

func TestNameVectors(t *testing.T) {
	for _, v := range loadVectors(t).TXTNames {
		t.Run(v.ID, func(t *testing.T) {
			in := v.Input
			m, err := NewNameMapper(in.Prefix, in.Suffix, in.WildcardReplacement)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.ToTXTName(in.Name, in.RecordType); got != v.TXTName {
				t.Errorf("ToTXTName(%q, %q) = %q, want %q", in.Name, in.RecordType, got, v.TXTName)
			}
			name, recordType := m.ToEndpointName(v.TXTName)
			if name != v.Reverse.EndpointName || recordType != v.Reverse.RecordType {
				t.Errorf("ToEndpointName(%q) = %q, %q; want %q, %q", v.TXTName, name, recordType, v.Reverse.EndpointName, v.Reverse.RecordType)
			}
			// The registry files records under LookupName, which must
			// meet the reverse mapping of their own ownership name.
			if got := m.LookupName(in.Name); got != v.Reverse.EndpointName {
				t.Errorf("LookupName(%q) = %q, want %q", in.Name, got, v.Reverse.EndpointName)
			}
		})
	}
}

// TestIssueNames are the names from the k3s report, the case that motivated
// the vectors: a k3s-cluster owner with each affix style.
func TestIssueNames(t *testing.T) {
	tests := []struct {
		prefix, suffix, wildcard, name, recordType, want string
	}{
		{"k3s", "", "", "app.example.com", "A", "k3sa-app.example.com"},
		{"k3s-", "", "", "app.example.com", "A", "k3s-a-app.example.com"},
		{"%{record_type}-k3s.", "", "", "app.example.com", "A", "a-k3s.app.example.com"},
		{"", "-k3s", "", "app.example.com", "A", "a-app-k3s.example.com"},
		{"k3s-", "", "wildcard", "*.example.com", "A", "k3s-a-wildcard.example.com"},
		{"k3s-", "", "", "*.example.com", "CNAME", "k3s-cname-*.example.com"},
		{"k3s-", "", "", "example.com", "A", "k3s-a-example.com"},
		{"%{record_type}-k3s.", "", "", "example.com", "NS", "ns-k3s.example.com"},
		{"", "", "", "localhost", "A", "a-localhost"},
		{"", ".k3s", "", "localhost", "A", "a-localhost.k3s"},
	}
	for _, tc := range tests {
		m, err := NewNameMapper(tc.prefix, tc.suffix, tc.wildcard)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.ToTXTName(tc.name, tc.recordType); got != tc.want {
			t.Errorf("prefix %q suffix %q: ToTXTName(%q, %q) = %q, want %q", tc.prefix, tc.suffix, tc.name, tc.recordType, got, tc.want)
		}
	}
}

func TestLegacyNames(t *testing.T) {
	tests := []struct {
		prefix, suffix, txtName, wantName string
	}{
		{"", "", "app.example.com", "app.example.com"},
		{"k3s", "", "k3sapp.example.com", "app.example.com"},
		{"k3s.", "", "k3s.app.example.com", "app.example.com"},
		{"", "-k3s", "app-k3s.example.com", "app.example.com"},
		{"", ".k3s", "app.k3s.example.com", "app.example.com"},
		{"%{record_type}-k3s.", "", "-k3s.app.example.com", "app.example.com"},
		{"", "-%{record_type}", "app-.example.com", "app.example.com"},
	}
	for _, tc := range tests {
		m, err := NewNameMapper(tc.prefix, tc.suffix, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := m.legacyTXTName(tc.wantName); got != tc.txtName {
			t.Errorf("legacyTXTName(%q) = %q, want %q", tc.wantName, got, tc.txtName)
		}
		if name, recordType := m.ToEndpointName(tc.txtName); name != tc.wantName || recordType != "" {
			t.Errorf("prefix %q suffix %q: ToEndpointName(%q) = %q, %q; want %q, no type", tc.prefix, tc.suffix, tc.txtName, name, recordType, tc.wantName)
		}
	}
}

// TestLegacyAmbiguity pins how a type-less name that starts like a typed
// one reads: as the typed one, which is how upstream reads it too.
func TestLegacyAmbiguity(t *testing.T) {
	var m NameMapper
	if name, recordType := m.ToEndpointName("a-b.example.com"); name != "b.example.com" || recordType != "A" {
		t.Fatalf("ToEndpointName = %q, %q", name, recordType)
	}
}

func TestToEndpointNameForeign(t *testing.T) {
	tests := []struct{ prefix, suffix, txtName string }{
		{"k3s-", "", "a-app.example.com"},
		{"", "-k3s", "a-app.example.com"},
		{"", ".k3s", "a-app"},
		{"", ".k3s", "a-app.example.com"},
		{"%{record_type}-k3s.", "", "app.example.com"},
		{"", "-%{record_type}", "app.example.com"},
		{"k3s-", "", "k3s-"},
		{"", "", "a-"},
		{"", "", ""},
	}
	for _, tc := range tests {
		m, err := NewNameMapper(tc.prefix, tc.suffix, "")
		if err != nil {
			t.Fatal(err)
		}
		if name, recordType := m.ToEndpointName(tc.txtName); name != "" || recordType != "" {
			t.Errorf("prefix %q suffix %q: ToEndpointName(%q) = %q, %q; want nothing", tc.prefix, tc.suffix, tc.txtName, name, recordType)
		}
	}
}

func TestNameMapperAffixesExclusive(t *testing.T) {
	if _, err := NewNameMapper("p-", "-s", ""); err == nil {
		t.Fatal("prefix and suffix together were accepted")
	}
}

// TestTypeFromLowerCoversKnownTypes keeps the switch in step with the
// endpoint package: a type missing there would be written but read back
// as a legacy record.
func TestTypeFromLowerCoversKnownTypes(t *testing.T) {
	for _, rt := range endpoint.KnownRecordTypes() {
		if got := typeFromLower(strings.ToLower(rt)); got != rt {
			t.Errorf("typeFromLower(%q) = %q", strings.ToLower(rt), got)
		}
	}
	if typeFromLower("app") != "" {
		t.Error("a non-type matched")
	}
}

func TestTemplateLongestTypeFirst(t *testing.T) {
	m, err := NewNameMapper("%{record_type}", "", "")
	if err != nil {
		t.Fatal(err)
	}
	txtName := m.ToTXTName("x.example.com", "AAAA")
	if name, recordType := m.ToEndpointName(txtName); name != "x.example.com" || recordType != "AAAA" {
		t.Fatalf("ToEndpointName(%q) = %q, %q", txtName, name, recordType)
	}
}

// TestNameVectorsThroughRegistry: the vectors marked registry_checked were
// also produced by upstream's registry; exodns's registry must write the
// same name and value for a record without labels.
func TestNameVectorsThroughRegistry(t *testing.T) {
	v := loadVectors(t)
	for _, nv := range v.TXTNames {
		if !nv.RegistryChecked {
			continue
		}
		t.Run(nv.ID, func(t *testing.T) {
			in := nv.Input
			p := newFakeProvider()
			r, err := New(p, Config{OwnerID: v.Meta.OwnerID, Prefix: in.Prefix, Suffix: in.Suffix, WildcardReplacement: in.WildcardReplacement})
			if err != nil {
				t.Fatal(err)
			}
			rec := &endpoint.Endpoint{DNSName: in.Name, RecordType: in.RecordType, Targets: endpoint.Targets{"x"}}
			if err := r.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{rec}}); err != nil {
				t.Fatal(err)
			}
			c := p.lastCall()
			if len(c.Create) != 2 {
				t.Fatalf("created %v", names(c.Create))
			}
			txt := c.Create[1]
			if txt.DNSName != nv.TXTName || txt.Targets[0] != `"heritage=external-dns,external-dns/owner=`+v.Meta.OwnerID+`"` {
				t.Fatalf("wrote %s %v, want %s", txt.DNSName, txt.Targets, nv.TXTName)
			}
		})
	}
}
