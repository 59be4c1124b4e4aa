package gateway

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/source"
)

const pfx = "external-dns.alpha.kubernetes.io/"

func ptr[T any](v T) *T { return &v }

func listener(name, host string) Listener {
	l := Listener{Name: name, Port: 80, Protocol: "HTTP"}
	if host != "" {
		l.Hostname = ptr(host)
	}
	return l
}

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

type routeOpt func(*HTTPRoute)

func hosts(h ...string) routeOpt { return func(r *HTTPRoute) { r.Spec.Hostnames = h } }
func annotate(k, v string) routeOpt {
	return func(r *HTTPRoute) {
		if r.Annotations == nil {
			r.Annotations = map[string]string{}
		}
		r.Annotations[k] = v
	}
}

// parent attaches the route to a Gateway; accepted says what its controller
// answered.
func parent(pr ParentReference, accepted bool) routeOpt {
	return func(r *HTTPRoute) {
		r.Spec.ParentRefs = append(r.Spec.ParentRefs, pr)
		st := metav1.ConditionFalse
		if accepted {
			st = metav1.ConditionTrue
		}
		r.Status.Parents = append(r.Status.Parents, RouteParentStatus{ParentRef: pr,
			Conditions: []metav1.Condition{{Type: "Accepted", Status: st}}})
	}
}

func route(opts ...routeOpt) *HTTPRoute {
	r := &HTTPRoute{ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: "web"}}
	for _, o := range opts {
		o(r)
	}
	return r
}

func lookup(gws ...*Gateway) GatewayLookup {
	return func(ns, name string) *Gateway {
		for _, g := range gws {
			if g.Namespace == ns && g.Name == name {
				return g
			}
		}
		return nil
	}
}

func render(eps []*endpoint.Endpoint) []string {
	var out []string
	for _, e := range eps {
		if e.Held() {
			out = append(out, e.DNSName+" HOLD")
			continue
		}
		s := fmt.Sprintf("%s %s %s", e.DNSName, e.RecordType, strings.Join(e.Targets, ","))
		if e.RecordTTL != 0 {
			s += fmt.Sprintf(" ttl=%d", e.RecordTTL)
		}
		out = append(out, s)
	}
	return out
}

