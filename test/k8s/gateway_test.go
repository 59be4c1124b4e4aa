//go:build integration

package k8s

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// The Gateway API tests run on the real CRDs of the pinned release. No
// Gateway controller runs here, so each test writes the status a
// controller would (Gateway addresses, route and ListenerSet acceptance)
// through the status subresource.

// TestHTTPRoute: a route is published once accepted, narrowed to its
// listener's hostname, and its records go with it.
func TestHTTPRoute(t *testing.T) {
	ctx := t.Context()
	g := newGW(t)
	ns := g.namespace(nil)
	p := newPipeline(t, ctx, pipelineConfig{Namespace: ns, Sources: []string{"gateway-httproute"}})
	p.start(t, ctx)

	g.create("gateways", ns, gatewayObj("edge", nil, listenerObj("web", "HTTPS", 443, "*.web.basic.example.com", nil)))
	g.create("httproutes", ns, routeObj("HTTPRoute", "app", nil,
		[]string{"app.web.basic.example.com", "app.other.basic.example.com"}, parentRef("edge")))
	// A sibling, accepted from the start: its record proves the reconcile
	// that saw the Gateway's address also saw app, not yet accepted.
	g.create("httproutes", ns, routeObj("HTTPRoute", "marker", nil, []string{"marker.web.basic.example.com"}, parentRef("edge")))
	g.accept("httproutes", ns, "marker")
	g.setAddresses(ns, "edge", "198.51.100.4")
	hasRecordsUnder(t, p.Provider, ".basic.example.com", "marker.web.basic.example.com A 198.51.100.4")

	g.accept("httproutes", ns, "app")
	// app.other.basic.example.com is outside the listener's hostname.
	hasRecordsUnder(t, p.Provider, ".basic.example.com",
		"app.web.basic.example.com A 198.51.100.4", "marker.web.basic.example.com A 198.51.100.4")

	g.delete("httproutes", ns, "app")
	hasRecord(t, p.Provider, 5*time.Second, "app.web.basic.example.com")
}

// TestGatewayListenerMatching: hostnames are intersected with each
// listener's, sectionName picks a listener by name and port by port.
func TestGatewayListenerMatching(t *testing.T) {
	ctx := t.Context()
	g := newGW(t)
	ns := g.namespace(nil)
	p := newPipeline(t, ctx, pipelineConfig{Namespace: ns, Sources: []string{"gateway-httproute"}})
	p.start(t, ctx)

	g.create("gateways", ns, gatewayObj("edge", nil,
		listenerObj("wild", "HTTPS", 443, "*.w.listen.example.com", nil),
		listenerObj("api", "HTTP", 80, "api.listen.example.com", nil),
		listenerObj("alt", "HTTP", 8080, "alt.listen.example.com", nil)))
	g.setAddresses(ns, "edge", "198.51.100.10")
	routes := map[string]map[string]any{
		// Intersection: one name inside the wildcard, one outside every
		// listener, and the wildcard listener's name for a route without
		// hostnames.
		"narrow": routeObj("HTTPRoute", "narrow", nil, []string{"a.w.listen.example.com", "a.elsewhere.listen.example.com"}, parentRef("edge")),
		// sectionName: only the api listener, though the route has no
		// hostnames and the others would give theirs.
		"section": routeObj("HTTPRoute", "section", nil, nil, parentRef("edge", "sectionName", "api")),
		// port: only the listener on 8080.
		"port": routeObj("HTTPRoute", "port", nil, nil, parentRef("edge", "port", int64(8080))),
		// A port no listener has: nothing.
		"noport": routeObj("HTTPRoute", "noport", nil, []string{"noport.w.listen.example.com"}, parentRef("edge", "port", int64(9999))),
	}
	for name, obj := range routes {
		g.create("httproutes", ns, obj)
		g.accept("httproutes", ns, name)
	}
	hasRecordsUnder(t, p.Provider, ".listen.example.com",
		"a.w.listen.example.com A 198.51.100.10",
		"api.listen.example.com A 198.51.100.10",
		"alt.listen.example.com A 198.51.100.10")
}

