package gateway

import (
	"encoding/json"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// TestTypesMatchGatewayAPI decodes objects built with the Gateway API
// module's own types (tests only: the binary does not link it) into the
// minimal types here, so a misspelt JSON name fails a test rather than
// silently reading nothing.
func TestTypesMatchGatewayAPI(t *testing.T) {
	sec, port := gwv1.SectionName("https"), gwv1.PortNumber(443)
	ns, kind, group := gwv1.Namespace("infra"), gwv1.Kind("ListenerSet"), gwv1.Group(Group)
	host := gwv1.Hostname("*.example.com")
	from, addrType := gwv1.NamespacesFromSelector, gwv1.HostnameAddressType
	listener := gwv1.Listener{Name: "https", Hostname: &host, Port: 443, Protocol: gwv1.HTTPSProtocolType,
		AllowedRoutes: &gwv1.AllowedRoutes{
			Namespaces: &gwv1.RouteNamespaces{From: &from, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"a": "b"}}},
			Kinds:      []gwv1.RouteGroupKind{{Group: &group, Kind: "HTTPRoute"}}}}
	parentRef := gwv1.ParentReference{Group: &group, Kind: &kind, Namespace: &ns, Name: "edge", SectionName: &sec, Port: &port}

	var route Route
	decode(t, gwv1.HTTPRoute{
		TypeMeta:   metav1.TypeMeta{APIVersion: APIVersion, Kind: "HTTPRoute"},
		ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: "web"},
		Spec: gwv1.HTTPRouteSpec{CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{parentRef}},
			Hostnames: []gwv1.Hostname{"a.example.com"}},
		Status: gwv1.HTTPRouteStatus{RouteStatus: gwv1.RouteStatus{Parents: []gwv1.RouteParentStatus{{ParentRef: parentRef,
			ControllerName: "example.com/gw", Conditions: []metav1.Condition{{Type: "Accepted", Status: metav1.ConditionTrue}}}}}},
	}, &route)
	pr := route.Spec.ParentRefs[0]
	if route.Spec.Hostnames[0] != "a.example.com" || *pr.Group != Group || *pr.Kind != "ListenerSet" || *pr.Namespace != "infra" ||
		pr.Name != "edge" || *pr.SectionName != "https" || *pr.Port != 443 ||
		!sameParent("app", route.Status.Parents[0].ParentRef, pr) || !accepted(&route, pr) {
		t.Errorf("route %+v", route)
	}

	var tcp Route
	decode(t, gwv1.TCPRoute{Spec: gwv1.TCPRouteSpec{CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{{Name: "edge"}}}}}, &tcp)
	if len(tcp.Spec.ParentRefs) != 1 || tcp.Spec.ParentRefs[0].Name != "edge" {
		t.Errorf("tcp route %+v", tcp)
	}

	var g Gateway
	decode(t, gwv1.Gateway{
		Spec: gwv1.GatewaySpec{GatewayClassName: "c", Listeners: []gwv1.Listener{listener},
			AllowedListeners: &gwv1.AllowedListeners{Namespaces: &gwv1.ListenerNamespaces{From: &from,
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"c": "d"}}}}},
		Status: gwv1.GatewayStatus{Addresses: []gwv1.GatewayStatusAddress{{Type: &addrType, Value: "lb.example.net"}}},
	}, &g)
	l := g.Spec.Listeners[0]
	if l.Name != "https" || *l.Hostname != "*.example.com" || l.Port != 443 || l.Protocol != "HTTPS" ||
		*l.AllowedRoutes.Namespaces.From != "Selector" || l.AllowedRoutes.Namespaces.Selector.MatchLabels["a"] != "b" ||
		*l.AllowedRoutes.Kinds[0].Group != Group || l.AllowedRoutes.Kinds[0].Kind != "HTTPRoute" ||
		*g.Spec.AllowedListeners.Namespaces.From != "Selector" || g.Spec.AllowedListeners.Namespaces.Selector.MatchLabels["c"] != "d" ||
		*g.Status.Addresses[0].Type != "Hostname" || g.Status.Addresses[0].Value != "lb.example.net" {
		t.Errorf("gateway %+v", g)
	}

	var ls ListenerSet
	gwKind := gwv1.Kind("Gateway")
	decode(t, gwv1.ListenerSet{
		Spec: gwv1.ListenerSetSpec{ParentRef: gwv1.ParentGatewayReference{Group: &group, Kind: &gwKind, Namespace: &ns, Name: "edge"},
			Listeners: []gwv1.ListenerEntry{{Name: "x", Hostname: &host, Port: 8443, Protocol: gwv1.TLSProtocolType}}},
		Status: gwv1.ListenerSetStatus{Conditions: []metav1.Condition{{Type: "Accepted", Status: metav1.ConditionTrue}},
			Listeners: []gwv1.ListenerEntryStatus{{Name: "x", Conditions: []metav1.Condition{{Type: "Accepted", Status: metav1.ConditionTrue}}}}},
	}, &ls)
	if p := ls.Spec.ParentRef; *p.Group != Group || *p.Kind != "Gateway" || *p.Namespace != "infra" || p.Name != "edge" ||
		ls.Spec.Listeners[0].Port != 8443 || ls.Spec.Listeners[0].Protocol != "TLS" ||
		!conditionTrue(ls.Status.Conditions, "Accepted") || !conditionTrue(ls.Status.Listeners[0].Conditions, "Accepted") {
		t.Errorf("listener set %+v", ls)
	}
}

// decode goes the way the informers go: JSON to a map, then the converter.
func decode(t *testing.T, upstream, into any) {
	t.Helper()
	b, err := json.Marshal(upstream)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if err := fromUnstructured(m, into); err != nil {
		t.Fatal(err)
	}
}
