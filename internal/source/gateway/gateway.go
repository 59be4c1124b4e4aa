// Package gateway converts Gateway API routes (HTTP, GRPC, TLS, TCP and UDP)
// into endpoints.
//
// It is a pure function of a route and the Gateways and ListenerSets it
// attaches to, shared by the Kubernetes watch and the tests. A route's
// records are its hostnames, narrowed to what the listeners it attached to
// accept, pointing at those Gateways' addresses (or their target
// annotation). The rules follow upstream external-dns; docs/gateway.md
// lists them and the few places where exodns differs on purpose.
package gateway

import (
	"fmt"
	"net/netip"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/exodns/exodns/internal/source"
)

// Options are the shared source options plus the Gateway filters
// (--gateway-name, --gateway-namespace, --gateway-label-filter) and
// --gateway-listener-sets.
type Options struct {
	source.Options
	GatewayName        string
	GatewayNamespace   string
	GatewayLabelFilter labels.Selector
	// ListenerSets lets routes attach to ListenerSets, which add listeners
	// to a Gateway from another object.
	ListenerSets bool
}

// Endpoints returns the records a route of the given kind asks for, given
// the parents it may attach to.
func Endpoints(route *Route, kind RouteKind, parents *Parents, opts Options) source.Result {
	if route == nil {
		return source.Result{}
	}
	ref := source.NewObjectRef(apiVersionOf(route), kind.Kind, &route.ObjectMeta)
	b, ok := source.StartAnnotated(ref, &route.ObjectMeta, opts.Options)
	if !ok {
		return source.Result{}
	}
	b.EmptyReason = "its Gateways have no IPAddress or Hostname in status.addresses yet, and no target annotation"
	var hosts []string
	for _, h := range routeHostnames(route, kind, b, opts.Options) {
		if validHost(h) {
			hosts = append(hosts, h)
			continue
		}
		// Upstream drops it; exodns says so and keeps whatever exists
		// under the name.
		b.Report(fmt.Errorf("hostname %q: not an RFC 1123 hostname, as the Gateway API requires", h))
		if _, err := netip.ParseAddr(h); err != nil {
			b.Hold(h)
		}
	}

	targets := map[string][]string{}
	var order []string
	for _, pr := range route.Spec.ParentRefs {
		p := parents.lookup(route.Namespace, pr)
		if p == nil || !accepted(route, pr) {
			continue
		}
		for _, l := range p.listeners {
			if !l.attached {
				continue
			}
			if (pr.SectionName != nil && *pr.SectionName != l.Name) || (pr.Port != nil && *pr.Port != l.Port) ||
				!kind.takes(l.Protocol) {
				continue
			}
			ok, undecided := parents.admits(p, l, kind, route.Namespace)
			undecided = undecided || p.undecided
			if !ok && !undecided {
				continue
			}
			for _, h := range hosts {
				if h == "" && l.Hostname == nil {
					// Neither names a host: nothing to publish.
					continue
				}
				name, match := Intersect(deref(l.Hostname), h)
				if !match || name == "" {
					continue
				}
				if undecided {
					// Invalid input on the parent: whether this name is
					// served is unknown, so what exists stays.
					b.Hold(name)
					continue
				}
				if _, seen := targets[name]; !seen {
					order = append(order, name)
				}
				targets[name] = appendNew(targets[name], p.targets...)
			}
		}
	}
	for _, h := range order {
		b.AddHost(h, opts.Targets(nil, targets[h]))
	}
	return b.Result()
}

// accepted reports whether the parent's controller accepted the route for
// this parentRef. The status parentRef must repeat the spec's exactly,
// sectionName and port included: Accepted for one listener says nothing
// about another.
func accepted(route *Route, pr ParentReference) bool {
	for _, ps := range route.Status.Parents {
		if sameParent(route.Namespace, ps.ParentRef, pr) {
			return conditionTrue(ps.Conditions, "Accepted")
		}
	}
	return false
}

func sameParent(routeNS string, a, b ParentReference) bool {
	return orDefault(a.Group, Group) == orDefault(b.Group, Group) &&
		orDefault(a.Kind, KindGateway) == orDefault(b.Kind, KindGateway) &&
		orDefault(a.Namespace, routeNS) == orDefault(b.Namespace, routeNS) &&
		a.Name == b.Name && deref(a.SectionName) == deref(b.SectionName) &&
		derefPort(a.Port) == derefPort(b.Port)
}

func appendNew(to []string, vs ...string) []string {
	for _, v := range vs {
		if !contains(to, v) {
			to = append(to, v)
		}
	}
	return to
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// apiVersionOf is the version the route was read in; informers fill it.
func apiVersionOf(r *Route) string {
	if r.APIVersion != "" {
		return r.APIVersion
	}
	return APIVersion
}

// withTypeMeta sets the kind for --fqdn-template, which may use .Kind.
func withTypeMeta(r *Route, kind RouteKind) *Route {
	c := *r
	c.TypeMeta = metav1.TypeMeta{APIVersion: apiVersionOf(r), Kind: kind.Kind}
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
