package dnsendpoint

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/source"
)

const upstreamYAML = `
apiVersion: externaldns.k8s.io/v1alpha1
kind: DNSEndpoint
metadata:
  name: k3s-ingress-dns
  namespace: external-dns
  generation: 3
spec:
  endpoints:
  - dnsName: example.org
    recordTTL: 300
    recordType: A
    targets:
    - 203.0.113.7
    providerSpecific:
    - name: external-dns.alpha.kubernetes.io/cloudflare-proxied
      value: "true"
    labels:
      team: web
status:
  observedGeneration: 2
`

// nginxYAML is the shape NGINX Ingress Controller publishes for a
// VirtualServer, including a field of its own.
const nginxYAML = `
apiVersion: externaldns.nginx.org/v1
kind: DNSEndpoint
metadata:
  name: cafe
  namespace: default
spec:
  endpoints:
  - dnsName: cafe.example.com
    recordType: CNAME
    recordTTL: 30
    setIdentifier: cafe
    targets: [lb.example.net]
    someVendorField: ignored
`

func TestDecode(t *testing.T) {
	d, err := Decode([]byte(upstreamYAML))
	if err != nil {
		t.Fatal(err)
	}
	want := EndpointSpec{
		DNSName: "example.org", RecordTTL: 300, RecordType: "A", Targets: []string{"203.0.113.7"},
		ProviderSpecific: endpoint.ProviderSpecific{{Name: "external-dns.alpha.kubernetes.io/cloudflare-proxied", Value: "true"}},
		Labels:           map[string]string{"team": "web"},
	}
	if d.APIVersion != DefaultAPIVersion || d.Kind != DefaultKind || d.Name != "k3s-ingress-dns" || d.Generation != 3 || d.Status.ObservedGeneration != 2 {
		t.Errorf("meta %+v %+v", d.TypeMeta, d.ObjectMeta)
	}
	if len(d.Spec.Endpoints) != 1 || !reflect.DeepEqual(d.Spec.Endpoints[0], want) {
		t.Errorf("spec %+v", d.Spec.Endpoints)
	}

	n, err := Decode([]byte(nginxYAML))
	if err != nil {
		t.Fatal(err)
	}
	if n.APIVersion != NginxAPIVersion || n.Spec.Endpoints[0].SetIdentifier != "cafe" {
		t.Errorf("nginx %+v", n)
	}
	r := Endpoints(n, source.Options{})
	if len(r.Endpoints) != 1 || r.Endpoints[0].Resource() != "crd/default/cafe" || r.Endpoints[0].RecordTTL != 30 {
		t.Errorf("nginx endpoints %v %v", r.Endpoints, r.Problems)
	}

	if _, err := Decode([]byte("spec: [")); err == nil {
		t.Error("bad YAML accepted")
	}
	if _, err := Decode([]byte(`{"spec":{"endpoints":[{"recordTTL":"sixty"}]}}`)); err == nil {
		t.Error("string TTL accepted")
	}
}

func TestFromUnstructured(t *testing.T) {
	obj := map[string]any{
		"apiVersion": "externaldns.nginx.org/v1",
		"kind":       "DNSEndpoint",
		"metadata":   map[string]any{"name": "cafe", "namespace": "default"},
		"spec": map[string]any{"endpoints": []any{
			map[string]any{"dnsName": "a.example.com", "recordTTL": int64(60), "targets": []any{"1.2.3.4"}},
			map[string]any{"dnsName": "b.example.com", "recordTTL": float64(30), "targets": []any{"1.2.3.5"}},
		}},
	}
	d, err := FromUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != "DNSEndpoint" || d.Name != "cafe" || d.Spec.Endpoints[0].RecordTTL != 60 || d.Spec.Endpoints[1].RecordTTL != 30 {
		t.Errorf("got %+v", d)
	}
	if _, err := FromUnstructured(nil); err == nil {
		t.Error("nil accepted")
	}
	if _, err := FromUnstructured(map[string]any{"spec": "nope"}); err == nil {
		t.Error("bad spec accepted")
	}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		apiVersion, kind string
		opts             source.Options
		want             bool
	}{
		{DefaultAPIVersion, DefaultKind, source.Options{}, true},
		{NginxAPIVersion, DefaultKind, source.Options{}, false},
		{NginxAPIVersion, DefaultKind, source.Options{CRDAPIVersion: NginxAPIVersion}, true},
		{"example.com/v1", "Record", source.Options{CRDAPIVersion: "example.com/v1", CRDKind: "Record"}, true},
		{DefaultAPIVersion, "dnsendpoint", source.Options{}, false},
	}
	for _, tt := range tests {
		if got := Matches(tt.apiVersion, tt.kind, tt.opts); got != tt.want {
			t.Errorf("Matches(%q, %q, %+v) = %v", tt.apiVersion, tt.kind, tt.opts, got)
		}
	}
}

func mustSelector(t *testing.T, s string) labels.Selector {
	t.Helper()
	sel, err := source.ParseLabelFilter(s)
	if err != nil {
		t.Fatal(err)
	}
	return sel
}
