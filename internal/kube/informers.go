package kube

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	corelisters "k8s.io/client-go/listers/core/v1"
	networkinglisters "k8s.io/client-go/listers/networking/v1"
	"k8s.io/client-go/tools/cache"
)

// The kinds read into typed objects, each through its wire type.
var (
	services = kindOf[serviceWire](schema.GroupVersionResource{Version: "v1", Resource: "services"},
		func() runtime.Object { return &corev1.Service{} })
	// The service source lists a NodePort Service's pods by namespace.
	pods = kindOf[podWire](schema.GroupVersionResource{Version: "v1", Resource: "pods"},
		func() runtime.Object { return &corev1.Pod{} }).indexedByNamespace()
	nodes = kindOf[nodeWire](schema.GroupVersionResource{Version: "v1", Resource: "nodes"},
		func() runtime.Object { return &corev1.Node{} })
	configMaps = kindOf[configMapWire](schema.GroupVersionResource{Version: "v1", Resource: "configmaps"},
		func() runtime.Object { return &corev1.ConfigMap{} })
	ingresses = kindOf[ingressWire](schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"},
		func() runtime.Object { return &networkingv1.Ingress{} })
)

// newInformer builds an informer, indexed by namespace if byNamespace,
// whose objects pass through transform before they are cached.
func newInformer(lw *cache.ListWatch, example runtime.Object, transform cache.TransformFunc, byNamespace bool) cache.SharedIndexInformer {
	indexers := cache.Indexers{}
	if byNamespace {
		indexers[cache.NamespaceIndex] = cache.MetaNamespaceIndexFunc
	}
	inf := cache.NewSharedIndexInformer(lw, example, 0, indexers)
	// Only fails once the informer runs, and it has not been started.
	_ = inf.SetTransform(transform)
	return inf
}

// typed returns the shared informer of k in namespace ns.
func (c *Cluster) typed(k kind, ns string) cache.SharedIndexInformer {
	return c.shared(ns+"/"+k.gvr.String(), func() cache.SharedIndexInformer {
		return newInformer(c.watchClient.listWatch(k, ns, nil), k.newObject(), Transform, k.byNamespace)
	})
}

func (c *Cluster) slim() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slimObjects
}

// Services returns the shared Service informer of the cluster's namespace.
func (c *Cluster) Services() (cache.SharedIndexInformer, corelisters.ServiceLister) {
	if c.slim() {
		inf := c.typed(slimServices, c.Namespace)
		return inf, newServiceLister(inf.GetIndexer())
	}
	inf := c.typed(services, c.Namespace)
	return inf, corelisters.NewServiceLister(inf.GetIndexer())
}

// Pods returns the shared Pod informer of the cluster's namespace; its
// Pods are cut down as Transform cuts them, already when decoded.
func (c *Cluster) Pods() (cache.SharedIndexInformer, corelisters.PodLister) {
	inf := c.typed(pods, c.Namespace)
	return inf, corelisters.NewPodLister(inf.GetIndexer())
}

// Nodes returns the shared Node informer; Nodes have no namespace.
func (c *Cluster) Nodes() (cache.SharedIndexInformer, corelisters.NodeLister) {
	inf := c.typed(nodes, "")
	return inf, corelisters.NewNodeLister(inf.GetIndexer())
}

// Ingresses returns the shared Ingress informer of the cluster's namespace.
func (c *Cluster) Ingresses() (cache.SharedIndexInformer, networkinglisters.IngressLister) {
	if c.slim() {
		inf := c.typed(slimIngresses, c.Namespace)
		return inf, newIngressLister(inf.GetIndexer())
	}
	inf := c.typed(ingresses, c.Namespace)
	return inf, networkinglisters.NewIngressLister(inf.GetIndexer())
}

// DynamicInformer returns the shared informer of a resource read as
// unstructured objects in the cluster's namespace (or all), stripped by
// transform (which should start with StripUnstructured). The transform of
// the first call for a resource wins.
func (c *Cluster) DynamicInformer(gvr schema.GroupVersionResource, transform cache.TransformFunc) (cache.SharedIndexInformer, cache.GenericLister) {
	return c.DynamicInformerIn(c.Namespace, gvr, transform)
}

// DynamicInformerIn is DynamicInformer for another namespace scope, for
// objects that live apart from the watched ones (Gateways that routes of
// the watched namespace attach to). Empty means all namespaces.
func (c *Cluster) DynamicInformerIn(namespace string, gvr schema.GroupVersionResource, transform cache.TransformFunc) (cache.SharedIndexInformer, cache.GenericLister) {
	inf := c.shared("dynamic:"+namespace+"/"+gvr.String(), func() cache.SharedIndexInformer {
		r := c.watchDynamic.Resource(gvr).Namespace(namespace)
		return newInformer(&cache.ListWatch{
			ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return r.List(ctx, o) },
			WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
				return r.Watch(ctx, o)
			},
		}, &unstructured.Unstructured{}, transform, true)
	})
	return inf, cache.NewGenericLister(inf.GetIndexer(), gvr.GroupResource())
}
