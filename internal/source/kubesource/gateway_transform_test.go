package kubesource

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/exodns/exodns/internal/kube"
)

func cond(typ, status string) map[string]any {
	return map[string]any{"type": typ, "status": status, "reason": "R", "message": "long text",
		"lastTransitionTime": "2026-01-01T00:00:00Z", "observedGeneration": int64(3)}
}

func meta(extra map[string]any) map[string]any {
	m := map[string]any{"name": "n", "namespace": "ns", "uid": "u", "resourceVersion": "7", "generation": int64(3),
		"labels": map[string]any{"l": "v"}, "managedFields": []any{map[string]any{"manager": "kubectl"}},
		"annotations": map[string]any{kube.LastAppliedAnnotation: "{...}", "external-dns.alpha.kubernetes.io/target": "x"}}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

var keptMeta = map[string]any{"name": "n", "namespace": "ns", "uid": "u", "resourceVersion": "7", "generation": int64(3),
	"labels": map[string]any{"l": "v"}, "annotations": map[string]any{"external-dns.alpha.kubernetes.io/target": "x"}}

// TestGatewayTransforms: the informers keep exactly what the conversion
// reads.
func TestGatewayTransforms(t *testing.T) {
	listener := map[string]any{"name": "l", "hostname": "*.example.com", "port": int64(443), "protocol": "HTTPS",
		"allowedRoutes": map[string]any{"namespaces": map[string]any{"from": "All"}},
		"tls":           map[string]any{"certificateRefs": []any{map[string]any{"name": "cert"}}}}
	keptListener := map[string]any{"name": "l", "hostname": "*.example.com", "port": int64(443), "protocol": "HTTPS",
		"allowedRoutes": map[string]any{"namespaces": map[string]any{"from": "All"}}}
	tests := []struct {
		name      string
		transform func(any) (any, error)
		in, want  map[string]any
	}{
		{"route", keepUnstructured(routeBody, true),
			map[string]any{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": meta(nil),
				"spec": map[string]any{"parentRefs": []any{map[string]any{"name": "gw"}}, "hostnames": []any{"a.example.com"},
					"rules": []any{map[string]any{"backendRefs": []any{}}}},
				"status": map[string]any{"parents": []any{map[string]any{"parentRef": map[string]any{"name": "gw"},
					"controllerName": "c", "conditions": []any{cond("Accepted", "True"), cond("ResolvedRefs", "False")}}}}},
			map[string]any{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": keptMeta,
				"spec": map[string]any{"parentRefs": []any{map[string]any{"name": "gw"}}, "hostnames": []any{"a.example.com"}},
				"status": map[string]any{"parents": []any{map[string]any{"parentRef": map[string]any{"name": "gw"},
					"conditions": []any{map[string]any{"type": "Accepted", "status": "True"},
						map[string]any{"type": "ResolvedRefs", "status": "False"}}}}}}},
		{"route without status", keepUnstructured(routeBody, true),
			map[string]any{"metadata": meta(nil), "spec": map[string]any{"parentRefs": []any{}}},
			map[string]any{"metadata": keptMeta, "spec": map[string]any{"parentRefs": []any{}}}},
		{"gateway", keepUnstructured(gatewayBody, true),
			map[string]any{"metadata": meta(nil),
				"spec": map[string]any{"gatewayClassName": "c", "listeners": []any{listener},
					"infrastructure": map[string]any{"labels": map[string]any{"a": "b"}}},
				"status": map[string]any{"addresses": []any{map[string]any{"type": "IPAddress", "value": "10.0.0.1"}},
					"conditions": []any{cond("Programmed", "True")}, "listeners": []any{map[string]any{"name": "l", "attachedRoutes": int64(4)}}}},
			map[string]any{"metadata": keptMeta,
				"spec":   map[string]any{"listeners": []any{keptListener}},
				"status": map[string]any{"addresses": []any{map[string]any{"type": "IPAddress", "value": "10.0.0.1"}}}}},
		{"listener set", keepUnstructured(listenerSetBody, true),
			map[string]any{"metadata": meta(nil),
				"spec": map[string]any{"parentRef": map[string]any{"name": "gw"}, "listeners": []any{listener}},
				"status": map[string]any{"conditions": []any{cond("Accepted", "True")},
					"listeners": []any{map[string]any{"name": "l", "attachedRoutes": int64(1), "conditions": []any{cond("Accepted", "True")}}}}},
			map[string]any{"metadata": keptMeta,
				"spec": map[string]any{"parentRef": map[string]any{"name": "gw"}, "listeners": []any{keptListener}},
				"status": map[string]any{"conditions": []any{map[string]any{"type": "Accepted", "status": "True"}},
					"listeners": []any{map[string]any{"name": "l", "conditions": []any{map[string]any{"type": "Accepted", "status": "True"}}}}}}},
		{"namespace", keepUnstructured(namespaceBody, false),
			map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": meta(nil),
				"spec": map[string]any{"finalizers": []any{"kubernetes"}}, "status": map[string]any{"phase": "Active"}},
			map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "n", "namespace": "ns",
				"uid": "u", "resourceVersion": "7", "generation": int64(3), "labels": map[string]any{"l": "v"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.transform(&unstructured.Unstructured{Object: tt.in})
			if err != nil {
				t.Fatal(err)
			}
			if u := got.(*unstructured.Unstructured); !reflect.DeepEqual(u.Object, tt.want) {
				t.Errorf("got  %#v\nwant %#v", u.Object, tt.want)
			}
		})
	}
	if got, _ := keepUnstructured(routeBody, true)("not an object"); got != "not an object" {
		t.Errorf("non-object changed: %v", got)
	}
}

func TestContentChanged(t *testing.T) {
	obj := func(rv, host string) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{
			"metadata": map[string]any{"name": "n", "resourceVersion": rv},
			"spec":     map[string]any{"hostnames": []any{host}}}}
	}
	tests := []struct {
		name     string
		old, new any
		want     bool
	}{
		{"relist", obj("1", "a"), obj("1", "a"), false},
		{"new version, same content", obj("1", "a"), obj("2", "a"), false},
		{"content changed", obj("1", "a"), obj("2", "b"), true},
		{"not unstructured", "x", obj("2", "b"), true},
	}
	for _, tt := range tests {
		if got := contentChanged(tt.old, tt.new); got != tt.want {
			t.Errorf("%s: %v", tt.name, got)
		}
	}
}
