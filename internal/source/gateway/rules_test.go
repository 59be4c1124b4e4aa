package gateway

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/exodns/exodns/internal/source"
)

// TestAllowedRoutes is rule 1: Accepted is reported per parentRef, not per
// listener, so each listener's allowedRoutes (Same, All, Selector and
// kinds) is checked here, as upstream does.
func TestAllowedRoutes(t *testing.T) {
	ns := map[string]map[string]string{"app": {"team": "web"}, "other": {"team": "db"}, "infra": nil}
	mixed := gw("infra", "mixed", []string{"10.0.0.1"},
		from(lis("selected", "sel.example.com"), "Selector", map[string]string{"team": "db"}),
		from(lis("open", "open.example.com"), "All", nil),
		lis("same", "same.example.com"))
	kinds := gw("infra", "kinds", []string{"10.0.0.2"},
		func() Listener {
			l := from(lis("grpc-only", "grpc.example.com"), "All", nil)
			l.AllowedRoutes.Kinds = []RouteGroupKind{{Kind: "GRPCRoute"}}
			return l
		}(),
		func() Listener {
			l := from(lis("http-only", "http.example.com"), "All", nil)
			l.AllowedRoutes.Kinds = []RouteGroupKind{{Group: ptr(Group), Kind: "HTTPRoute"}}
			return l
		}())
	bad := gw("infra", "bad", []string{"10.0.0.3"},
		func() Listener {
			l := from(lis("broken", "broken.example.com"), "Selector", nil)
			l.AllowedRoutes.Namespaces.Selector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "team", Operator: "Sometimes", Values: []string{"x"}}}}
			return l
		}(), from(lis("open", "open.example.com"), "All", nil))
	w := world{gateways: []*Gateway{mixed, kinds}, namespaces: ns}
	withBad := world{gateways: []*Gateway{bad}, namespaces: ns}
	toInfra := func(name string) routeOpt {
		return attach(ParentReference{Namespace: ptr("infra"), Name: name}, true)
	}
	tests := []struct {
		name     string
		route    *Route
		kind     RouteKind
		world    *world
		want     []string
		problems []string
	}{
		{name: "selector listener not matching the route's namespace publishes nothing under it",
			route: route(toInfra("mixed")),
			want:  []string{"open.example.com A 10.0.0.1"}},
		{name: "selector listener matching the route's namespace",
			route: route(inNamespace("other"), toInfra("mixed")),
			want:  []string{"open.example.com A 10.0.0.1", "sel.example.com A 10.0.0.1"}},
		{name: "route in the gateway's namespace gets Same listeners",
			route: route(inNamespace("infra"), toInfra("mixed")),
			want:  []string{"open.example.com A 10.0.0.1", "same.example.com A 10.0.0.1"}},
		{name: "namespace unknown to the cache matches no selector",
			route: route(inNamespace("ghost"), toInfra("mixed")),
			want:  []string{"open.example.com A 10.0.0.1"}},
		{name: "kinds: only the listener listing HTTPRoute",
			route: route(toInfra("kinds")),
			want:  []string{"http.example.com A 10.0.0.2"}},
		{name: "kinds: only the listener listing GRPCRoute",
			route: route(toInfra("kinds")), kind: mustKind(t, "gateway-grpcroute"),
			want: []string{"grpc.example.com A 10.0.0.2"}},
		{name: "invalid selector: reported on the Gateway, names held",
			route: route(inNamespace("other"), toInfra("bad")), world: &withBad,
			want:     []string{"broken.example.com HOLD", "open.example.com A 10.0.0.3"},
			problems: []string{`Gateway infra/bad: listener "broken": allowedRoutes.namespaces.selector`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind := tt.kind
			if kind.Kind == "" {
				kind = HTTPRouteKind()
			}
			in := w
			if tt.world != nil {
				in = *tt.world
			}
			got, problems := convert(t, tt.route, kind, in, Options{})
			check(t, got, problems, tt.want, tt.problems)
		})
	}
}

