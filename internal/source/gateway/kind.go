package gateway

import (
	"slices"
	"strings"
)

// RouteKind is what differs between the route kinds: which listeners take
// them, whether they carry hostnames, and which API versions serve them.
type RouteKind struct {
	// Kind is the object kind, e.g. HTTPRoute; lowercased, it starts the
	// ownership record's resource label (httproute/ns/name), as upstream
	// writes it.
	Kind string
	// Source is the --source value that reads this kind.
	Source string
	// Protocols are the listener protocols the kind attaches to. HTTPS is
	// HTTP with TLS; a TLS listener in Terminate mode carries TCPRoutes.
	Protocols []string
	// SpecHostnames is false for TCP and UDP routes, which have none: they
	// are named by the hostname annotation (or --fqdn-template) alone.
	SpecHostnames bool
	// Versions are the API versions to read, preferred first. Gateway API
	// v1.5 and v1.6 promoted TLS, TCP and UDP routes to v1; older
	// experimental-channel CRDs serve only the alpha versions.
	Versions []string
}

// Resource is the kind's part of the resource label.
func (k RouteKind) Resource() string { return strings.ToLower(k.Kind) }

// takes reports whether a listener of this protocol carries the kind.
func (k RouteKind) takes(protocol string) bool { return slices.Contains(k.Protocols, protocol) }

// RouteKinds lists every route kind, in the order of their --source names.
func RouteKinds() []RouteKind {
	return []RouteKind{
		{Kind: "GRPCRoute", Source: "gateway-grpcroute", Protocols: []string{"HTTP", "HTTPS"}, SpecHostnames: true,
			Versions: []string{"v1"}},
		{Kind: "HTTPRoute", Source: "gateway-httproute", Protocols: []string{"HTTP", "HTTPS"}, SpecHostnames: true,
			Versions: []string{"v1"}},
		{Kind: "TCPRoute", Source: "gateway-tcproute", Protocols: []string{"TCP", "TLS"},
			Versions: []string{"v1", "v1alpha2"}},
		{Kind: "TLSRoute", Source: "gateway-tlsroute", Protocols: []string{"TLS"}, SpecHostnames: true,
			Versions: []string{"v1", "v1alpha3", "v1alpha2"}},
		{Kind: "UDPRoute", Source: "gateway-udproute", Protocols: []string{"UDP"},
			Versions: []string{"v1", "v1alpha2"}},
	}
}

// KindForSource returns the route kind a --source value reads.
func KindForSource(source string) (RouteKind, bool) {
	for _, k := range RouteKinds() {
		if k.Source == source {
			return k, true
		}
	}
	return RouteKind{}, false
}

// HTTPRouteKind is the kind of --source=gateway-httproute.
func HTTPRouteKind() RouteKind {
	k, _ := KindForSource("gateway-httproute")
	return k
}
