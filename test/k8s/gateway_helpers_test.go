//go:build integration

package k8s

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/test/gatewayapi"
)

// installGatewayCRDs installs the real Gateway API CRDs of the pinned
// release into the shared API server, once per run.
var installGatewayCRDs = sync.OnceValue(func() error {
	paths, err := gatewayapi.CRDPaths()
	if err != nil {
		return err
	}
	_, err = envtest.InstallCRDs(apiServer, envtest.CRDInstallOptions{Paths: paths, ErrorIfPathMissing: true})
	return err
})

// gw is the test's handle on the Gateway API objects of the API server.
type gw struct {
	t *testing.T
	d dynamic.Interface
	c kubernetes.Interface
}

func newGW(t *testing.T) *gw {
	t.Helper()
	if err := installGatewayCRDs(); err != nil {
		t.Fatalf("installing the Gateway API CRDs: %v", err)
	}
	c, d := clients(t)
	return &gw{t: t, d: d, c: c}
}

// res is the resource of a Gateway API kind, in v1.
func (g *gw) res(resource, ns string) dynamic.ResourceInterface {
	return g.d.Resource(schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: resource}).Namespace(ns)
}

// namespace creates a namespace with labels.
func (g *gw) namespace(labels map[string]string) string {
	g.t.Helper()
	ns, err := g.c.CoreV1().Namespaces().Create(context.Background(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "exodns-gw-", Labels: labels}}, metav1.CreateOptions{})
	if err != nil {
		g.t.Fatal(err)
	}
	return ns.Name
}

func (g *gw) create(resource, ns string, obj map[string]any) {
	g.t.Helper()
	if _, err := g.res(resource, ns).Create(context.Background(), &unstructured.Unstructured{Object: obj}, metav1.CreateOptions{}); err != nil {
		g.t.Fatalf("creating %s: %v", resource, err)
	}
}

// update changes an object (or, with status, its status) as a controller
// would: read, change, write, again on a conflict.
func (g *gw) update(resource, ns, name string, status bool, change func(u *unstructured.Unstructured)) {
	g.t.Helper()
	r := g.res(resource, ns)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		u, err := r.Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		change(u)
		if status {
			_, err = r.UpdateStatus(context.Background(), u, metav1.UpdateOptions{})
		} else {
			_, err = r.Update(context.Background(), u, metav1.UpdateOptions{})
		}
		return err
	})
	if err != nil {
		g.t.Fatalf("updating %s %s/%s: %v", resource, ns, name, err)
	}
}

func (g *gw) delete(resource, ns, name string) {
	g.t.Helper()
	if err := g.res(resource, ns).Delete(context.Background(), name, metav1.DeleteOptions{}); err != nil {
		g.t.Fatal(err)
	}
}

// gatewayObj is a Gateway object of class "test".
func gatewayObj(name string, annotations map[string]string, listeners ...map[string]any) map[string]any {
	return map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
		"metadata": map[string]any{"name": name, "annotations": toAny(annotations)},
		"spec":     map[string]any{"gatewayClassName": "test", "listeners": toList(listeners)},
	}
}

// listenerObj is a listener; a TLS one passes TLS through, and host may be
// empty. extra adds fields such as allowedRoutes.
func listenerObj(name, protocol string, port int64, host string, extra map[string]any) map[string]any {
	l := map[string]any{"name": name, "protocol": protocol, "port": port}
	if host != "" {
		l["hostname"] = host
	}
	if protocol == "TLS" {
		l["tls"] = map[string]any{"mode": "Passthrough"}
	}
	for k, v := range extra {
		l[k] = v
	}
	return l
}

// allowFrom is allowedRoutes taking routes from Same, All, or namespaces
// with the labels of match (Selector).
func allowFrom(from string, match map[string]string) map[string]any {
	ns := map[string]any{"from": from}
	if match != nil {
		ns["selector"] = map[string]any{"matchLabels": toAny(match)}
	}
	return map[string]any{"allowedRoutes": map[string]any{"namespaces": ns}}
}

