package kubesource

import (
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/exodns/exodns/internal/source"
	"github.com/exodns/exodns/internal/source/gateway"
)

func obj(m map[string]any) *unstructured.Unstructured { return &unstructured.Unstructured{Object: m} }

func gwObj(name, addr string) *unstructured.Unstructured {
	return obj(map[string]any{"apiVersion": gateway.APIVersion, "kind": "Gateway",
		"metadata": map[string]any{"namespace": "ns", "name": name},
		"spec":     map[string]any{"listeners": []any{map[string]any{"name": "http", "protocol": "HTTP", "port": int64(80)}}},
		"status":   map[string]any{"addresses": []any{map[string]any{"type": "IPAddress", "value": addr}}}})
}

func routeObj(name, gw, host string) *unstructured.Unstructured {
	ref := map[string]any{"name": gw}
	return obj(map[string]any{"apiVersion": gateway.APIVersion, "kind": "HTTPRoute",
		"metadata": map[string]any{"namespace": "ns", "name": name},
		"spec":     map[string]any{"parentRefs": []any{ref}, "hostnames": []any{host}},
		"status": map[string]any{"parents": []any{map[string]any{"parentRef": ref,
			"conditions": []any{map[string]any{"type": "Accepted", "status": "True"}}}}}})
}

// TestConvertRoutes: routes of one kind are united across Gateways, and an
// object that does not decode is reported and makes the read incomplete,
// so nothing is deleted while its names are unknown.
func TestConvertRoutes(t *testing.T) {
	broken := obj(map[string]any{"metadata": map[string]any{"namespace": "ns", "name": "broken"}, "spec": "not an object"})
	tests := []struct {
		name       string
		in         routeInput
		want       []string
		incomplete bool
		problems   []string
	}{
		{name: "one name through two Gateways",
			in: routeInput{gateways: []*unstructured.Unstructured{gwObj("a", "10.0.0.1"), gwObj("b", "10.0.0.2")},
				routes: []*unstructured.Unstructured{routeObj("r1", "a", "x.example.com"), routeObj("r2", "b", "x.example.com")}},
			want: []string{"httproute/ns/r1 x.example.com 0 IN A 10.0.0.1,10.0.0.2", "httproute/ns/r2 x.example.com 0 IN A 10.0.0.1,10.0.0.2"}},
		{name: "a route that does not decode",
			in: routeInput{gateways: []*unstructured.Unstructured{gwObj("a", "10.0.0.1")},
				routes: []*unstructured.Unstructured{broken, routeObj("r1", "a", "x.example.com")}},
			want:       []string{"httproute/ns/r1 x.example.com 0 IN A 10.0.0.1"},
			incomplete: true, problems: []string{"HTTPRoute ns/broken: kube: decoding"}},
		{name: "a Gateway that does not decode",
			in: routeInput{gateways: []*unstructured.Unstructured{broken},
				routes: []*unstructured.Unstructured{routeObj("r1", "broken", "x.example.com")}},
			incomplete: true, problems: []string{"Gateway ns/broken: kube: decoding"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var problems []string
			rep := source.ReporterFunc(func(p source.Problem) { problems = append(problems, p.Error()) })
			eps, err := convertRoutes(tt.in, gateway.HTTPRouteKind(), gateway.APIVersion, gateway.Options{}, rep)
			var got []string
			for _, e := range eps {
				got = append(got, e.Resource()+" "+e.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if _, incomplete := source.AsIncomplete(err); incomplete != tt.incomplete || (err != nil && !incomplete) {
				t.Errorf("error %v, want incomplete %v", err, tt.incomplete)
			}
			if len(problems) != len(tt.problems) {
				t.Fatalf("problems %q, want %q", problems, tt.problems)
			}
			for i, p := range problems {
				if !strings.Contains(p, tt.problems[i]) {
					t.Errorf("problem %q does not mention %q", p, tt.problems[i])
				}
			}
		})
	}
}
