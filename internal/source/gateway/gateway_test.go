package gateway

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/exodns/exodns/internal/source"
)

// TestEndpoints covers parentRefs, listener matching (hostname, sectionName,
// port, protocol), filters and the route's own annotations.
func TestEndpoints(t *testing.T) {
	same := gw("app", "gw", []string{"10.0.0.1"}, lis("http", ""))
	wild := gw("app", "wild", []string{"10.0.0.2"}, lis("a", "*.example.com"), lis("b", "api.example.org"))
	infra := gw("infra", "shared", []string{"lb.example.net"}, from(lis("http", ""), "All", nil))
	infraSame := gw("infra", "private", []string{"10.9.9.9"}, lis("http", ""))
	tcp := gw("app", "tcp", []string{"10.0.0.3"}, withProto(lis("tcp", ""), "TCP", 5432))
	ports := gw("app", "ports", []string{"10.0.0.4"}, lis("plain", "*.example.com"),
		withProto(lis("tls", "secure.example.com"), "HTTPS", 443))
	w := world{gateways: []*Gateway{same, wild, infra, infraSame, tcp, ports}}

	tests := []struct {
		name     string
		route    *Route
		opts     Options
		want     []string
		problems []string
	}{
		{name: "route hostnames to gateway addresses",
			route: route(hosts("a.example.com", "B.example.com."), attach(ParentReference{Name: "gw"}, true)),
			want:  []string{"a.example.com A 10.0.0.1", "b.example.com A 10.0.0.1"}},
		{name: "not accepted yields nothing",
			route: route(hosts("a.example.com"), attach(ParentReference{Name: "gw"}, false))},
		{name: "unknown gateway yields nothing",
			route: route(hosts("a.example.com"), attach(ParentReference{Name: "missing"}, true))},
		{name: "wildcard listener narrows route hostnames",
			route: route(hosts("a.example.com", "a.example.org", "example.com"), attach(ParentReference{Name: "wild"}, true)),
			want:  []string{"a.example.com A 10.0.0.2"}},
		{name: "route without hostnames takes listener hostnames",
			route: route(attach(ParentReference{Name: "wild"}, true)),
			want:  []string{"*.example.com A 10.0.0.2", "api.example.org A 10.0.0.2"}},
		{name: "no hostname anywhere yields nothing",
			route: route(attach(ParentReference{Name: "gw"}, true))},
		{name: "section name picks one listener",
			route: route(attach(ParentReference{Name: "wild", SectionName: ptr("b")}, true)),
			want:  []string{"api.example.org A 10.0.0.2"}},
		{name: "unknown section name yields nothing",
			route: route(attach(ParentReference{Name: "wild", SectionName: ptr("c")}, true))},
		{name: "port picks listeners",
			route: route(attach(ParentReference{Name: "ports", Port: ptr(int32(443))}, true)),
			want:  []string{"secure.example.com A 10.0.0.4"}},
		{name: "port matching no listener yields nothing",
			route: route(hosts("a.example.com"), attach(ParentReference{Name: "gw", Port: ptr(int32(443))}, true))},
		{name: "cross-namespace allowed by All, hostname target is a CNAME",
			route: route(hosts("a.example.com"), attach(ParentReference{Namespace: ptr("infra"), Name: "shared"}, true)),
			want:  []string{"a.example.com CNAME lb.example.net"}},
		{name: "cross-namespace refused by Same",
			route: route(hosts("a.example.com"), attach(ParentReference{Namespace: ptr("infra"), Name: "private"}, true))},
		{name: "TCP listener does not take HTTPRoutes",
			route: route(hosts("a.example.com"), attach(ParentReference{Name: "tcp"}, true))},
		{name: "other parent kinds are skipped",
			route: route(hosts("a.example.com"), attach(ParentReference{Kind: ptr("Service"), Group: ptr(""), Name: "gw"}, true))},
		{name: "two gateways merge targets",
			route: route(hosts("a.example.com"), attach(ParentReference{Name: "gw"}, true), attach(ParentReference{Name: "wild", SectionName: ptr("a")}, true)),
			want:  []string{"a.example.com A 10.0.0.1,10.0.0.2"}},
		{name: "gateway name filter",
			route: route(hosts("a.example.com"), attach(ParentReference{Name: "gw"}, true), attach(ParentReference{Name: "wild"}, true)),
			opts:  Options{GatewayName: "wild"},
			want:  []string{"a.example.com A 10.0.0.2"}},
		{name: "gateway namespace filter",
			route: route(hosts("a.example.com"), attach(ParentReference{Name: "gw"}, true)),
			opts:  Options{GatewayNamespace: "infra"}},
		{name: "gateway label filter",
			route: route(hosts("a.example.com"), attach(ParentReference{Name: "gw"}, true), attach(ParentReference{Name: "wild"}, true)),
			opts:  Options{GatewayLabelFilter: mustSelector(t, "team=gw")},
			want:  []string{"a.example.com A 10.0.0.1"}},
		{name: "route annotations: hostname, ttl",
			route: route(hosts("a.example.com"), annotate(pfx+"hostname", "b.example.com"), annotate(pfx+"ttl", "60"),
				attach(ParentReference{Name: "gw"}, true)),
			want: []string{"a.example.com A 10.0.0.1 ttl=60", "b.example.com A 10.0.0.1 ttl=60"}},
		{name: "forced default targets replace the gateway's",
			route: route(hosts("a.example.com"), attach(ParentReference{Name: "gw"}, true)),
			opts:  Options{Options: source.Options{DefaultTargets: []string{"192.0.2.1"}, ForceDefaultTargets: true}},
			want:  []string{"a.example.com A 192.0.2.1"}},
		{name: "invalid annotation holds every name",
			route:    route(hosts("a.example.com"), annotate(pfx+"ttl", "soon"), attach(ParentReference{Name: "gw"}, true)),
			want:     []string{"a.example.com HOLD"},
			problems: []string{"ttl"}},
		{name: "route naming another controller is skipped",
			route: route(hosts("a.example.com"), annotate(pfx+"controller", "someone-else"), attach(ParentReference{Name: "gw"}, true))},
		{name: "nil route", route: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.route == nil {
				if r := Endpoints(nil, HTTPRouteKind(), NewParents(nil, nil, nil, tt.opts), tt.opts); len(r.Endpoints) != 0 {
					t.Errorf("nil route gave %v", r.Endpoints)
				}
				return
			}
			got, problems := convert(t, tt.route, HTTPRouteKind(), w, tt.opts)
			check(t, got, problems, tt.want, tt.problems)
		})
	}
}