// routeObj is a route of a kind; TLS, TCP and UDP routes get the backend
// their CRDs require.
func routeObj(kind, name string, annotations map[string]string, hostnames []string, parentRefs ...map[string]any) map[string]any {
	spec := map[string]any{"parentRefs": toList(parentRefs)}
	if len(hostnames) > 0 {
		spec["hostnames"] = toAnyList(hostnames)
	}
	if kind == "TLSRoute" || kind == "TCPRoute" || kind == "UDPRoute" {
		spec["rules"] = []any{map[string]any{"backendRefs": []any{map[string]any{"name": "backend", "port": int64(443)}}}}
	}
	return map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": kind,
		"metadata": map[string]any{"name": name, "annotations": toAny(annotations)},
		"spec":     spec,
	}
}

// parentRef is a parentRef: "name", with optional namespace, sectionName, port
// and kind fields given as key, value pairs.
func parentRef(name string, kv ...any) map[string]any {
	r := map[string]any{"name": name}
	for i := 0; i+1 < len(kv); i += 2 {
		r[kv[i].(string)] = kv[i+1]
	}
	return r
}

// setAddresses writes a Gateway's status.addresses, as its controller would.
func (g *gw) setAddresses(ns, name string, addrs ...string) {
	g.t.Helper()
	var list []any
	for _, a := range addrs {
		typ := "Hostname"
		if _, err := netip.ParseAddr(a); err == nil {
			typ = "IPAddress"
		}
		list = append(list, map[string]any{"type": typ, "value": a})
	}
	g.update("gateways", ns, name, true, func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedSlice(u.Object, list, "status", "addresses")
	})
}

// accept marks a route Accepted by every parent it names, echoing each
// parentRef, as the parents' controller would.
func (g *gw) accept(resource, ns, name string) {
	g.t.Helper()
	g.update(resource, ns, name, true, func(u *unstructured.Unstructured) {
		refs, _, _ := unstructured.NestedSlice(u.Object, "spec", "parentRefs")
		var parents []any
		for _, r := range refs {
			parents = append(parents, map[string]any{"parentRef": r, "controllerName": "example.com/gateway",
				"conditions": []any{condition("Accepted", "True")}})
		}
		_ = unstructured.SetNestedSlice(u.Object, parents, "status", "parents")
	})
}

// acceptListenerSet marks a ListenerSet and all its listeners Accepted.
func (g *gw) acceptListenerSet(ns, name string) {
	g.t.Helper()
	g.update("listenersets", ns, name, true, func(u *unstructured.Unstructured) {
		ls, _, _ := unstructured.NestedSlice(u.Object, "spec", "listeners")
		var entries []any
		for _, l := range ls {
			entries = append(entries, map[string]any{"name": l.(map[string]any)["name"], "attachedRoutes": int64(1),
				"supportedKinds": []any{}, "conditions": []any{condition("Accepted", "True")}})
		}
		_ = unstructured.SetNestedSlice(u.Object, []any{condition("Accepted", "True")}, "status", "conditions")
		_ = unstructured.SetNestedSlice(u.Object, entries, "status", "listeners")
	})
}

func condition(typ, status string) map[string]any {
	return map[string]any{"type": typ, "status": status, "reason": typ, "message": "",
		"lastTransitionTime": "2026-01-01T00:00:00Z"}
}

// addressRecords are the address records (not TXT) whose names end in
// suffix, as "name TYPE targets" lines.
func addressRecords(t *testing.T, p provider.Provider, suffix string) []string {
	t.Helper()
	var out []string
	for _, r := range records(t, p) {
		name, rest, _ := strings.Cut(r, " ")
		if strings.HasSuffix(name, suffix) && !strings.HasPrefix(rest, "TXT") {
			out = append(out, r)
		}
	}
	return out
}

// hasRecordsUnder waits until the address records under suffix are
// exactly want. Every name a test checks for absence is published, when
// it is published at all, in the same reconcile as a name of want (it
// comes from the same objects); once want is there, that reconcile is
// done, so equality also proves the absence.
func hasRecordsUnder(t *testing.T, p provider.Provider, suffix string, want ...string) {
	t.Helper()
	slices.Sort(want)
	eventually(t, 20*time.Second, func() (bool, string) {
		got := addressRecords(t, p, suffix)
		return slices.Equal(got, want), "records under " + suffix + ": " + strings.Join(got, "; ") + " want " + strings.Join(want, "; ")
	})
}

func toAny(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func toAnyList(l []string) []any {
	out := make([]any, len(l))
	for i, v := range l {
		out[i] = v
	}
	return out
}

func toList(l []map[string]any) []any {
	out := make([]any, len(l))
	for i, v := range l {
		out[i] = v
	}
	return out
}
