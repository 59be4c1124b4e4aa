package gateway

import (
	"reflect"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/endpoint/endpointtest"
	"github.com/exodns/exodns/internal/source"
)

const pfx = "external-dns.alpha.kubernetes.io/"

func ptr[T any](v T) *T { return &v }

// lis is an HTTP listener on port 80 with an optional hostname.
func lis(name, host string) Listener {
	l := Listener{Name: name, Port: 80, Protocol: "HTTP"}
	if host != "" {
		l.Hostname = ptr(host)
	}
	return l
}

// withProto returns l with another protocol and port.
func withProto(l Listener, proto string, port int32) Listener {
	l.Protocol, l.Port = proto, port
	return l
}

// from returns l taking routes from the given namespaces (Same, All,
// Selector with a matchLabels selector).
func from(l Listener, what string, match map[string]string) Listener {
	l.AllowedRoutes = &AllowedRoutes{Namespaces: &RouteNamespaces{From: ptr(what)}}
	if match != nil {
		l.AllowedRoutes.Namespaces.Selector = &metav1.LabelSelector{MatchLabels: match}
	}
	return l
}

// gw is a Gateway whose status lists addrs (IPs as IPAddress, names as
// Hostname).
func gw(ns, name string, addrs []string, ls ...Listener) *Gateway {
	g := &Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{"team": name}}}
	g.Spec.Listeners = ls
	for _, a := range addrs {
		t := "IPAddress"
		if strings.ContainsAny(a, "abcdefghijklmnopqrstuvwxyz") && !strings.Contains(a, ":") {
			t = "Hostname"
		}
		g.Status.Addresses = append(g.Status.Addresses, GatewayStatusAddress{Type: ptr(t), Value: a})
	}
	return g
}

// setAnnotations adds annotations (key, value, ...) to an object.
func setAnnotations(m metav1.Object, kv ...string) {
	a := m.GetAnnotations()
	if a == nil {
		a = map[string]string{}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		a[kv[i]] = kv[i+1]
	}
	m.SetAnnotations(a)
}

type routeOpt func(*Route)

func hosts(h ...string) routeOpt { return func(r *Route) { r.Spec.Hostnames = h } }
func annotate(k, v string) routeOpt {
	return func(r *Route) { setAnnotations(r, k, v) }
}
func inNamespace(ns string) routeOpt { return func(r *Route) { r.Namespace = ns } }

// attach attaches the route to a parent; accepted says what its
// controller answered, with a status parentRef equal to the spec's.
func attach(pr ParentReference, accepted bool) routeOpt {
	return func(r *Route) {
		r.Spec.ParentRefs = append(r.Spec.ParentRefs, pr)
		r.Status.Parents = append(r.Status.Parents, parentStatus(pr, accepted))
	}
}

func parentStatus(pr ParentReference, accepted bool) RouteParentStatus {
	st := metav1.ConditionFalse
	if accepted {
		st = metav1.ConditionTrue
	}
	return RouteParentStatus{ParentRef: pr, ControllerName: "example.com/gw",
		Conditions: []metav1.Condition{{Type: "Accepted", Status: st}}}
}

func route(opts ...routeOpt) *Route {
	r := &Route{ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: "web"}}
	for _, o := range opts {
		o(r)
	}
	return r
}

// world is what the parents are built from.
type world struct {
	gateways   []*Gateway
	sets       []*ListenerSet
	namespaces map[string]map[string]string
}

// convert runs one route through NewParents and Endpoints and renders the
// result; problems are rendered as their messages.
func convert(t *testing.T, r *Route, kind RouteKind, w world, opts Options) (eps []string, problems []string) {
	t.Helper()
	ps := NewParents(w.gateways, w.sets, w.namespaces, opts)
	res := Endpoints(r, kind, ps, opts)
	for _, p := range append(ps.Problems, res.Problems...) {
		problems = append(problems, p.Error())
	}
	for _, e := range res.Endpoints {
		if want := kind.Resource() + "/" + r.Namespace + "/" + r.Name; e.Resource() != want {
			t.Errorf("resource label %q, want %q", e.Resource(), want)
		}
	}
	return render(res.Endpoints), problems
}

func render(eps []*endpoint.Endpoint) []string { return endpointtest.Render(eps) }

// check compares endpoints and that each wanted problem text appears in
// the problem at the same position.
func check(t *testing.T, gotEps, gotProblems, wantEps, wantProblems []string) {
	t.Helper()
	if !reflect.DeepEqual(gotEps, wantEps) {
		t.Errorf("endpoints\n got  %q\n want %q", gotEps, wantEps)
	}
	if len(gotProblems) != len(wantProblems) {
		t.Fatalf("problems %q, want ones mentioning %q", gotProblems, wantProblems)
	}
	for i, p := range gotProblems {
		if !strings.Contains(p, wantProblems[i]) {
			t.Errorf("problem %q does not mention %q", p, wantProblems[i])
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