// TestTargetAnnotation is rule 2: the target annotation is read from the
// Gateway (replacing its addresses, per Gateway) and ignored on routes.
func TestTargetAnnotation(t *testing.T) {
	plain := gw("app", "plain", []string{"10.0.0.1"}, lis("http", ""))
	cdn := gw("app", "cdn", []string{"10.0.0.2"}, lis("http", ""))
	setAnnotations(cdn, pfx+"target", "cdn.example.net")
	stable := gw("app", "stable", []string{"10.0.0.3"}, lis("http", ""))
	setAnnotations(stable, "external-dns.kubernetes.io/target", "192.0.2.7, 192.0.2.8")
	w := world{gateways: []*Gateway{plain, cdn, stable}}
	tests := []struct {
		name  string
		route *Route
		want  []string
	}{
		{"gateway target replaces its addresses",
			route(hosts("a.example.com"), attach(ParentReference{Name: "cdn"}, true)),
			[]string{"a.example.com CNAME cdn.example.net"}},
		{"stable prefix, several targets",
			route(hosts("a.example.com"), attach(ParentReference{Name: "stable"}, true)),
			[]string{"a.example.com A 192.0.2.7,192.0.2.8"}},
		{"route target is ignored",
			route(hosts("a.example.com"), annotate(pfx+"target", "203.0.113.9"), attach(ParentReference{Name: "plain"}, true)),
			[]string{"a.example.com A 10.0.0.1"}},
		{"per gateway: one overridden, one not",
			route(hosts("a.example.com"), attach(ParentReference{Name: "plain"}, true), attach(ParentReference{Name: "stable"}, true)),
			[]string{"a.example.com A 10.0.0.1,192.0.2.7,192.0.2.8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := convert(t, tt.route, HTTPRouteKind(), w, Options{})
			check(t, got, problems, tt.want, nil)
		})
	}
}

// TestHostnameSources is rule 3: a route without spec hostnames serves its
// listener's hostname alongside annotated and templated names; the
// gateway-hostname-source annotation narrows to one source with no
// fallback to the listener.
func TestHostnameSources(t *testing.T) {
	w := world{gateways: []*Gateway{gw("app", "gw", []string{"10.0.0.1"}, lis("http", "*.example.com"))}}
	tmpl, err := source.ParseFQDNTemplate("{{.Name}}-{{.Kind | toLower}}.example.com")
	if err != nil {
		t.Fatal(err)
	}
	withTemplate := Options{Options: source.Options{FQDNTemplate: tmpl}}
	combining := Options{Options: source.Options{FQDNTemplate: tmpl, CombineFQDNAnnotation: true}}
	toGW := attach(ParentReference{Name: "gw"}, true)
	src := func(v string) routeOpt { return annotate(pfx+"gateway-hostname-source", v) }
	name := func(v string) routeOpt { return annotate(pfx+"hostname", v) }
	tests := []struct {
		name     string
		route    *Route
		opts     Options
		want     []string
		problems []string
	}{
		{name: "no spec hostnames: listener hostname alongside the annotation",
			route: route(name("a.example.com"), toGW),
			want:  []string{"*.example.com A 10.0.0.1", "a.example.com A 10.0.0.1"}},
		{name: "no spec hostnames: listener hostname alongside the template",
			route: route(toGW), opts: withTemplate,
			want: []string{"*.example.com A 10.0.0.1", "web-httproute.example.com A 10.0.0.1"}},
		{name: "template runs without spec hostnames even with an annotation",
			route: route(name("a.example.com"), toGW), opts: withTemplate,
			want: []string{"*.example.com A 10.0.0.1", "a.example.com A 10.0.0.1", "web-httproute.example.com A 10.0.0.1"}},
		{name: "spec hostnames: no template, no listener hostname",
			route: route(hosts("s.example.com"), name("a.example.com"), toGW), opts: withTemplate,
			want: []string{"a.example.com A 10.0.0.1", "s.example.com A 10.0.0.1"}},
		{name: "spec hostnames with --combine-fqdn-annotation",
			route: route(hosts("s.example.com"), toGW), opts: combining,
			want: []string{"s.example.com A 10.0.0.1", "web-httproute.example.com A 10.0.0.1"}},
		{name: "annotation-only: the annotation alone",
			route: route(hosts("s.example.com"), name("a.example.com"), src("annotation-only"), toGW), opts: withTemplate,
			want: []string{"a.example.com A 10.0.0.1"}},
		{name: "annotation-only without annotation: nothing, not the wildcard",
			route: route(src("annotation-only"), toGW)},
		{name: "annotation-only with --ignore-hostname-annotation: nothing",
			route: route(name("a.example.com"), src("annotation-only"), toGW),
			opts:  Options{Options: source.Options{IgnoreHostnameAnnotation: true}}},
		{name: "defined-hosts-only: spec, not the annotation",
			route: route(hosts("s.example.com"), name("a.example.com"), src("defined-hosts-only"), toGW),
			want:  []string{"s.example.com A 10.0.0.1"}},
		{name: "defined-hosts-only without spec hostnames: nothing, not the wildcard",
			route: route(name("a.example.com"), src("defined-hosts-only"), toGW)},
		{name: "defined-hosts-only takes the template",
			route: route(src("defined-hosts-only"), toGW), opts: withTemplate,
			want: []string{"web-httproute.example.com A 10.0.0.1"}},
		{name: "--ignore-hostname-annotation",
			route: route(hosts("s.example.com"), name("a.example.com"), toGW),
			opts:  Options{Options: source.Options{IgnoreHostnameAnnotation: true}},
			want:  []string{"s.example.com A 10.0.0.1"}},
		{name: "invalid hostname source is reported and holds (upstream falls back)",
			route:    route(hosts("s.example.com"), src("sometimes"), toGW),
			want:     []string{"s.example.com HOLD"},
			problems: []string{"gateway-hostname-source"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := convert(t, tt.route, HTTPRouteKind(), w, tt.opts)
			check(t, got, problems, tt.want, tt.problems)
		})
	}
}