func TestEndpoints(t *testing.T) {
	same := gw("app", "gw", []string{"10.0.0.1"}, listener("http", ""))
	wild := gw("app", "wild", []string{"10.0.0.2"}, listener("a", "*.example.com"), listener("b", "api.example.org"))
	infra := gw("infra", "shared", []string{"lb.example.net"}, Listener{Name: "http", Port: 80, Protocol: "HTTP",
		AllowedRoutes: &AllowedRoutes{Namespaces: &RouteNamespaces{From: ptr("All")}}})
	infraSame := gw("infra", "private", []string{"10.9.9.9"}, listener("http", ""))
	tcp := gw("app", "tcp", []string{"10.0.0.3"}, Listener{Name: "tcp", Port: 5432, Protocol: "TCP"})
	all := lookup(same, wild, infra, infraSame, tcp)

	tests := []struct {
		name     string
		route    *HTTPRoute
		opts     Options
		want     []string
		problems []string
	}{
		{name: "route hostnames to gateway addresses",
			route: route(hosts("a.example.com", "B.example.com."), parent(ParentReference{Name: "gw"}, true)),
			want:  []string{"a.example.com A 10.0.0.1", "b.example.com A 10.0.0.1"}},
		{name: "not accepted yields nothing",
			route: route(hosts("a.example.com"), parent(ParentReference{Name: "gw"}, false))},
		{name: "accepted status for another listener does not count",
			route: func() *HTTPRoute {
				r := route(hosts("a.example.com"), parent(ParentReference{Name: "gw", SectionName: ptr("other")}, true))
				r.Spec.ParentRefs[0].SectionName = nil
				return r
			}()},
		{name: "unknown gateway yields nothing",
			route: route(hosts("a.example.com"), parent(ParentReference{Name: "missing"}, true))},
		{name: "wildcard listener narrows route hostnames",
			route: route(hosts("a.example.com", "a.example.org", "example.com"), parent(ParentReference{Name: "wild"}, true)),
			want:  []string{"a.example.com A 10.0.0.2"}},
		{name: "route without hostnames takes listener hostnames",
			route: route(parent(ParentReference{Name: "wild"}, true)),
			want:  []string{"*.example.com A 10.0.0.2", "api.example.org A 10.0.0.2"}},
		{name: "no hostname anywhere yields nothing",
			route: route(parent(ParentReference{Name: "gw"}, true))},
		{name: "section name picks one listener",
			route: route(parent(ParentReference{Name: "wild", SectionName: ptr("b")}, true)),
			want:  []string{"api.example.org A 10.0.0.2"}},
		{name: "port picks listeners",
			route: route(hosts("a.example.com"), parent(ParentReference{Name: "gw", Port: ptr(int32(443))}, true))},
		{name: "cross-namespace allowed by All, hostname target is a CNAME",
			route: route(hosts("a.example.com"), parent(ParentReference{Namespace: ptr("infra"), Name: "shared"}, true)),
			want:  []string{"a.example.com CNAME lb.example.net"}},
		{name: "cross-namespace refused by Same",
			route: route(hosts("a.example.com"), parent(ParentReference{Namespace: ptr("infra"), Name: "private"}, true))},
		{name: "TCP listener does not take HTTPRoutes",
			route: route(hosts("a.example.com"), parent(ParentReference{Name: "tcp"}, true))},
		{name: "other parent kinds are skipped",
			route: route(hosts("a.example.com"), parent(ParentReference{Kind: ptr("Service"), Group: ptr(""), Name: "gw"}, true))},
		{name: "two gateways merge targets",
			route: route(hosts("a.example.com"), parent(ParentReference{Name: "gw"}, true), parent(ParentReference{Name: "wild", SectionName: ptr("a")}, true)),
			want:  []string{"a.example.com A 10.0.0.1,10.0.0.2"}},
		{name: "gateway name filter",
			route: route(hosts("a.example.com"), parent(ParentReference{Name: "gw"}, true), parent(ParentReference{Name: "wild"}, true)),
			opts:  Options{GatewayName: "wild"},
			want:  []string{"a.example.com A 10.0.0.2"}},
		{name: "gateway namespace filter",
			route: route(hosts("a.example.com"), parent(ParentReference{Name: "gw"}, true)),
			opts:  Options{GatewayNamespace: "infra"}},
		{name: "gateway label filter",
			route: route(hosts("a.example.com"), parent(ParentReference{Name: "gw"}, true), parent(ParentReference{Name: "wild"}, true)),
			opts:  Options{GatewayLabelFilter: mustSelector(t, "team=gw")},
			want:  []string{"a.example.com A 10.0.0.1"}},
		{name: "annotations: hostname, target, ttl",
			route: route(hosts("a.example.com"), annotate(pfx+"hostname", "b.example.com"), annotate(pfx+"target", "1.2.3.4"),
				annotate(pfx+"ttl", "60"), parent(ParentReference{Name: "gw"}, true)),
			want: []string{"a.example.com A 1.2.3.4 ttl=60", "b.example.com A 1.2.3.4 ttl=60"}},
		{name: "annotation-only hostname source",
			route: route(hosts("a.example.com"), annotate(pfx+"hostname", "b.example.com"), annotate(pfx+"gateway-hostname-source", "annotation-only"),
				parent(ParentReference{Name: "gw"}, true)),
			want: []string{"b.example.com A 10.0.0.1"}},
		{name: "ignore hostname annotation",
			route: route(hosts("a.example.com"), annotate(pfx+"hostname", "b.example.com"), parent(ParentReference{Name: "gw"}, true)),
			opts:  Options{Options: source.Options{IgnoreHostnameAnnotation: true}},
			want:  []string{"a.example.com A 10.0.0.1"}},
		{name: "invalid annotation holds every name",
			route: route(hosts("a.example.com"), annotate(pfx+"ttl", "soon"), parent(ParentReference{Name: "gw"}, true)),
			want:  []string{"a.example.com HOLD"}, problems: []string{"ttl"}},
		{name: "other controller skipped",
			route: route(hosts("a.example.com"), annotate(pfx+"controller", "someone-else"), parent(ParentReference{Name: "gw"}, true))},
		{name: "nil route", route: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Endpoints(tt.route, all, tt.opts)
			if got := render(r.Endpoints); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("endpoints\n got  %q\n want %q", got, tt.want)
			}
			if len(r.Problems) != len(tt.problems) {
				t.Fatalf("problems %v, want %q", r.Problems, tt.problems)
			}
			for i, p := range r.Problems {
				if !strings.Contains(p.Error(), tt.problems[i]) {
					t.Errorf("problem %q does not mention %q", p.Error(), tt.problems[i])
				}
			}
			for _, e := range r.Endpoints {
				if e.Resource() != "httproute/app/web" {
					t.Errorf("resource label %q", e.Resource())
				}
			}
		})
	}
}

