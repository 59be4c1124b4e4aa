package kubesource

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/cache"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/kube"
	"github.com/exodns/exodns/internal/source"
	"github.com/exodns/exodns/internal/source/gateway"
)

// Route publishes the routes of one Gateway API kind (HTTPRoute, GRPCRoute,
// TLSRoute, TCPRoute or UDPRoute) at the addresses of the Gateways, or
// ListenerSets, they attach to. Everything is read through the dynamic
// client: the Gateway API's typed clients would add megabytes to the
// binary for a few dozen fields. The Gateway, ListenerSet and Namespace
// informers are shared by every route kind.
type Route struct {
	kind     gateway.RouteKind
	gvr      schema.GroupVersionResource
	opts     gateway.Options
	reporter source.Reporter
	// SyncTimeout bounds the wait for the first list; zero means
	// DefaultSyncTimeout.
	SyncTimeout time.Duration

	routes, gateways, sets, namespaces cache.SharedIndexInformer
	n                                  notifier
}

// NewHTTPRoute watches HTTPRoutes; see NewRoute.
func NewHTTPRoute(c *kube.Cluster, opts gateway.Options, r source.Reporter) (*Route, error) {
	return NewRoute(c, gateway.HTTPRouteKind(), opts, r)
}

// NewRoute watches routes of one kind, Gateways and Namespaces, and with
// opts.ListenerSets ListenerSets; their CRDs must be installed. Routes are
// watched in --namespace, Gateways in --gateway-namespace (empty: all), as
// upstream does: a route commonly attaches to a shared Gateway in an
// infrastructure namespace. ListenerSets are watched in every namespace,
// since the Gateway filters apply to their Gateways, not to them.
func NewRoute(c *kube.Cluster, kind gateway.RouteKind, opts gateway.Options, r source.Reporter) (*Route, error) {
	gvr, err := resourceForAny(c, kind.Kind, kind.Versions)
	if err != nil {
		return nil, err
	}
	gwGVR, err := c.ResourceFor(gateway.APIVersion, gateway.KindGateway)
	if err != nil {
		return nil, err
	}
	s := &Route{kind: kind, gvr: gvr, opts: opts, reporter: r}
	s.routes, _ = c.DynamicInformer(gvr, keepUnstructured(routeBody, true))
	s.gateways, _ = c.DynamicInformerIn(opts.GatewayNamespace, gwGVR, keepUnstructured(gatewayBody, true))
	s.namespaces, _ = c.DynamicInformerIn("", schema.GroupVersionResource{Version: "v1", Resource: "namespaces"},
		keepUnstructured(namespaceBody, false))
	informers := []cache.SharedIndexInformer{s.routes, s.gateways, s.namespaces}
	if opts.ListenerSets {
		lsGVR, err := c.ResourceFor(gateway.APIVersion, gateway.KindListenerSet)
		if err != nil {
			return nil, fmt.Errorf("%w (--gateway-listener-sets needs Gateway API v1.5 or later)", err)
		}
		s.sets, _ = c.DynamicInformerIn("", lsGVR, keepUnstructured(listenerSetBody, true))
		informers = append(informers, s.sets)
	}
	for _, inf := range informers {
		if err := watch(inf, &s.n, contentChanged); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// resourceForAny finds the first of the versions the cluster serves.
func resourceForAny(c *kube.Cluster, kind string, versions []string) (schema.GroupVersionResource, error) {
	var errs []error
	for _, v := range versions {
		gvr, err := c.ResourceFor(gateway.Group+"/"+v, kind)
		if err == nil {
			return gvr, nil
		}
		errs = append(errs, err)
	}
	return schema.GroupVersionResource{}, errors.Join(errs...)
}

// AddEventHandler implements source.Source.
func (s *Route) AddEventHandler(ctx context.Context, h func()) { s.n.add(ctx, h) }

// Endpoints implements source.Source.
func (s *Route) Endpoints(ctx context.Context) ([]*endpoint.Endpoint, error) {
	synced := []cache.InformerSynced{s.routes.HasSynced, s.gateways.HasSynced, s.namespaces.HasSynced}
	if s.sets != nil {
		synced = append(synced, s.sets.HasSynced)
	}
	what := strings.ToLower(s.kind.Kind) + "s, gateways and namespaces"
	if err := waitSynced(ctx, s.SyncTimeout, what, synced...); err != nil {
		return nil, err
	}
	in := routeInput{routes: sortedObjects(s.routes), gateways: sortedObjects(s.gateways), namespaces: sortedObjects(s.namespaces)}
	if s.sets != nil {
		in.sets = sortedObjects(s.sets)
	}
	return convertRoutes(in, s.kind, s.gvr.GroupVersion().String(), s.opts, s.reporter)
}

// sortedObjects lists an informer's cache by namespace and name, so that
// every reconcile reads the objects in one order.
func sortedObjects(inf cache.SharedIndexInformer) []*unstructured.Unstructured {
	objs := inf.GetIndexer().List()
	out := make([]*unstructured.Unstructured, 0, len(objs))
	for _, o := range objs {
		if u, ok := o.(*unstructured.Unstructured); ok {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b *unstructured.Unstructured) int {
		return strings.Compare(a.GetNamespace()+"/"+a.GetName(), b.GetNamespace()+"/"+b.GetName())
	})
	return out
}

// Lookup implements Lookuper for <kind>/namespace/name, e.g.
// httproute/ns/name.
func (s *Route) Lookup(resource string) (source.ObjectRef, bool) {
	kind, ns, name, ok := source.ParseResource(resource)
	if !ok || kind != s.kind.Resource() {
		return source.ObjectRef{}, false
	}
	o, exists, err := s.routes.GetIndexer().GetByKey(ns + "/" + name)
	if err != nil || !exists {
		return source.ObjectRef{}, false
	}
	u, ok := o.(*unstructured.Unstructured)
	if !ok {
		return source.ObjectRef{}, false
	}
	return s.ref(u), true
}

func (s *Route) ref(u *unstructured.Unstructured) source.ObjectRef {
	return source.ObjectRef{APIVersion: s.gvr.GroupVersion().String(), Kind: s.kind.Kind, Namespace: u.GetNamespace(),
		Name: u.GetName(), UID: string(u.GetUID())}
}
