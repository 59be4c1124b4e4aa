package dnsendpoint

import (
	"reflect"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/endpoint/endpointtest"
	"github.com/exodns/exodns/internal/source"
)

func newDNSEndpoint(specs ...EndpointSpec) *DNSEndpoint {
	return &DNSEndpoint{
		TypeMeta:   metav1.TypeMeta{APIVersion: DefaultAPIVersion, Kind: DefaultKind},
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "x"},
		Spec:       Spec{Endpoints: specs},
	}
}

func render(eps []*endpoint.Endpoint) []string {
	return endpointtest.Render(eps, "team", endpoint.ResourceLabel)
}

func TestEndpoints(t *testing.T) {
	const res = " resource:crd/default/x"
	tests := []struct {
		name     string
		obj      *DNSEndpoint
		opts     source.Options
		want     []string
		problems []string
	}{
		{name: "full entry kept", obj: newDNSEndpoint(EndpointSpec{
			DNSName: "App.Example.com.", Targets: []string{"1.2.3.4"}, RecordType: "A", RecordTTL: 300, SetIdentifier: "eu",
			Labels:           map[string]string{"team": "a", endpoint.ResourceLabel: "spoofed"},
			ProviderSpecific: endpoint.ProviderSpecific{{Name: "external-dns.alpha.kubernetes.io/cloudflare-proxied", Value: "true"}},
		}), want: []string{"app.example.com A 1.2.3.4 ttl=300 set=eu external-dns.alpha.kubernetes.io/cloudflare-proxied=true team:a" + res}},
		{name: "missing record type follows targets", obj: newDNSEndpoint(EndpointSpec{DNSName: "a.example.com", Targets: []string{"2001:db8::1", "1.2.3.4"}},
			EndpointSpec{DNSName: "b.example.com", Targets: []string{"c.example.net"}}),
			want: []string{"a.example.com A 1.2.3.4" + res, "a.example.com AAAA 2001:db8::1" + res, "b.example.com CNAME c.example.net" + res}},
		{name: "other record types", obj: newDNSEndpoint(
			EndpointSpec{DNSName: "a.example.com", RecordType: "txt", Targets: []string{"hello world"}},
			EndpointSpec{DNSName: "a.example.com", RecordType: "MX", Targets: []string{"10 Mail.example.com."}},
			EndpointSpec{DNSName: "_sip._tcp.example.com", RecordType: "SRV", Targets: []string{"0 50 5060 sip.example.com"}}),
			want: []string{"_sip._tcp.example.com SRV 0 50 5060 sip.example.com" + res, "a.example.com MX 10 mail.example.com" + res, "a.example.com TXT hello world" + res}},
		{name: "invalid entries reported by index and held, others kept", obj: newDNSEndpoint(
			EndpointSpec{DNSName: "ok.example.com", RecordType: "A", Targets: []string{"1.2.3.4"}},
			EndpointSpec{DNSName: "bad.example.com", RecordType: "A", Targets: []string{"not-an-ip"}},
			EndpointSpec{DNSName: "bad name.example.com", RecordType: "A", Targets: []string{"1.2.3.4"}},
			EndpointSpec{DNSName: "empty.example.com", RecordType: "A"},
			EndpointSpec{DNSName: "ttl.example.com", RecordType: "A", Targets: []string{"1.2.3.4"}, RecordTTL: -1},
			EndpointSpec{DNSName: "type.example.com", RecordType: "BOGUS", Targets: []string{"x"}}),
			want: []string{"bad.example.com HOLD", "empty.example.com HOLD", "ok.example.com A 1.2.3.4" + res, "ttl.example.com HOLD", "type.example.com HOLD"},
			problems: []string{`spec.endpoints[1].targets "not-an-ip"`, `spec.endpoints[2].dnsName "bad name.example.com"`,
				"spec.endpoints[3].targets", `spec.endpoints[4].recordTTL "-1"`, `spec.endpoints[5].recordType "BOGUS"`}},
		{name: "same record set merged", obj: newDNSEndpoint(
			EndpointSpec{DNSName: "a.example.com", RecordType: "A", Targets: []string{"5.5.5.5"}, RecordTTL: 60},
			EndpointSpec{DNSName: "A.example.com", RecordType: "A", Targets: []string{"1.2.3.4", "5.5.5.5"}}),
			want: []string{"a.example.com A 1.2.3.4,5.5.5.5 ttl=60" + res}},
		{name: "conflicting CNAMEs reported", obj: newDNSEndpoint(
			EndpointSpec{DNSName: "a.example.com", RecordType: "CNAME", Targets: []string{"x.example.com"}},
			EndpointSpec{DNSName: "a.example.com", RecordType: "CNAME", Targets: []string{"y.example.com"}}),
			want:     []string{"a.example.com HOLD"},
			problems: []string{"record a.example.com/CNAME"}},
		{name: "default targets fill empty entry", obj: newDNSEndpoint(
			EndpointSpec{DNSName: "a.example.com", RecordType: "CNAME"},
			EndpointSpec{DNSName: "b.example.com", RecordType: "A", Targets: []string{"1.2.3.4"}}),
			opts: source.Options{DefaultTargets: []string{"6.6.6.6"}},
			want: []string{"a.example.com A 6.6.6.6" + res, "b.example.com A 1.2.3.4" + res}},
		{name: "forced default targets replace address entries only", obj: newDNSEndpoint(
			EndpointSpec{DNSName: "a.example.com", RecordType: "A", Targets: []string{"1.2.3.4"}},
			EndpointSpec{DNSName: "a.example.com", RecordType: "TXT", Targets: []string{"v=spf1 -all"}}),
			opts: source.Options{DefaultTargets: []string{"lb.example.net"}, ForceDefaultTargets: true},
			want: []string{"a.example.com CNAME lb.example.net" + res, "a.example.com TXT v=spf1 -all" + res}},
		{name: "label filter", obj: newDNSEndpoint(EndpointSpec{DNSName: "a.example.com", Targets: []string{"1.2.3.4"}}),
			opts: source.Options{LabelFilter: mustSelector(t, "team=a")}},
		{name: "nil object", obj: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before *DNSEndpoint
			if tt.obj != nil {
				before = tt.obj.DeepCopy()
			}
			r := Endpoints(tt.obj, tt.opts)
			if got := render(r.Endpoints); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("endpoints\n got  %q\n want %q", got, tt.want)
			}
			if len(r.Problems) != len(tt.problems) {
				t.Fatalf("problems %v, want %d matching %q", r.Problems, len(tt.problems), tt.problems)
			}
			for i, p := range r.Problems {
				if !strings.Contains(p.Error(), tt.problems[i]) {
					t.Errorf("problem %q does not mention %q", p.Error(), tt.problems[i])
				}
				if !endpoint.IsValidationError(p.Err) {
					t.Errorf("problem %v is not a validation error", p.Err)
				}
			}
			if tt.obj != nil && !reflect.DeepEqual(tt.obj, before) {
				t.Error("the DNSEndpoint was modified")
			}
		})
	}
}

