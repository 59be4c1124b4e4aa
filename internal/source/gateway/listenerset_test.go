package gateway

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// lset is a ListenerSet of a Gateway; accepted is the set's Accepted
// condition, and each listener named in acceptedListeners gets an Accepted
// status of that value (listeners not named have no status yet).
func lset(ns, name, gwNS, gwName string, accepted bool, acceptedListeners map[string]bool, ls ...Listener) *ListenerSet {
	cond := func(ok bool) []metav1.Condition {
		st := metav1.ConditionFalse
		if ok {
			st = metav1.ConditionTrue
		}
		return []metav1.Condition{{Type: "Accepted", Status: st}}
	}
	s := &ListenerSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	s.Spec.ParentRef = ParentGatewayReference{Name: gwName}
	if gwNS != ns {
		s.Spec.ParentRef.Namespace = ptr(gwNS)
	}
	s.Spec.Listeners = ls
	s.Status.Conditions = cond(accepted)
	for l, ok := range acceptedListeners {
		s.Status.Listeners = append(s.Status.Listeners, ListenerEntryStatus{Name: l, Conditions: cond(ok)})
	}
	return s
}

func allowListeners(g *Gateway, what string, match map[string]string) *Gateway {
	g.Spec.AllowedListeners = &AllowedListeners{Namespaces: &RouteNamespaces{From: ptr(what)}}
	if match != nil {
		g.Spec.AllowedListeners.Namespaces.Selector = &metav1.LabelSelector{MatchLabels: match}
	}
	return g
}

