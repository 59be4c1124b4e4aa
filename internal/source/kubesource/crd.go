package kubesource

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/cache"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/kube"
	"github.com/exodns/exodns/internal/source"
	"github.com/exodns/exodns/internal/source/dnsendpoint"
)

// CRD publishes DNSEndpoint-shaped custom resources of the configured
// apiVersion and kind (--crd-source-apiversion, --crd-source-kind), read
// through the dynamic client so any publisher of the shape works.
type CRD struct {
	cluster    *kube.Cluster
	opts       source.Options
	reporter   source.Reporter
	apiVersion string
	kind       string
	gvr        schema.GroupVersionResource
	// SyncTimeout bounds the wait for the first list; zero means
	// DefaultSyncTimeout.
	SyncTimeout time.Duration

	informer cache.SharedIndexInformer
	lister   cache.GenericLister
	n        notifier
	changed  tracker

	mu   sync.Mutex
	seen map[string]SeenObject // by namespace/name, from the last Endpoints
}

// SeenObject is what the last Endpoints call read of one object, for its
// status: the generation it converted and the problems it found.
type SeenObject struct {
	Generation int64
	Problems   []string
}

// NewCRD finds the resource in the API server's list of the group
// version's resources (what discovery reads), so the CRD must be
// installed: a missing one is an error now rather than an empty zone later.
func NewCRD(c *kube.Cluster, opts source.Options, r source.Reporter) (*CRD, error) {
	apiVersion, kind := dnsendpoint.APIVersionKind(opts)
	gvr, err := c.ResourceFor(apiVersion, kind)
	if err != nil {
		return nil, err
	}
	s := &CRD{cluster: c, opts: opts, reporter: r, apiVersion: apiVersion, kind: kind, gvr: gvr}
	s.informer, s.lister = c.DynamicInformer(gvr, kube.StripUnstructured())
	if err := watchTracked(s.informer, &s.n, specChanged, &s.changed, false); err != nil {
		return nil, err
	}
	return s, nil
}

// AddEventHandler implements source.Source.
func (s *CRD) AddEventHandler(ctx context.Context, h func()) { s.n.add(ctx, h) }

// Endpoints implements source.Source.
func (s *CRD) Endpoints(ctx context.Context) ([]*endpoint.Endpoint, error) {
	if err := waitSynced(ctx, s.SyncTimeout, s.gvr.Resource, s.informer.HasSynced); err != nil {
		return nil, err
	}
	s.changed.reset() // changes from here on are answered by the next Changes
	objs, err := s.lister.List(labels.Everything())
	if err != nil {
		return nil, err
	}
	seen := make(map[string]SeenObject, len(objs))
	var out []*endpoint.Endpoint
	for _, o := range objs {
		u, ok := o.(*unstructured.Unstructured)
		if !ok {
			continue
		}
		eps, so, ok := s.convert(u)
		if ok {
			seen[u.GetNamespace()+"/"+u.GetName()] = so
		}
		out = append(out, eps...)
	}
	source.SortEndpoints(out)
	s.mu.Lock()
	s.seen = seen
	s.mu.Unlock()
	return out, nil
}

// convert turns one object into its endpoints, reporting its problems;
// ok is false when it is not read (undecodable or not selected).
func (s *CRD) convert(u *unstructured.Unstructured) ([]*endpoint.Endpoint, SeenObject, bool) {
	d, err := dnsendpoint.FromUnstructured(u.Object)
	if err != nil {
		// The API server validated the schema, so this is a CRD
		// whose shape differs from DNSEndpoint's: say which object.
		report(s.reporter, []source.Problem{{Object: s.ref(u), Err: fmt.Errorf("kube: decoding: %w", err)}})
		return nil, SeenObject{}, false
	}
	if !s.opts.Selects(d.Labels, d.Annotations) {
		return nil, SeenObject{}, false
	}
	r := dnsendpoint.Endpoints(d, s.opts)
	report(s.reporter, r.Problems)
	so := SeenObject{Generation: d.Generation}
	for _, p := range r.Problems {
		if p.Kind == source.InvalidInput {
			so.Problems = append(so.Problems, p.Err.Error())
		}
	}
	return r.Endpoints, so, true
}

// Changes implements source.Incremental.
func (s *CRD) Changes(ctx context.Context) (source.Delta, bool, error) {
	return s.changed.delta(s.informer.HasSynced(), func(key, ns, name string) (source.ObjectChange, error) {
		ref := source.ObjectRef{APIVersion: s.apiVersion, Kind: s.kind, Namespace: ns, Name: name}
		ch := source.ObjectChange{Key: dnsendpoint.ResourceLabel(ns, name), Ref: ref}
		o, err := s.lister.ByNamespace(ns).Get(name)
		var so SeenObject
		read := false
		switch {
		case apierrors.IsNotFound(err):
		case err != nil:
			return ch, err
		default:
			u, ok := o.(*unstructured.Unstructured)
			if !ok {
				return ch, errFull
			}
			ch.Ref = s.ref(u)
			ch.Endpoints, so, read = s.convert(u)
		}
		s.mu.Lock()
		if s.seen == nil {
			s.seen = map[string]SeenObject{}
		}
		if read {
			s.seen[key] = so
		} else {
			delete(s.seen, key)
		}
		s.mu.Unlock()
		return ch, nil
	})
}

// LastSeen returns a copy of what the last Endpoints read, by
// namespace/name.
func (s *CRD) LastSeen() map[string]SeenObject {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.seen)
}

// Cached returns an object from the informer's cache.
func (s *CRD) Cached(ns, name string) (*unstructured.Unstructured, error) {
	o, err := s.lister.ByNamespace(ns).Get(name)
	if err != nil {
		return nil, err
	}
	u, ok := o.(*unstructured.Unstructured)
	if !ok {
		return nil, fmt.Errorf("kube: %s/%s is a %T, not unstructured", ns, name, o)
	}
	return u, nil
}

// GVR is the resource the source reads.
func (s *CRD) GVR() schema.GroupVersionResource { return s.gvr }

// Lookup implements Lookuper for crd/namespace/name.
func (s *CRD) Lookup(resource string) (source.ObjectRef, bool) {
	kind, ns, name, ok := source.ParseResource(resource)
	if !ok || kind != "crd" {
		return source.ObjectRef{}, false
	}
	o, err := s.lister.ByNamespace(ns).Get(name)
	if err != nil {
		return source.ObjectRef{}, false
	}
	u, ok := o.(*unstructured.Unstructured)
	if !ok {
		return source.ObjectRef{}, false
	}
	return s.ref(u), true
}

func (s *CRD) ref(u *unstructured.Unstructured) source.ObjectRef {
	return source.ObjectRef{APIVersion: s.apiVersion, Kind: s.kind, Namespace: u.GetNamespace(),
		Name: u.GetName(), UID: string(u.GetUID())}
}

// specChanged skips updates of the status alone, above all exodns's own
// status writes, which would otherwise each trigger another reconcile.
func specChanged(old, new any) bool {
	o, ok1 := old.(*unstructured.Unstructured)
	n, ok2 := new.(*unstructured.Unstructured)
	if !ok1 || !ok2 {
		return true
	}
	return o.GetGeneration() != n.GetGeneration() || !maps.Equal(o.GetLabels(), n.GetLabels()) ||
		!maps.Equal(o.GetAnnotations(), n.GetAnnotations()) ||
		// Objects without a generation (a CRD without the status
		// subresource) change it on no update at all.
		(o.GetGeneration() == 0 && o.GetResourceVersion() != n.GetResourceVersion())
}
