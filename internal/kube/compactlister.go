package kube

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	corelisters "k8s.io/client-go/listers/core/v1"
	networkinglisters "k8s.io/client-go/listers/networking/v1"
	"k8s.io/client-go/tools/cache"
)

// The listers of the slim informers give the sources API objects made
// from the compact ones they cache (compact.go), so the sources read
// Services and Ingresses as from any lister. An object of the API type
// found in the cache (one a test put there) is handed out as it is.

// compactLister lists the objects of an indexer as T, through conv.
type compactLister[T any] struct {
	indexer  cache.Indexer
	resource schema.GroupResource
	conv     func(any) (T, bool)
}

func (l compactLister[T]) List(selector labels.Selector) (out []T, err error) {
	err = cache.ListAll(l.indexer, selector, func(o any) {
		if v, ok := l.conv(o); ok {
			out = append(out, v)
		}
	})
	return out, err
}

// namespaceLister is a compactLister's view of one namespace.
type namespaceLister[T any] struct {
	l  compactLister[T]
	ns string
}

func (n namespaceLister[T]) List(selector labels.Selector) (out []T, err error) {
	err = cache.ListAllByNamespace(n.l.indexer, n.ns, selector, func(o any) {
		if v, ok := n.l.conv(o); ok {
			out = append(out, v)
		}
	})
	return out, err
}

func (n namespaceLister[T]) Get(name string) (T, error) {
	var zero T
	o, found, err := n.l.indexer.GetByKey(n.ns + "/" + name)
	if err != nil {
		return zero, err
	}
	v, ok := n.l.conv(o)
	if !found || !ok {
		return zero, apierrors.NewNotFound(n.l.resource, name)
	}
	return v, nil
}

func asService(o any) (*corev1.Service, bool) {
	switch s := o.(type) {
	case *compactService:
		return s.service(), true
	case *corev1.Service:
		return s, true
	}
	return nil, false
}

func asIngress(o any) (*networkingv1.Ingress, bool) {
	switch g := o.(type) {
	case *compactIngress:
		return g.ingress(), true
	case *networkingv1.Ingress:
		return g, true
	}
	return nil, false
}

type serviceLister struct{ compactLister[*corev1.Service] }

func newServiceLister(ix cache.Indexer) corelisters.ServiceLister {
	return serviceLister{compactLister[*corev1.Service]{ix, corev1.Resource("service"), asService}}
}

func (l serviceLister) Services(namespace string) corelisters.ServiceNamespaceLister {
	return namespaceLister[*corev1.Service]{l.compactLister, namespace}
}

type ingressLister struct {
	compactLister[*networkingv1.Ingress]
}

func newIngressLister(ix cache.Indexer) networkinglisters.IngressLister {
	return ingressLister{compactLister[*networkingv1.Ingress]{ix, networkingv1.Resource("ingress"), asIngress}}
}

func (l ingressLister) Ingresses(namespace string) networkinglisters.IngressNamespaceLister {
	return namespaceLister[*networkingv1.Ingress]{l.compactLister, namespace}
}
