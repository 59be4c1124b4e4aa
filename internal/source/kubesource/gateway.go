package kubesource

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/cache"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/kube"
	"github.com/exodns/exodns/internal/source"
	"github.com/exodns/exodns/internal/source/gateway"
)

// HTTPRoute publishes gateway.networking.k8s.io/v1 HTTPRoutes at the
// addresses of the Gateways that accepted them. Both are read through the
// dynamic client: the Gateway API's typed clients would add megabytes to
// the binary for a dozen fields.
type HTTPRoute struct {
	opts     gateway.Options
	reporter source.Reporter
	// SyncTimeout bounds the wait for the first list; zero means
	// DefaultSyncTimeout.
	SyncTimeout time.Duration

	routes, gateways           cache.SharedIndexInformer
	routeLister, gatewayLister cache.GenericLister
	n                          notifier
}

// NewHTTPRoute watches HTTPRoutes and Gateways; the Gateway API CRDs must
// be installed. Routes are watched in --namespace, Gateways in
// --gateway-namespace (empty: all), as upstream does: a route commonly
// attaches to a shared Gateway in an infrastructure namespace.
func NewHTTPRoute(c *kube.Cluster, opts gateway.Options, r source.Reporter) (*HTTPRoute, error) {
	routeGVR, err := c.ResourceFor(gateway.APIVersion, gateway.Kind)
	if err != nil {
		return nil, err
	}
	gwGVR, err := c.ResourceFor(gateway.APIVersion, "Gateway")
	if err != nil {
		return nil, err
	}
	s := &HTTPRoute{opts: opts, reporter: r}
	// Rules (matches, filters, backends) are most of a route and never
	// name a host.
	s.routes, s.routeLister = c.DynamicInformer(routeGVR, kube.StripUnstructured([]string{"spec", "rules"}))
	s.gateways, s.gatewayLister = c.DynamicInformerIn(opts.GatewayNamespace, gwGVR, kube.StripUnstructured(
		[]string{"spec", "infrastructure"}, []string{"status", "listeners"}))
	for _, inf := range []cache.SharedIndexInformer{s.routes, s.gateways} {
		if err := watch(inf, &s.n, resourceVersionChanged); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// AddEventHandler implements source.Source.
func (s *HTTPRoute) AddEventHandler(ctx context.Context, h func()) { s.n.add(ctx, h) }

// Endpoints implements source.Source.
func (s *HTTPRoute) Endpoints(ctx context.Context) ([]*endpoint.Endpoint, error) {
	if err := waitSynced(ctx, s.SyncTimeout, "httproutes and gateways",
		s.routes.HasSynced, s.gateways.HasSynced); err != nil {
		return nil, err
	}
	gws, err := s.gatewayIndex()
	if err != nil {
		return nil, err
	}
	lookup := func(ns, name string) *gateway.Gateway { return gws[ns+"/"+name] }
	objs, err := s.routeLister.List(labels.Everything())
	if err != nil {
		return nil, err
	}
	routes := make([]*unstructured.Unstructured, 0, len(objs))
	for _, o := range objs {
		if u, ok := o.(*unstructured.Unstructured); ok {
			routes = append(routes, u)
		}
	}
	slices.SortFunc(routes, func(a, b *unstructured.Unstructured) int {
		return strings.Compare(a.GetNamespace()+"/"+a.GetName(), b.GetNamespace()+"/"+b.GetName())
	})
	var out []*endpoint.Endpoint
	for _, u := range routes {
		rt, err := gateway.RouteFromUnstructured(u.Object)
		if err != nil {
			report(s.reporter, []source.Problem{{Object: routeRef(u), Err: fmt.Errorf("kube: decoding: %w", err)}})
			continue
		}
		r := gateway.Endpoints(rt, lookup, s.opts)
		report(s.reporter, r.Problems)
		out = append(out, r.Endpoints...)
	}
	return out, nil
}

// gatewayIndex converts every Gateway once per reconcile, rather than
// once per route that names it.
func (s *HTTPRoute) gatewayIndex() (map[string]*gateway.Gateway, error) {
	objs, err := s.gatewayLister.List(labels.Everything())
	if err != nil {
		return nil, err
	}
	out := make(map[string]*gateway.Gateway, len(objs))
	for _, o := range objs {
		u, ok := o.(*unstructured.Unstructured)
		if !ok {
			continue
		}
		g, err := gateway.GatewayFromUnstructured(u.Object)
		if err != nil {
			// A Gateway of the wrong shape serves no route; the routes
			// naming it then yield nothing, as for a missing one.
			continue
		}
		out[g.Namespace+"/"+g.Name] = g
	}
	return out, nil
}

// Lookup implements Lookuper for httproute/namespace/name.
func (s *HTTPRoute) Lookup(resource string) (source.ObjectRef, bool) {
	kind, ns, name, ok := source.ParseResource(resource)
	if !ok || kind != "httproute" {
		return source.ObjectRef{}, false
	}
	o, err := s.routeLister.ByNamespace(ns).Get(name)
	if err != nil {
		return source.ObjectRef{}, false
	}
	u, ok := o.(*unstructured.Unstructured)
	if !ok {
		return source.ObjectRef{}, false
	}
	return routeRef(u), true
}

func routeRef(u *unstructured.Unstructured) source.ObjectRef {
	return source.ObjectRef{APIVersion: gateway.APIVersion, Kind: gateway.Kind, Namespace: u.GetNamespace(),
		Name: u.GetName(), UID: string(u.GetUID())}
}
