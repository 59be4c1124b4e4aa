package kubesource

import (
	"context"
	"slices"
	"strings"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	networkinglisters "k8s.io/client-go/listers/networking/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/kube"
	"github.com/exodns/exodns/internal/source"
	"github.com/exodns/exodns/internal/source/ingress"
)

// Ingress publishes networking.k8s.io/v1 Ingresses; --ingress-class is
// applied by the conversion (source.Options.IngressClassNames).
type Ingress struct {
	opts     source.Options
	reporter source.Reporter
	// SyncTimeout bounds the wait for the first list; zero means
	// DefaultSyncTimeout.
	SyncTimeout time.Duration

	informer cache.SharedIndexInformer
	lister   networkinglisters.IngressLister
	n        notifier
	changed  tracker
}

// NewIngress watches the Ingresses of the cluster's namespace (or all).
func NewIngress(c *kube.Cluster, opts source.Options, r source.Reporter) (*Ingress, error) {
	inf, lister := c.Ingresses()
	s := &Ingress{opts: opts, reporter: r, informer: inf, lister: lister}
	if err := watchTracked(s.informer, &s.n, resourceVersionChanged, &s.changed, false); err != nil {
		return nil, err
	}
	return s, nil
}

// AddEventHandler implements source.Source.
func (s *Ingress) AddEventHandler(ctx context.Context, h func()) { s.n.add(ctx, h) }

// Endpoints implements source.Source.
func (s *Ingress) Endpoints(ctx context.Context) ([]*endpoint.Endpoint, error) {
	if err := waitSynced(ctx, s.SyncTimeout, "ingresses", s.informer.HasSynced); err != nil {
		return nil, err
	}
	s.changed.reset() // changes from here on are answered by the next Changes
	ings, err := s.lister.List(labels.Everything())
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ings, func(a, b *networkingv1.Ingress) int {
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
	var out []*endpoint.Endpoint
	for _, ing := range ings {
		r := ingress.Endpoints(ing, s.opts)
		report(s.reporter, r.Problems)
		out = append(out, r.Endpoints...)
	}
	return out, nil
}

// Changes implements source.Incremental.
func (s *Ingress) Changes(ctx context.Context) (source.Delta, bool, error) {
	return s.changed.delta(s.informer.HasSynced(), func(_, ns, name string) (source.ObjectChange, error) {
		ref := source.ObjectRef{APIVersion: "networking.k8s.io/v1", Kind: "Ingress", Namespace: ns, Name: name}
		ch := source.ObjectChange{Key: ref.Resource(), Ref: ref}
		ing, err := s.lister.Ingresses(ns).Get(name)
		switch {
		case apierrors.IsNotFound(err):
		case err != nil:
			return ch, err
		default:
			r := ingress.Endpoints(ing, s.opts)
			report(s.reporter, r.Problems)
			ch.Ref = source.NewObjectRef("networking.k8s.io/v1", "Ingress", &ing.ObjectMeta)
			ch.Endpoints = r.Endpoints
		}
		return ch, nil
	})
}

// Lookup implements Lookuper for ingress/namespace/name.
func (s *Ingress) Lookup(resource string) (source.ObjectRef, bool) {
	kind, ns, name, ok := source.ParseResource(resource)
	if !ok || kind != "ingress" {
		return source.ObjectRef{}, false
	}
	return lookup(s.informer, "networking.k8s.io/v1", "Ingress", ns, name)
}