// TestGatewayAllowedRoutes: each listener's allowedRoutes decides, though
// the route is Accepted for the whole parentRef: Same, All, and Selector
// on the labels of the route's namespace, followed as they change.
func TestGatewayAllowedRoutes(t *testing.T) {
	ctx := t.Context()
	g := newGW(t)
	infra := g.namespace(nil)
	web := g.namespace(map[string]string{"team": "web"})
	db := g.namespace(map[string]string{"team": "db"})
	p := newPipeline(t, ctx, pipelineConfig{Sources: []string{"gateway-httproute"}})
	p.start(t, ctx)

	g.create("gateways", infra, gatewayObj("shared", nil,
		listenerObj("same", "HTTP", 80, "*.same.allowed.example.com", allowFrom("Same", nil)),
		listenerObj("all", "HTTP", 8080, "*.all.allowed.example.com", allowFrom("All", nil)),
		listenerObj("sel", "HTTP", 8081, "*.sel.allowed.example.com", allowFrom("Selector", map[string]string{"team": "web"}))))
	g.setAddresses(infra, "shared", "198.51.100.20")
	for who, ns := range map[string]string{"infra": infra, "web": web, "db": db} {
		g.create("httproutes", ns, routeObj("HTTPRoute", "r", nil, []string{
			who + ".same.allowed.example.com", who + ".all.allowed.example.com", who + ".sel.allowed.example.com"},
			parentRef("shared", "namespace", infra)))
		g.accept("httproutes", ns, "r")
	}
	hasRecordsUnder(t, p.Provider, ".allowed.example.com",
		"infra.same.allowed.example.com A 198.51.100.20",
		"infra.all.allowed.example.com A 198.51.100.20",
		"web.all.allowed.example.com A 198.51.100.20",
		"web.sel.allowed.example.com A 198.51.100.20",
		"db.all.allowed.example.com A 198.51.100.20")

	// The db namespace joins the web team: the selector now takes its route.
	nsObj, err := g.c.CoreV1().Namespaces().Get(ctx, db, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	nsObj.Labels["team"] = "web"
	if _, err := g.c.CoreV1().Namespaces().Update(ctx, nsObj, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	hasRecordsUnder(t, p.Provider, ".allowed.example.com",
		"infra.same.allowed.example.com A 198.51.100.20",
		"infra.all.allowed.example.com A 198.51.100.20",
		"web.all.allowed.example.com A 198.51.100.20",
		"web.sel.allowed.example.com A 198.51.100.20",
		"db.all.allowed.example.com A 198.51.100.20",
		"db.sel.allowed.example.com A 198.51.100.20")
}

// TestGatewayTargetAnnotation: the target annotation counts on the
// Gateway, where it replaces the addresses, and not on the route.
func TestGatewayTargetAnnotation(t *testing.T) {
	ctx := t.Context()
	g := newGW(t)
	ns := g.namespace(nil)
	p := newPipeline(t, ctx, pipelineConfig{Namespace: ns, Sources: []string{"gateway-httproute"}})
	p.start(t, ctx)

	g.create("gateways", ns, gatewayObj("cdn", map[string]string{pfx + "target": "edge.cdn.example.net"},
		listenerObj("http", "HTTP", 80, "", nil)))
	g.setAddresses(ns, "cdn", "198.51.100.30")
	g.create("httproutes", ns, routeObj("HTTPRoute", "app", map[string]string{pfx + "target": "203.0.113.99"},
		[]string{"app.target.example.com"}, parentRef("cdn")))
	g.accept("httproutes", ns, "app")
	hasRecordsUnder(t, p.Provider, ".target.example.com", "app.target.example.com CNAME edge.cdn.example.net")

	// Without the Gateway's annotation its address is the target; the
	// route's annotation still counts for nothing.
	g.update("gateways", ns, "cdn", false, func(u *unstructured.Unstructured) {
		u.SetAnnotations(nil)
	})
	hasRecordsUnder(t, p.Provider, ".target.example.com", "app.target.example.com A 198.51.100.30")
}

// TestGatewaySharedHostname: one hostname from two routes on two Gateways
// answers with both Gateways' addresses; the ownership record names one
// route and keeps naming it while it claims the name.
func TestGatewaySharedHostname(t *testing.T) {
	ctx := t.Context()
	g := newGW(t)
	ns := g.namespace(nil)
	p := newPipeline(t, ctx, pipelineConfig{Namespace: ns, Sources: []string{"gateway-httproute"}})
	p.start(t, ctx)

	for name, addr := range map[string]string{"gw-a": "198.51.100.41", "gw-b": "198.51.100.42"} {
		g.create("gateways", ns, gatewayObj(name, nil, listenerObj("http", "HTTP", 80, "", nil)))
		g.setAddresses(ns, name, addr)
	}
	g.create("httproutes", ns, routeObj("HTTPRoute", "b", nil, []string{"www.shared.example.com"}, parentRef("gw-b")))
	g.accept("httproutes", ns, "b")
	hasRecordsUnder(t, p.Provider, ".shared.example.com", "www.shared.example.com A 198.51.100.42")
	owner := func(want string) {
		t.Helper()
		eventually(t, 10*time.Second, func() (bool, string) {
			txt := about(records(t, p.Provider), "a-www.shared.example.com")
			return len(txt) == 1 && strings.Contains(txt[0], "external-dns/resource=httproute/"+ns+"/"+want),
				"ownership " + strings.Join(txt, "; ")
		})
	}
	owner("b")

	// A second route: the union of both Gateways; b already owns the
	// record and keeps it, though a sorts first.
	g.create("httproutes", ns, routeObj("HTTPRoute", "a", nil, []string{"www.shared.example.com"}, parentRef("gw-a")))
	g.accept("httproutes", ns, "a")
	hasRecordsUnder(t, p.Provider, ".shared.example.com", "www.shared.example.com A 198.51.100.41,198.51.100.42")
	owner("b")

	g.delete("httproutes", ns, "b")
	hasRecordsUnder(t, p.Provider, ".shared.example.com", "www.shared.example.com A 198.51.100.41")
	owner("a")
}

// TestGatewayRouteKinds: every route kind, on the listeners of its
// protocol, and an HTTPRoute attached to a ListenerSet.
func TestGatewayRouteKinds(t *testing.T) {
	ctx := t.Context()
	g := newGW(t)
	ns := g.namespace(nil)
	p := newPipeline(t, ctx, pipelineConfig{Namespace: ns, GatewayListenerSets: true, Sources: []string{
		"gateway-httproute", "gateway-grpcroute", "gateway-tlsroute", "gateway-tcproute", "gateway-udproute"}})
	p.start(t, ctx)

	grpcOnly := allowFrom("Same", nil)
	grpcOnly["allowedRoutes"].(map[string]any)["kinds"] = []any{map[string]any{"kind": "GRPCRoute"}}
	gwObj := gatewayObj("multi", nil,
		listenerObj("http", "HTTP", 80, "*.h.kinds.example.com", nil),
		listenerObj("grpc-only", "HTTP", 8080, "*.g.kinds.example.com", grpcOnly),
		listenerObj("tls", "TLS", 443, "*.t.kinds.example.com", nil),
		listenerObj("tcp", "TCP", 5432, "", nil),
		listenerObj("udp", "UDP", 5353, "", nil))
	gwObj["spec"].(map[string]any)["allowedListeners"] = map[string]any{"namespaces": map[string]any{"from": "Same"}}
	g.create("gateways", ns, gwObj)
	g.setAddresses(ns, "multi", "198.51.100.50")
	g.create("listenersets", ns, map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": "ListenerSet",
		"metadata": map[string]any{"name": "extra"},
		"spec": map[string]any{"parentRef": map[string]any{"name": "multi"},
			"listeners": []any{listenerObj("x", "HTTPS", 8443, "*.ls.kinds.example.com", nil)}},
	})
	g.acceptListenerSet(ns, "extra")

	hostname := func(h string) map[string]string { return map[string]string{pfx + "hostname": h} }
	routes := []struct {
		resource string
		obj      map[string]any
	}{
		{"httproutes", routeObj("HTTPRoute", "web", nil, []string{"web.h.kinds.example.com", "web.g.kinds.example.com"}, parentRef("multi"))},
		{"grpcroutes", routeObj("GRPCRoute", "rpc", nil, []string{"rpc.h.kinds.example.com", "rpc.g.kinds.example.com"}, parentRef("multi"))},
		{"tlsroutes", routeObj("TLSRoute", "sni", nil, []string{"sni.t.kinds.example.com", "sni.h.kinds.example.com"}, parentRef("multi"))},
		{"tcproutes", routeObj("TCPRoute", "db", hostname("db.kinds.example.com"), nil, parentRef("multi", "sectionName", "tcp"))},
		{"udproutes", routeObj("UDPRoute", "dns", hostname("dns.kinds.example.com"), nil, parentRef("multi", "sectionName", "udp"))},
		{"httproutes", routeObj("HTTPRoute", "viaset", nil, []string{"app.ls.kinds.example.com"},
			parentRef("extra", "group", "gateway.networking.k8s.io", "kind", "ListenerSet"))},
	}
	for _, r := range routes {
		g.create(r.resource, ns, r.obj)
		g.accept(r.resource, ns, r.obj["metadata"].(map[string]any)["name"].(string))
	}
	hasRecordsUnder(t, p.Provider, ".kinds.example.com",
		"web.h.kinds.example.com A 198.51.100.50",
		"rpc.h.kinds.example.com A 198.51.100.50",
		"rpc.g.kinds.example.com A 198.51.100.50",
		"sni.t.kinds.example.com A 198.51.100.50",
		"db.kinds.example.com A 198.51.100.50",
		"dns.kinds.example.com A 198.51.100.50",
		"app.ls.kinds.example.com A 198.51.100.50")

	// Each record names its route kind in the ownership record.
	for name, res := range map[string]string{"web.h": "httproute/" + ns + "/web", "rpc.h": "grpcroute/" + ns + "/rpc",
		"sni.t": "tlsroute/" + ns + "/sni", "db": "tcproute/" + ns + "/db", "dns": "udproute/" + ns + "/dns",
		"app.ls": "httproute/" + ns + "/viaset"} {
		txt := about(records(t, p.Provider), "a-"+name+".kinds.example.com")
		if len(txt) != 1 || !strings.Contains(txt[0], "external-dns/resource="+res) {
			t.Errorf("ownership of %s: %q, want resource %s", name, txt, res)
		}
	}
}