// TestParentRefMustBeEchoed keeps exodns's rule (rule 6): a status entry
// counts only for the spec parentRef it repeats exactly. Upstream matches
// on name and namespace alone and then uses the status entry's sectionName
// and port.
func TestParentRefMustBeEchoed(t *testing.T) {
	w := world{gateways: []*Gateway{gw("app", "gw", []string{"10.0.0.1"}, lis("a", "a.example.com"), lis("b", "b.example.com"))}}
	tests := []struct {
		name   string
		spec   ParentReference
		status ParentReference
		want   []string
	}{
		{"exact echo", ParentReference{Name: "gw", SectionName: ptr("a")}, ParentReference{Name: "gw", SectionName: ptr("a")},
			[]string{"a.example.com A 10.0.0.1"}},
		{"defaults spelled out", ParentReference{Name: "gw"},
			ParentReference{Group: ptr(Group), Kind: ptr("Gateway"), Namespace: ptr("app"), Name: "gw"},
			[]string{"a.example.com A 10.0.0.1", "b.example.com A 10.0.0.1"}},
		{"status for one listener, spec for all", ParentReference{Name: "gw"}, ParentReference{Name: "gw", SectionName: ptr("a")}, nil},
		{"status for another listener", ParentReference{Name: "gw", SectionName: ptr("b")}, ParentReference{Name: "gw", SectionName: ptr("a")}, nil},
		{"status for another port", ParentReference{Name: "gw", Port: ptr(int32(80))}, ParentReference{Name: "gw", Port: ptr(int32(443))}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := route()
			r.Spec.ParentRefs = []ParentReference{tt.spec}
			r.Status.Parents = []RouteParentStatus{parentStatus(tt.status, true)}
			got, problems := convert(t, r, HTTPRouteKind(), w, Options{})
			check(t, got, problems, tt.want, nil)
		})
	}
}

func TestFromUnstructured(t *testing.T) {
	r, err := RouteFromUnstructured(map[string]any{
		"apiVersion": APIVersion, "kind": "HTTPRoute",
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
		r.Status.Parents[0].Conditions[0].Status != metav1.ConditionTrue || r.APIVersion != APIVersion {
		t.Errorf("route %+v", r)
	}
	g, err := GatewayFromUnstructured(map[string]any{
		"metadata": map[string]any{"name": "gw", "namespace": "app"},
		"spec": map[string]any{"listeners": []any{map[string]any{"name": "http", "port": int64(80), "protocol": "HTTP", "hostname": "*.example.com"}},
			"allowedListeners": map[string]any{"namespaces": map[string]any{"from": "All"}}},
		"status": map[string]any{"addresses": []any{map[string]any{"type": "IPAddress", "value": "10.0.0.1"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if *g.Spec.Listeners[0].Hostname != "*.example.com" || g.Status.Addresses[0].Value != "10.0.0.1" ||
		*g.Spec.AllowedListeners.Namespaces.From != "All" {
		t.Errorf("gateway %+v", g)
	}
	ls, err := ListenerSetFromUnstructured(map[string]any{
		"metadata": map[string]any{"name": "ls", "namespace": "team"},
		"spec": map[string]any{"parentRef": map[string]any{"name": "gw", "namespace": "app"},
			"listeners": []any{map[string]any{"name": "x", "port": int64(443), "protocol": "HTTPS", "hostname": "x.example.com"}}},
		"status": map[string]any{"listeners": []any{map[string]any{"name": "x", "conditions": []any{
			map[string]any{"type": "Accepted", "status": "True", "reason": "Accepted", "message": "", "lastTransitionTime": "2026-01-01T00:00:00Z"}}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if ls.Spec.ParentRef.Name != "gw" || *ls.Spec.Listeners[0].Hostname != "x.example.com" || ls.Status.Listeners[0].Name != "x" {
		t.Errorf("listener set %+v", ls)
	}
	if _, err := RouteFromUnstructured(nil); err == nil {
		t.Error("nil accepted")
	}
	if _, err := GatewayFromUnstructured(map[string]any{"spec": "x"}); err == nil {
		t.Error("bad spec accepted")
	}
	if _, err := ListenerSetFromUnstructured(map[string]any{"spec": "x"}); err == nil {
		t.Error("bad listener set accepted")
	}
}
