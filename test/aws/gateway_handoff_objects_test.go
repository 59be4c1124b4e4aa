//go:build integration

package aws

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"
)

// gatewayObjects are the Gateway API objects of the handoff, one case per
// rule; upstreamZone lists what upstream publishes for them. Statuses are
// written after, as the Gateways' controller would.
const gatewayObjects = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: infra}
spec:
  gatewayClassName: test
  allowedListeners: {namespaces: {from: All}}
  listeners:
  - {name: https, protocol: HTTPS, port: 443, hostname: "*.w.example.com", allowedRoutes: {namespaces: {from: All}}}
  - {name: api, protocol: HTTP, port: 80, hostname: api.example.com, allowedRoutes: {namespaces: {from: All}}}
  - {name: alt, protocol: HTTP, port: 8080, hostname: alt.example.com, allowedRoutes: {namespaces: {from: All}}}
  - {name: same, protocol: HTTP, port: 8081, hostname: "*.same.example.com"}
  - {name: sel, protocol: HTTP, port: 8082, hostname: "*.sel.example.com",
     allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {team: web}}}}}
  - {name: opt, protocol: HTTP, port: 8083, hostname: "*.opt.example.com", allowedRoutes: {namespaces: {from: All}}}
  - {name: grpc, protocol: HTTP, port: 9090, hostname: "*.g.example.com",
     allowedRoutes: {namespaces: {from: All}, kinds: [{kind: GRPCRoute}]}}
  - {name: tls, protocol: TLS, port: 8443, hostname: "*.t.example.com", tls: {mode: Passthrough}, allowedRoutes: {namespaces: {from: All}}}
  - {name: tcp, protocol: TCP, port: 5432, allowedRoutes: {namespaces: {from: All}}}
  - {name: udp, protocol: UDP, port: 5353, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: cdn
  namespace: infra
  annotations: {external-dns.alpha.kubernetes.io/target: edge.cdn.example.net}
spec:
  gatewayClassName: test
  listeners: [{name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: other
  namespace: infra
  annotations: {external-dns.alpha.kubernetes.io/controller: someone-else}
spec:
  gatewayClassName: test
  listeners: [{name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: first, namespace: infra}
spec:
  gatewayClassName: test
  listeners: [{name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: second, namespace: infra}
spec:
  gatewayClassName: test
  listeners: [{name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: extra, namespace: web}
spec:
  parentRef: {name: edge, namespace: infra}
  listeners: [{name: x, protocol: HTTPS, port: 9443, hostname: "*.ls.example.com"}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: narrow, namespace: web}
spec:
  parentRefs: [{name: edge, namespace: infra}]
  hostnames: [a.w.example.com, a.elsewhere.example.com]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: section, namespace: web}
spec: {parentRefs: [{name: edge, namespace: infra, sectionName: api}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: port, namespace: web}
spec: {parentRefs: [{name: edge, namespace: infra, port: 8080}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: infra}
spec:
  parentRefs: [{name: edge, namespace: infra}]
  hostnames: [infra.same.example.com, infra.sel.example.com, infra.w.example.com]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: web}
spec:
  parentRefs: [{name: edge, namespace: infra}]
  hostnames: [web.same.example.com, web.sel.example.com, web.w.example.com]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: db}
spec:
  parentRefs: [{name: edge, namespace: infra}]
  hostnames: [db.same.example.com, db.sel.example.com, db.w.example.com]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: cdn
  namespace: web
  annotations: {external-dns.alpha.kubernetes.io/target: 203.0.113.99}
spec:
  parentRefs: [{name: cdn, namespace: infra}]
  hostnames: [cdn-app.example.com]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: combo
  namespace: web
  annotations: {external-dns.alpha.kubernetes.io/hostname: combo.w.example.com}
spec: {parentRefs: [{name: edge, namespace: infra, sectionName: https}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: annotation-only
  namespace: web
  annotations: {external-dns.alpha.kubernetes.io/gateway-hostname-source: annotation-only}
spec: {parentRefs: [{name: edge, namespace: infra, sectionName: opt}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: defined-hosts-only
  namespace: web
  annotations:
    external-dns.alpha.kubernetes.io/gateway-hostname-source: defined-hosts-only
    external-dns.alpha.kubernetes.io/hostname: x.opt.example.com
spec: {parentRefs: [{name: edge, namespace: infra, sectionName: opt}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shared-a, namespace: web}
spec:
  parentRefs: [{name: first, namespace: infra}]
  hostnames: [s1.example.com, s2.example.com]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shared-b, namespace: web}
spec:
  parentRefs: [{name: second, namespace: infra}]
  hostnames: [s1.example.com, s2.example.com]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: bad
  namespace: web
  annotations: {external-dns.alpha.kubernetes.io/hostname: u_s.example.com}
spec:
  parentRefs: [{name: first, namespace: infra}]
  hostnames: [ok.example.com]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: foreign, namespace: web}
spec:
  parentRefs: [{name: other, namespace: infra}]
  hostnames: [foreign.example.com]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: not-grpc, namespace: web}
spec:
  parentRefs: [{name: edge, namespace: infra, sectionName: grpc}]
  hostnames: [h.g.example.com]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: rpc, namespace: web}
spec:
  parentRefs: [{name: edge, namespace: infra}]
  hostnames: [rpc.g.example.com]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: sni, namespace: web}
spec:
  parentRefs: [{name: edge, namespace: infra}]
  hostnames: [sni.t.example.com]
  rules: [{backendRefs: [{name: backend, port: 443}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata:
  name: db
  namespace: web
  annotations: {external-dns.alpha.kubernetes.io/hostname: db.example.com}
spec:
  parentRefs: [{name: edge, namespace: infra, sectionName: tcp}]
  rules: [{backendRefs: [{name: backend, port: 5432}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: UDPRoute
metadata:
  name: dns
  namespace: web
  annotations: {external-dns.alpha.kubernetes.io/hostname: dns.example.com}
spec:
  parentRefs: [{name: edge, namespace: infra, sectionName: udp}]
  rules: [{backendRefs: [{name: backend, port: 53}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: viaset, namespace: web}
spec:
  parentRefs: [{group: gateway.networking.k8s.io, kind: ListenerSet, name: extra}]
  hostnames: [app.ls.example.com]
`

// gatewayAddresses are the addresses the Gateways' controller publishes.
func gatewayAddresses() map[string]string {
	return map[string]string{"edge": "198.51.100.1", "cdn": "198.51.100.2", "other": "198.51.100.3",
		"second": "198.51.100.4", "first": "198.51.100.5"}
}

// createGatewayObjects creates the namespaces and objects, then writes the
// status a Gateway controller would: addresses, every route and the
// ListenerSet accepted for each parentRef it names.
func createGatewayObjects(t *testing.T, cfg *rest.Config) {
	t.Helper()
	ctx := context.Background()
	kc, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for ns, labels := range map[string]map[string]string{"infra": nil, "web": {"team": "web"}, "db": {"team": "db"}} {
		if _, err := kc.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: labels}},
			metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, doc := range strings.Split(gatewayObjects, "\n---\n") {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			t.Fatalf("%v\n%s", err, doc)
		}
		r := dc.Resource(schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1",
			Resource: strings.ToLower(u.GetKind()) + "s"}).Namespace(u.GetNamespace())
		created, err := r.Create(ctx, u, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("creating %s %s/%s: %v", u.GetKind(), u.GetNamespace(), u.GetName(), err)
		}
		setStatus(created)
		if _, err := r.UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
			t.Fatalf("status of %s %s/%s: %v", u.GetKind(), u.GetNamespace(), u.GetName(), err)
		}
	}
}

// setStatus fills in what the Gateway controller reports for an object.
func setStatus(u *unstructured.Unstructured) {
	accepted := map[string]any{"type": "Accepted", "status": "True", "reason": "Accepted", "message": "",
		"lastTransitionTime": "2026-01-01T00:00:00Z"}
	switch u.GetKind() {
	case "Gateway":
		_ = unstructured.SetNestedSlice(u.Object, []any{map[string]any{"type": "IPAddress",
			"value": gatewayAddresses()[u.GetName()]}}, "status", "addresses")
	case "ListenerSet":
		ls, _, _ := unstructured.NestedSlice(u.Object, "spec", "listeners")
		var entries []any
		for _, l := range ls {
			entries = append(entries, map[string]any{"name": l.(map[string]any)["name"], "attachedRoutes": int64(1),
				"supportedKinds": []any{}, "conditions": []any{accepted}})
		}
		_ = unstructured.SetNestedSlice(u.Object, []any{accepted}, "status", "conditions")
		_ = unstructured.SetNestedSlice(u.Object, entries, "status", "listeners")
	default:
		refs, _, _ := unstructured.NestedSlice(u.Object, "spec", "parentRefs")
		var parents []any
		for _, r := range refs {
			parents = append(parents, map[string]any{"parentRef": r, "controllerName": "example.com/gateway",
				"conditions": []any{accepted}})
		}
		_ = unstructured.SetNestedSlice(u.Object, parents, "status", "parents")
	}
}