func TestIntersect(t *testing.T) {
	tests := []struct {
		listener, route, want string
		ok                    bool
	}{
		{"", "a.example.com", "a.example.com", true},
		{"a.example.com", "", "a.example.com", true},
		{"", "", "", true},
		{"a.example.com", "A.Example.com.", "a.example.com", true},
		{"a.example.com", "b.example.com", "", false},
		{"*.example.com", "a.example.com", "a.example.com", true},
		{"*.example.com", "a.b.example.com", "a.b.example.com", true},
		{"*.example.com", "example.com", "", false},
		{"*.example.com", "a.example.org", "", false},
		{"a.example.com", "*.example.com", "a.example.com", true},
		{"example.com", "*.example.com", "", false},
		{"*.example.com", "*.a.example.com", "*.a.example.com", true},
		{"*.a.example.com", "*.example.com", "*.a.example.com", true},
		{"*.example.com", "*.example.com", "*.example.com", true},
		{"*.example.com", "*.example.org", "", false},
	}
	for _, tt := range tests {
		got, ok := Intersect(tt.listener, tt.route)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Intersect(%q, %q) = %q, %v; want %q, %v", tt.listener, tt.route, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFromUnstructured(t *testing.T) {
	r, err := RouteFromUnstructured(map[string]any{
		"apiVersion": APIVersion, "kind": Kind,
		"metadata": map[string]any{"name": "web", "namespace": "app"},
		"spec": map[string]any{
			"parentRefs": []any{map[string]any{"name": "gw", "sectionName": "http", "port": int64(80)}},
			"hostnames":  []any{"a.example.com"},
			"rules":      []any{map[string]any{"backendRefs": []any{}}},
		},
		"status": map[string]any{"parents": []any{map[string]any{
			"parentRef": map[string]any{"name": "gw"}, "controllerName": "x/y",
			"conditions": []any{map[string]any{"type": "Accepted", "status": "True", "reason": "Accepted",
				"message": "", "lastTransitionTime": "2026-01-01T00:00:00Z"}},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "web" || r.Spec.Hostnames[0] != "a.example.com" || *r.Spec.ParentRefs[0].Port != 80 ||
		r.Status.Parents[0].Conditions[0].Status != metav1.ConditionTrue {
		t.Errorf("route %+v", r)
	}
	g, err := GatewayFromUnstructured(map[string]any{
		"metadata": map[string]any{"name": "gw", "namespace": "app"},
		"spec":     map[string]any{"listeners": []any{map[string]any{"name": "http", "port": int64(80), "protocol": "HTTP", "hostname": "*.example.com"}}},
		"status":   map[string]any{"addresses": []any{map[string]any{"type": "IPAddress", "value": "10.0.0.1"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if *g.Spec.Listeners[0].Hostname != "*.example.com" || g.Status.Addresses[0].Value != "10.0.0.1" {
		t.Errorf("gateway %+v", g)
	}
	if _, err := RouteFromUnstructured(nil); err == nil {
		t.Error("nil accepted")
	}
	if _, err := GatewayFromUnstructured(map[string]any{"spec": "x"}); err == nil {
		t.Error("bad spec accepted")
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
