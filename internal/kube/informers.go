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

// listWatch adapts a typed or dynamic List and Watch to an informer.
func listWatch(list func(context.Context, metav1.ListOptions) (runtime.Object, error),
	w func(context.Context, metav1.ListOptions) (watch.Interface, error)) *cache.ListWatch {
	return &cache.ListWatch{ListWithContextFunc: list, WatchFuncWithContext: w}
}

// newInformer builds a namespace-indexed informer whose objects pass
// through transform before they are cached.
func newInformer(lw *cache.ListWatch, example runtime.Object, transform cache.TransformFunc) cache.SharedIndexInformer {
	inf := cache.NewSharedIndexInformer(lw, example, 0, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	// Only fails once the informer runs, and it has not been started.
	_ = inf.SetTransform(transform)
	return inf
}

// Services returns the shared Service informer of the cluster's namespace.
func (c *Cluster) Services() (cache.SharedIndexInformer, corelisters.ServiceLister) {
	inf := c.shared("services", func() cache.SharedIndexInformer {
		s := c.watchClients.Core.Services(c.Namespace)
		return newInformer(listWatch(
			func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return s.List(ctx, o) },
			s.Watch), &corev1.Service{}, Transform)
	})
	return inf, corelisters.NewServiceLister(inf.GetIndexer())
}

// Pods returns the shared Pod informer of the cluster's namespace; its
// Pods are cut down by Transform.
func (c *Cluster) Pods() (cache.SharedIndexInformer, corelisters.PodLister) {
	inf := c.shared("pods", func() cache.SharedIndexInformer {
		s := c.watchClients.Core.Pods(c.Namespace)
		return newInformer(listWatch(
			func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return s.List(ctx, o) },
			s.Watch), &corev1.Pod{}, Transform)
	})
	return inf, corelisters.NewPodLister(inf.GetIndexer())
}

// Nodes returns the shared Node informer; Nodes have no namespace.
func (c *Cluster) Nodes() (cache.SharedIndexInformer, corelisters.NodeLister) {
	inf := c.shared("nodes", func() cache.SharedIndexInformer {
		s := c.watchClients.Core.Nodes()
		return newInformer(listWatch(
			func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return s.List(ctx, o) },
			s.Watch), &corev1.Node{}, Transform)
	})
	return inf, corelisters.NewNodeLister(inf.GetIndexer())
}

// Ingresses returns the shared Ingress informer of the cluster's namespace.
func (c *Cluster) Ingresses() (cache.SharedIndexInformer, networkinglisters.IngressLister) {
	inf := c.shared("ingresses", func() cache.SharedIndexInformer {
		s := c.watchClients.Networking.Ingresses(c.Namespace)
		return newInformer(listWatch(
			func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return s.List(ctx, o) },
			s.Watch), &networkingv1.Ingress{}, Transform)
	})
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
	inf := c.shared(namespace+"/"+gvr.String(), func() cache.SharedIndexInformer {
		r := c.watchDynamic.Resource(gvr).Namespace(namespace)
		return newInformer(listWatch(
			func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return r.List(ctx, o) },
			r.Watch), &unstructured.Unstructured{}, transform)
	})
	return inf, cache.NewGenericLister(inf.GetIndexer(), gvr.GroupResource())
}
