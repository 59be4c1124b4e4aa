// Package gateway converts Gateway API HTTPRoutes into endpoints.
//
// It is a pure function of the route and the Gateways it names, shared by
// the Kubernetes watch and the tests. A route's records are its hostnames,
// narrowed to what the listeners it attached to accept, pointing at those
// Gateways' addresses. The Gateway's controller decides whether a route may
// attach (namespace selectors, TLS, conflicts); its verdict, the route's
// Accepted condition, is trusted rather than recomputed.
package gateway

import (
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/exodns/exodns/internal/annotations"
	"github.com/exodns/exodns/internal/source"
)

// Kind is the route kind read here.
const Kind = "HTTPRoute"

// Options are the shared source options plus the Gateway filters
// (--gateway-name, --gateway-namespace, --gateway-label-filter).
type Options struct {
	source.Options
	GatewayName        string
	GatewayNamespace   string
	GatewayLabelFilter labels.Selector
}

// GatewayLookup returns the Gateway namespace/name, or nil.
type GatewayLookup func(namespace, name string) *Gateway

// Endpoints returns the records an HTTPRoute asks for, given the Gateways
// that may hold it.
func Endpoints(route *HTTPRoute, gateways GatewayLookup, opts Options) source.Result {
	if route == nil {
		return source.Result{}
	}
	ref := source.NewObjectRef(APIVersion, Kind, &route.ObjectMeta)
	b, ok := source.StartAnnotated(ref, &route.ObjectMeta, opts.Options)
	if !ok {
		return source.Result{}
	}
	hosts := routeHostnames(route, b.Values, opts.Options)
	hosts = append(hosts, b.TemplateHostnames(opts.Options, withTypeMeta(route), len(hosts) > 0)...)
	if len(hosts) == 0 {
		// A route without hostnames takes those of its listeners.
		hosts = []string{""}
	}

	targets := map[string][]string{}
	var order []string
	for _, pr := range route.Spec.ParentRefs {
		gw := parentGateway(route, pr, gateways, opts)
		if gw == nil || !accepted(route, pr) {
			continue
		}
		addrs := addresses(gw)
		for _, l := range gw.Spec.Listeners {
			if !listenerMatches(route, gw, pr, l) {
				continue
			}
			for _, h := range hosts {
				name, ok := Intersect(deref(l.Hostname), h)
				if !ok || name == "" {
					continue
				}
				if _, seen := targets[name]; !seen {
					order = append(order, name)
				}
				targets[name] = appendNew(targets[name], addrs...)
			}
		}
	}
	for _, h := range order {
		b.AddHost(h, opts.Targets(b.Values.Targets, targets[h]))
	}
	return b.Result()
}

// routeHostnames are the route's own hostnames and its hostname annotation,
// as the gateway-hostname-source annotation allows.
func routeHostnames(route *HTTPRoute, v annotations.Values, opts source.Options) []string {
	var defined, annotated []string
	for _, h := range route.Spec.Hostnames {
		if h != "" {
			defined = append(defined, h)
		}
	}
	if !opts.IgnoreHostnameAnnotation {
		annotated = slices.Clone(v.Hostnames)
	}
	switch v.GatewayHostnameSource {
	case annotations.HostnameSourceAnnotationOnly:
		return annotated
	case annotations.HostnameSourceDefinedHostsOnly:
		return defined
	}
	return append(defined, annotated...)
}

// parentGateway resolves a parentRef to a Gateway the filters allow.
func parentGateway(route *HTTPRoute, pr ParentReference, gateways GatewayLookup, opts Options) *Gateway {
	if orDefault(pr.Group, Group) != Group || orDefault(pr.Kind, "Gateway") != "Gateway" || gateways == nil {
		return nil
	}
	ns := orDefault(pr.Namespace, route.Namespace)
	if opts.GatewayNamespace != "" && ns != opts.GatewayNamespace {
		return nil
	}
	if opts.GatewayName != "" && pr.Name != opts.GatewayName {
		return nil
	}
	gw := gateways(ns, pr.Name)
	if gw == nil || (opts.GatewayLabelFilter != nil && !opts.GatewayLabelFilter.Matches(labels.Set(gw.Labels))) {
		return nil
	}
	return gw
}

// accepted reports whether the Gateway's controller accepted the route for
// this parentRef. A route it rejected gets no traffic, so no record.
func accepted(route *HTTPRoute, pr ParentReference) bool {
	for _, ps := range route.Status.Parents {
		if !sameParent(route.Namespace, ps.ParentRef, pr) {
			continue
		}
		for _, c := range ps.Conditions {
			if c.Type == "Accepted" && c.Status == metav1.ConditionTrue {
				return true
			}
		}
	}
	return false
}

func sameParent(routeNS string, a, b ParentReference) bool {
	return orDefault(a.Group, Group) == orDefault(b.Group, Group) &&
		orDefault(a.Kind, "Gateway") == orDefault(b.Kind, "Gateway") &&
		orDefault(a.Namespace, routeNS) == orDefault(b.Namespace, routeNS) &&
		a.Name == b.Name && deref(a.SectionName) == deref(b.SectionName) &&
		derefPort(a.Port) == derefPort(b.Port)
}

// listenerMatches reports whether the parentRef selects the listener and
// the listener takes HTTPRoutes from the route's namespace. A Selector is
// left to the controller's Accepted verdict.
func listenerMatches(route *HTTPRoute, gw *Gateway, pr ParentReference, l Listener) bool {
	if pr.SectionName != nil && *pr.SectionName != l.Name {
		return false
	}
	if pr.Port != nil && *pr.Port != l.Port {
		return false
	}
	var from string
	var kinds []RouteGroupKind
	if l.AllowedRoutes != nil {
		kinds = l.AllowedRoutes.Kinds
		if l.AllowedRoutes.Namespaces != nil {
			from = deref(l.AllowedRoutes.Namespaces.From)
		}
	}
	if (from == "" || from == "Same") && route.Namespace != gw.Namespace {
		return false
	}
	if len(kinds) == 0 {
		return l.Protocol == "HTTP" || l.Protocol == "HTTPS"
	}
	return slices.ContainsFunc(kinds, func(k RouteGroupKind) bool {
		return k.Kind == Kind && orDefault(k.Group, Group) == Group
	})
}

// addresses are the Gateway's published addresses; named addresses are
// not DNS targets.
func addresses(gw *Gateway) []string {
	var out []string
	for _, a := range gw.Status.Addresses {
		if t := deref(a.Type); a.Value != "" && (t == "" || t == "IPAddress" || t == "Hostname") {
			out = append(out, a.Value)
		}
	}
	return out
}

func appendNew(to []string, vs ...string) []string {
	for _, v := range vs {
		if !slices.Contains(to, v) {
			to = append(to, v)
		}
	}
	return to
}

func withTypeMeta(r *HTTPRoute) *HTTPRoute {
	c := *r
	c.TypeMeta = metav1.TypeMeta{APIVersion: APIVersion, Kind: Kind}
	return &c
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefPort(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

func orDefault(s *string, def string) string {
	if s == nil || *s == "" {
		return def
	}
	return *s
}
