//go:build integration

package k8s

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestHTTPRoute(t *testing.T) {
	ctx := t.Context()
	c, d := clients(t)
	ns := newNamespace(t, c)
	p := newPipeline(t, ctx, pipelineConfig{Namespace: ns, Sources: []string{"gateway-httproute"}})
	p.start(t, ctx)
	gws := d.Resource(schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gateways"}).Namespace(ns)
	routes := d.Resource(schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"}).Namespace(ns)

	gw, err := gws.Create(ctx, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
		"metadata": map[string]any{"name": "edge"},
		"spec": map[string]any{"gatewayClassName": "x", "listeners": []any{
			map[string]any{"name": "web", "port": int64(443), "protocol": "HTTPS", "hostname": "*.example.com"}}},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	route, err := routes.Create(ctx, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
		"metadata": map[string]any{"name": "app"},
		"spec": map[string]any{
			"parentRefs": []any{map[string]any{"name": "edge"}},
			"hostnames":  []any{"app.example.com", "app.example.org"},
			"rules":      []any{map[string]any{"backendRefs": []any{map[string]any{"name": "app", "port": int64(80)}}}},
		},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// What the Gateway's controller would write: an address, and its
	// acceptance of the route.
	_ = unstructured.SetNestedSlice(gw.Object, []any{map[string]any{"type": "IPAddress", "value": "198.51.100.4"}}, "status", "addresses")
	if _, err := gws.UpdateStatus(ctx, gw, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if got := about(records(t, p.Provider), "app.example.com"); len(got) != 0 {
		t.Fatalf("records before the route was accepted: %q", got)
	}
	_ = unstructured.SetNestedSlice(route.Object, []any{map[string]any{
		"parentRef": map[string]any{"name": "edge"}, "controllerName": "example.com/gateway",
		"conditions": []any{map[string]any{"type": "Accepted", "status": "True", "reason": "Accepted", "message": "",
			"lastTransitionTime": "2026-01-01T00:00:00Z"}},
	}}, "status", "parents")
	if _, err := routes.UpdateStatus(ctx, route, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// app.example.org is outside the listener's *.example.com.
	hasRecord(t, p.Provider, 5*time.Second, "app.example.com", "app.example.com A 198.51.100.4")
	if got := about(records(t, p.Provider), "app.example.org"); len(got) != 0 {
		t.Errorf("record outside the listener hostname: %q", got)
	}
	if err := routes.Delete(ctx, "app", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	hasRecord(t, p.Provider, 5*time.Second, "app.example.com")
}