func TestProblemObject(t *testing.T) {
	bad := EndpointSpec{DNSName: "a.example.com"}
	obj := newDNSEndpoint(bad)
	obj.APIVersion, obj.Kind = NginxAPIVersion, "DNSEndpoint"
	obj.UID = "u1"
	r := Endpoints(obj, source.Options{})
	want := source.ObjectRef{APIVersion: NginxAPIVersion, Kind: "DNSEndpoint", Namespace: "default", Name: "x", UID: "u1"}
	if len(r.Problems) != 1 || r.Problems[0].Object != want {
		t.Fatalf("problems %+v", r.Problems)
	}
	// Informers leave TypeMeta empty: the configured kind is named instead.
	obj.APIVersion, obj.Kind = "", ""
	r = Endpoints(obj, source.Options{CRDAPIVersion: "example.com/v1", CRDKind: "Record"})
	if got := r.Problems[0].Object; got.APIVersion != "example.com/v1" || got.Kind != "Record" {
		t.Errorf("object %+v", got)
	}
}

func TestDeepCopyIndependent(t *testing.T) {
	obj := newDNSEndpoint(EndpointSpec{DNSName: "a", Targets: []string{"1.1.1.1"}, Labels: map[string]string{"k": "v"},
		ProviderSpecific: endpoint.ProviderSpecific{{Name: "n", Value: "v"}}})
	obj.Status.Conditions = []metav1.Condition{{Type: "Accepted"}}
	c := obj.DeepCopyObject().(*DNSEndpoint)
	c.Spec.Endpoints[0].Targets[0] = "2.2.2.2"
	c.Spec.Endpoints[0].Labels["k"] = "w"
	c.Spec.Endpoints[0].ProviderSpecific[0].Value = "w"
	c.Status.Conditions[0].Type = "Other"
	if !reflect.DeepEqual(obj, newWithStatus()) {
		t.Errorf("original changed: %+v", obj)
	}
	list := &DNSEndpointList{Items: []DNSEndpoint{*obj}}
	lc := list.DeepCopyObject().(*DNSEndpointList)
	lc.Items[0].Spec.Endpoints[0].Targets[0] = "3.3.3.3"
	if list.Items[0].Spec.Endpoints[0].Targets[0] != "1.1.1.1" {
		t.Error("list copy shares items")
	}
}

func newWithStatus() *DNSEndpoint {
	obj := newDNSEndpoint(EndpointSpec{DNSName: "a", Targets: []string{"1.1.1.1"}, Labels: map[string]string{"k": "v"},
		ProviderSpecific: endpoint.ProviderSpecific{{Name: "n", Value: "v"}}})
	obj.Status.Conditions = []metav1.Condition{{Type: "Accepted"}}
	return obj
}