// TestListenerSets: with --gateway-listener-sets a route attached to a
// ListenerSet gets the set's listeners and its Gateway's addresses, once
// the Gateway allows the set's namespace and its controller accepted the
// set and the listener.
func TestListenerSets(t *testing.T) {
	https := func(name, host string) Listener { return withProto(lis(name, host), "HTTPS", 443) }
	edge := allowListeners(gw("infra", "edge", []string{"10.0.0.1"}, lis("main", "main.example.com")), "All", nil)
	closed := gw("infra", "closed", []string{"10.0.0.2"}, lis("main", ""))
	sel := allowListeners(gw("infra", "sel", []string{"10.0.0.3"}, lis("main", "")), "Selector", map[string]string{"team": "web"})
	same := allowListeners(gw("infra", "same", []string{"10.0.0.4"}, lis("main", "")), "Same", nil)
	cdn := allowListeners(gw("infra", "cdn", []string{"10.0.0.5"}, lis("main", "")), "All", nil)
	setAnnotations(cdn, pfx+"target", "cdn.example.net")
	yes := map[string]bool{"x": true}
	own := lset("app", "own-target", "infra", "cdn", true, yes, https("x", "x.example.com"))
	setAnnotations(own, pfx+"target", "192.0.2.50")
	w := world{
		gateways: []*Gateway{edge, closed, sel, same, cdn},
		sets: []*ListenerSet{
			lset("app", "ls", "infra", "edge", true, map[string]bool{"x": true, "y": true},
				https("x", "x.example.com"), https("y", "y.example.com")),
			lset("app", "all-ns", "infra", "edge", true, yes, from(https("x", "x.example.com"), "All", nil)),
			lset("app", "unaccepted", "infra", "edge", false, yes, https("x", "x.example.com")),
			lset("app", "pending", "infra", "edge", true, nil, https("x", "x.example.com")),
			lset("app", "refused", "infra", "edge", true, map[string]bool{"x": false}, https("x", "x.example.com")),
			lset("app", "closed", "infra", "closed", true, yes, https("x", "x.example.com")),
			lset("app", "sel", "infra", "sel", true, yes, https("x", "x.example.com")),
			lset("app", "same", "infra", "same", true, yes, https("x", "x.example.com")),
			lset("app", "orphan", "infra", "missing", true, yes, https("x", "x.example.com")),
			lset("app", "inherit", "infra", "cdn", true, yes, https("x", "x.example.com")),
			own,
		},
		namespaces: map[string]map[string]string{"app": {"team": "web"}, "infra": nil, "other": nil},
	}
	on := Options{ListenerSets: true}
	toSet := func(name string, section ...string) routeOpt {
		pr := ParentReference{Kind: ptr(KindListenerSet), Name: name}
		if len(section) > 0 {
			pr.SectionName = ptr(section[0])
		}
		return attach(pr, true)
	}
	tests := []struct {
		name  string
		route *Route
		opts  Options
		want  []string
	}{
		{name: "the set's listeners and the Gateway's addresses",
			route: route(toSet("ls")), opts: on,
			want: []string{"x.example.com A 10.0.0.1", "y.example.com A 10.0.0.1"}},
		{name: "sectionName picks a listener of the set",
			route: route(toSet("ls", "y")), opts: on,
			want: []string{"y.example.com A 10.0.0.1"}},
		{name: "without --gateway-listener-sets nothing",
			route: route(toSet("ls"))},
		{name: "allowedRoutes Same means the set's namespace",
			route: route(inNamespace("other"), attach(ParentReference{Kind: ptr(KindListenerSet), Namespace: ptr("app"), Name: "ls"}, true)),
			opts:  on},
		{name: "allowedRoutes All on the set's listener",
			route: route(inNamespace("other"), attach(ParentReference{Kind: ptr(KindListenerSet), Namespace: ptr("app"), Name: "all-ns"}, true)),
			opts:  on, want: []string{"x.example.com A 10.0.0.1"}},
		{name: "set not accepted", route: route(toSet("unaccepted")), opts: on},
		{name: "listener without status yet", route: route(toSet("pending")), opts: on},
		{name: "listener refused", route: route(toSet("refused")), opts: on},
		{name: "Gateway without allowedListeners", route: route(toSet("closed")), opts: on},
		{name: "allowedListeners Selector matching the set's namespace",
			route: route(toSet("sel")), opts: on, want: []string{"x.example.com A 10.0.0.3"}},
		{name: "allowedListeners Same, set in another namespace", route: route(toSet("same")), opts: on},
		{name: "Gateway missing", route: route(toSet("orphan")), opts: on},
		{name: "the Gateway's target annotation",
			route: route(toSet("inherit")), opts: on, want: []string{"x.example.com CNAME cdn.example.net"}},
		{name: "the set's target annotation wins over the Gateway's",
			route: route(toSet("own-target")), opts: on, want: []string{"x.example.com A 192.0.2.50"}},
		{name: "--gateway-name applies to the set's Gateway",
			route: route(toSet("ls")), opts: Options{ListenerSets: true, GatewayName: "edge"},
			want: []string{"x.example.com A 10.0.0.1", "y.example.com A 10.0.0.1"}},
		{name: "--gateway-name of another Gateway",
			route: route(toSet("ls")), opts: Options{ListenerSets: true, GatewayName: "closed"}},
		{name: "--gateway-namespace leaves the set's Gateway out",
			route: route(toSet("ls")), opts: Options{ListenerSets: true, GatewayNamespace: "app"}},
		{name: "the Gateway's own listeners are not the set's",
			route: route(hosts("main.example.com"), toSet("ls")), opts: on},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := convert(t, tt.route, HTTPRouteKind(), w, tt.opts)
			check(t, got, problems, tt.want, nil)
		})
	}
}

// TestListenerSetInvalidSelector: a Gateway whose allowedListeners selector
// cannot be parsed is reported, and the names its sets would serve are held.
func TestListenerSetInvalidSelector(t *testing.T) {
	g := gw("infra", "edge", []string{"10.0.0.1"})
	g.Spec.AllowedListeners = &AllowedListeners{Namespaces: &RouteNamespaces{From: ptr("Selector"),
		Selector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "a", Operator: "Maybe"}}}}}
	w := world{gateways: []*Gateway{g}, sets: []*ListenerSet{
		lset("app", "ls", "infra", "edge", true, map[string]bool{"x": true}, withProto(lis("x", "x.example.com"), "HTTPS", 443))}}
	r := route(attach(ParentReference{Kind: ptr(KindListenerSet), Name: "ls"}, true))
	got, problems := convert(t, r, HTTPRouteKind(), w, Options{ListenerSets: true})
	check(t, got, problems, []string{"x.example.com HOLD"}, []string{"Gateway infra/edge: spec.allowedListeners.namespaces.selector"})
}
