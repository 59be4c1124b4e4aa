package annotations

import (
	"errors"
	"reflect"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

const (
	a = PrefixAlpha
	s = PrefixStable
)

func TestNewParserPrefixes(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{PrefixStable, PrefixAlpha}},
		{"  ", []string{PrefixStable, PrefixAlpha}},
		{"custom.io/", []string{"custom.io/"}},
		{"custom.io", []string{"custom.io/"}},
		{PrefixAlpha, []string{PrefixAlpha}},
	}
	for _, tt := range tests {
		if got := NewParser(tt.in).Prefixes(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("NewParser(%q).Prefixes() = %v, want %v", tt.in, got, tt.want)
		}
	}
	if got := (Parser{}).Key("ttl"); got != PrefixStable+"ttl" {
		t.Errorf("zero Parser Key = %q", got)
	}
}

func TestParseCore(t *testing.T) {
	tests := []struct {
		name string
		ann  map[string]string
		want Values
	}{
		{"nothing", nil, Values{}},
		{
			"hostnames with spaces, trailing dots and empties",
			map[string]string{a + "hostname": " a.example.com. , b.example.com,, c .example.com.\n"},
			Values{Hostnames: []string{"a.example.com", "b.example.com", "c.example.com"}},
		},
		{
			"internal hostname and targets",
			map[string]string{a + "internal-hostname": "int.example.com", a + "target": "1.2.3.4, lb.example.com."},
			Values{InternalHostnames: []string{"int.example.com"}, Targets: []string{"1.2.3.4", "lb.example.com"}},
		},
		{"ttl seconds", map[string]string{a + "ttl": "60"}, Values{TTL: 60}},
		{"ttl duration", map[string]string{a + "ttl": "1m30s"}, Values{TTL: 90}},
		{"ttl fraction dropped", map[string]string{a + "ttl": "1.5s"}, Values{TTL: 1}},
		{"ttl max", map[string]string{a + "ttl": "2147483647"}, Values{TTL: endpoint.MaxTTL}},
		{"access", map[string]string{a + "access": "Private"}, Values{Access: AccessPrivate}},
		{"set identifier", map[string]string{a + "set-identifier": "cluster-a"}, Values{SetIdentifier: "cluster-a"}},
		{"controller empty counts", map[string]string{a + "controller": ""}, Values{HasController: true}},
		{"controller", map[string]string{a + "controller": "dns-controller"}, Values{Controller: "dns-controller", HasController: true}},
		{"endpoints type", map[string]string{a + "endpoints-type": "hostip"}, Values{EndpointsType: EndpointsTypeHostIP}},
		{
			"hostname sources ignore case and dashes",
			map[string]string{a + "ingress-hostname-source": "Annotation-Only", a + "gateway-hostname-source": "definedhostsonly"},
			Values{IngressHostnameSource: HostnameSourceAnnotationOnly, GatewayHostnameSource: HostnameSourceDefinedHostsOnly},
		},
		{
			"alias becomes a property",
			map[string]string{a + "alias": "true"},
			Values{Alias: true, ProviderSpecific: endpoint.ProviderSpecific{{Name: "alias", Value: "true"}}},
		},
		{"alias false", map[string]string{a + "alias": "false"}, Values{}},
		{
			"record type becomes a property",
			map[string]string{a + "record-type": "PTR"},
			Values{RecordType: "PTR", ProviderSpecific: endpoint.ProviderSpecific{{Name: "record-type", Value: "ptr"}}},
		},
		{"stable prefix alone", map[string]string{s + "ttl": "30"}, Values{TTL: 30}},
		{"stable wins, same value no error", map[string]string{s + "ttl": "30", a + "ttl": "30"}, Values{TTL: 30}},
		{"other prefixes ignored", map[string]string{"example.com/ttl": "30", "hostname": "x.example.com"}, Values{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := NewParser("").Parse(tt.ann)
			if len(errs) != 0 {
				t.Fatalf("errors: %v", errs)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		ann     map[string]string
		wantKey string
		check   func(Values) bool
	}{
		{"ttl zero", map[string]string{a + "ttl": "0"}, a + "ttl", nil},
		{"ttl negative", map[string]string{a + "ttl": "-5"}, a + "ttl", nil},
		{"ttl too big", map[string]string{a + "ttl": "2147483648"}, a + "ttl", nil},
		{"ttl below a second", map[string]string{a + "ttl": "500ms"}, a + "ttl", nil},
		{"ttl garbage", map[string]string{a + "ttl": "soon"}, a + "ttl", nil},
		{
			"bad ttl keeps hostname",
			map[string]string{a + "ttl": "x", a + "hostname": "a.example.com"},
			a + "ttl",
			func(v Values) bool { return v.TTL == 0 && len(v.Hostnames) == 1 },
		},
		{"access", map[string]string{a + "access": "internal"}, a + "access", nil},
		{"alias", map[string]string{a + "alias": "yes"}, a + "alias", nil},
		{"endpoints type", map[string]string{a + "endpoints-type": "PodIP"}, a + "endpoints-type", nil},
		{"ingress hostname source", map[string]string{a + "ingress-hostname-source": "both"}, a + "ingress-hostname-source", nil},
		{"record type", map[string]string{s + "record-type": "mx"}, s + "record-type", nil},
		{"empty provider property", map[string]string{a + "aws-": "1"}, a + "aws-", nil},
		{
			"conflicting prefixes: stable wins, alpha reported",
			map[string]string{s + "ttl": "30", a + "ttl": "60"},
			a + "ttl",
			func(v Values) bool { return v.TTL == 30 },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := NewParser("").Parse(tt.ann)
			if len(errs) != 1 {
				t.Fatalf("want 1 error, got %v", errs)
			}
			var ve *endpoint.ValidationError
			if !errors.As(errs[0], &ve) {
				t.Fatalf("error %T is not a ValidationError", errs[0])
			}
			if ve.Field != tt.wantKey || ve.Value != tt.ann[tt.wantKey] || ve.Reason == "" {
				t.Errorf("error = %+v, want field %q value %q", ve, tt.wantKey, tt.ann[tt.wantKey])
			}
			if tt.check != nil && !tt.check(got) {
				t.Errorf("values %+v", got)
			}
		})
	}
}

func TestCustomPrefixReadsOnlyIt(t *testing.T) {
	ann := map[string]string{
		"custom.io/hostname":   "a.example.com",
		a + "hostname":         "b.example.com",
		s + "ttl":              "60",
		"custom.io/aws-weight": "10",
	}
	got, errs := NewParser("custom.io/").Parse(ann)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	want := Values{
		Hostnames:        []string{"a.example.com"},
		ProviderSpecific: endpoint.ProviderSpecific{{Name: "aws/weight", Value: "10"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestLookup(t *testing.T) {
	p := NewParser("")
	ann := map[string]string{a + "hostname": "old.example.com", s + "hostname": "new.example.com"}
	v, key, ok := p.Lookup(ann, KeyHostname)
	if !ok || v != "new.example.com" || key != s+"hostname" {
		t.Errorf("Lookup = %q %q %v", v, key, ok)
	}
	if _, _, ok := p.Lookup(ann, KeyTTL); ok {
		t.Error("Lookup found a missing key")
	}
}

func TestSplitList(t *testing.T) {
	tests := map[string][]string{
		"":                nil,
		",, ,":            nil,
		"a.com.":          {"a.com"},
		"a.com,\n\tb.com": {"a.com", "b.com"},
		"a.com..":         {"a.com"},
	}
	for in, want := range tests {
		if got := SplitList(in); !reflect.DeepEqual(got, want) {
			t.Errorf("SplitList(%q) = %q, want %q", in, got, want)
		}
	}
}