// TestMinorRules is rule 5: route hostnames that are not RFC 1123 names are
// dropped (exodns also reports them and holds the name), and a Gateway
// whose controller annotation names another controller serves no route.
func TestMinorRules(t *testing.T) {
	open := gw("app", "gw", []string{"10.0.0.1"}, lis("http", ""))
	foreign := gw("app", "foreign", []string{"10.0.0.2"}, lis("http", ""))
	setAnnotations(foreign, pfx+"controller", "someone-else")
	ours := gw("app", "ours", []string{"10.0.0.3"}, lis("http", ""))
	setAnnotations(ours, pfx+"controller", "dns-controller")
	w := world{gateways: []*Gateway{open, foreign, ours}}
	toGW := attach(ParentReference{Name: "gw"}, true)
	tests := []struct {
		name     string
		route    *Route
		want     []string
		problems []string
	}{
		{name: "underscore in an annotated hostname",
			route:    route(hosts("ok.example.com"), annotate(pfx+"hostname", "u_s.example.com"), toGW),
			want:     []string{"ok.example.com A 10.0.0.1", "u_s.example.com HOLD"},
			problems: []string{`hostname "u_s.example.com": not an RFC 1123 hostname`}},
		{name: "IP address as hostname",
			route:    route(annotate(pfx+"hostname", "192.0.2.1"), toGW),
			problems: []string{`hostname "192.0.2.1"`}},
		{name: "gateway of another controller is skipped",
			route: route(hosts("a.example.com"), attach(ParentReference{Name: "foreign"}, true), toGW),
			want:  []string{"a.example.com A 10.0.0.1"}},
		{name: "gateway naming this controller is used",
			route: route(hosts("a.example.com"), attach(ParentReference{Name: "ours"}, true)),
			want:  []string{"a.example.com A 10.0.0.3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := convert(t, tt.route, HTTPRouteKind(), w, Options{})
			check(t, got, problems, tt.want, tt.problems)
		})
	}
}

// TestNamedAddress keeps exodns's rule (rule 6): a NamedAddress is not a
// DNS name, so it is no target; upstream publishes it as a CNAME.
func TestNamedAddress(t *testing.T) {
	g := gw("app", "gw", []string{"10.0.0.1"}, lis("http", ""))
	g.Status.Addresses = append(g.Status.Addresses, GatewayStatusAddress{Type: ptr("NamedAddress"), Value: "pool-a"},
		GatewayStatusAddress{Value: "10.0.0.9"}, GatewayStatusAddress{Type: ptr("Hostname"), Value: ""})
	named := gw("app", "named", nil, lis("http", ""))
	named.Status.Addresses = []GatewayStatusAddress{{Type: ptr("NamedAddress"), Value: "pool-b"}}
	w := world{gateways: []*Gateway{g, named}}
	got, problems := convert(t, route(hosts("a.example.com"), attach(ParentReference{Name: "gw"}, true)), HTTPRouteKind(), w, Options{})
	check(t, got, problems, []string{"a.example.com A 10.0.0.1,10.0.0.9"}, nil)
	got, problems = convert(t, route(hosts("a.example.com"), attach(ParentReference{Name: "named"}, true)), HTTPRouteKind(), w, Options{})
	check(t, got, problems, nil, []string{"nothing published for a.example.com: its Gateways have no IPAddress or Hostname"})
}

func mustKind(t *testing.T, src string) RouteKind {
	t.Helper()
	k, ok := KindForSource(src)
	if !ok {
		t.Fatalf("no kind for %s", src)
	}
	return k
}
