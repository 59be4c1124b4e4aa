package kubesource

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/kube"
	"github.com/exodns/exodns/internal/source"
	"github.com/exodns/exodns/internal/source/service"
)

// Service publishes Services. Nodes are watched only once a NodePort
// Service exists, and Pods only once one has externalTrafficPolicy Local:
// in most clusters Pods are the largest set of objects there is, and
// LoadBalancer Services never need them.
type Service struct {
	cluster  *kube.Cluster
	opts     source.Options
	reporter source.Reporter
	// SyncTimeout bounds the wait for the first list; zero means
	// DefaultSyncTimeout.
	SyncTimeout time.Duration

	services cache.SharedIndexInformer
	lister   corelisters.ServiceLister
	n        notifier
	changed  tracker

	mu         sync.Mutex
	nodes      cache.SharedIndexInformer // nil until needed
	nodeLister corelisters.NodeLister
	pods       cache.SharedIndexInformer // nil until needed
	podLister  corelisters.PodLister
}

// NewService watches the Services of the cluster's namespace (or all).
func NewService(c *kube.Cluster, opts source.Options, r source.Reporter) (*Service, error) {
	inf, lister := c.Services()
	s := &Service{cluster: c, opts: opts, reporter: r, services: inf, lister: lister}
	if err := watchTracked(s.services, &s.n, resourceVersionChanged, &s.changed, false); err != nil {
		return nil, err
	}
	return s, nil
}

// AddEventHandler implements source.Source.
func (s *Service) AddEventHandler(ctx context.Context, h func()) { s.n.add(ctx, h) }

// Endpoints implements source.Source.
func (s *Service) Endpoints(ctx context.Context) ([]*endpoint.Endpoint, error) {
	if err := waitSynced(ctx, s.SyncTimeout, "services", s.services.HasSynced); err != nil {
		return nil, err
	}
	// Changes from here on are answered by the next Changes.
	s.changed.reset()
	svcs, err := s.lister.List(labels.Everything())
	if err != nil {
		return nil, err
	}
	slices.SortFunc(svcs, func(a, b *corev1.Service) int {
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
	nodes, pods, err := s.helpers(ctx, svcs)
	if err != nil {
		return nil, err
	}
	var allNodes []*corev1.Node
	if nodes != nil {
		if allNodes, err = nodes.List(labels.Everything()); err != nil {
			return nil, err
		}
	}
	var out []*endpoint.Endpoint
	for _, svc := range svcs {
		var svcNodes []*corev1.Node
		if svc.Spec.Type == corev1.ServiceTypeNodePort {
			svcNodes = allNodes
			if pods != nil && svc.Spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal {
				// Listing by the Service's selector, as service.Nodes
				// filters, keeps this linear in the Service's own pods.
				ps, err := pods.Pods(svc.Namespace).List(labels.SelectorFromSet(svc.Spec.Selector))
				if err != nil {
					return nil, err
				}
				svcNodes = service.Nodes(svc, ps, allNodes)
			}
		}
		r := service.Endpoints(svc, svcNodes, s.opts)
		report(s.reporter, r.Problems)
		out = append(out, r.Endpoints...)
	}
	return out, nil
}

// Changes implements source.Incremental. A NodePort Service, before or
// after the change, needs the Nodes (and maybe Pods), which a full read
// gathers; so does any Node or Pod event.
func (s *Service) Changes(ctx context.Context) (source.Delta, bool, error) {
	return s.changed.delta(s.services.HasSynced(), func(_, ns, name string) (source.ObjectChange, error) {
		ref := source.ObjectRef{APIVersion: "v1", Kind: "Service", Namespace: ns, Name: name}
		ch := source.ObjectChange{Key: ref.Resource(), Ref: ref}
		svc, err := s.lister.Services(ns).Get(name)
		switch {
		case apierrors.IsNotFound(err):
		case err != nil:
			return ch, err
		case svc.Spec.Type == corev1.ServiceTypeNodePort:
			return ch, errFull
		default:
			r := service.Endpoints(svc, nil, s.opts)
			report(s.reporter, r.Problems)
			ch.Ref = source.NewObjectRef("v1", "Service", &svc.ObjectMeta)
			ch.Endpoints = r.Endpoints
		}
		return ch, nil
	})
}

// helpers starts the Node and Pod informers the first time a Service
// needs them, and waits for them. They then stay: Services come and go,
// and relisting every node each time would cost more than keeping them.
func (s *Service) helpers(ctx context.Context, svcs []*corev1.Service) (corelisters.NodeLister, corelisters.PodLister, error) {
	needNodes, needPods := false, false
	if s.nodePortSelected() {
		for _, svc := range svcs {
			if svc.Spec.Type == corev1.ServiceTypeNodePort {
				needNodes = true
				needPods = needPods || svc.Spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal
			}
		}
	}
	s.mu.Lock()
	started := false
	if needNodes && s.nodes == nil {
		s.nodes, s.nodeLister = s.cluster.Nodes()
		if err := watchTracked(s.nodes, &s.n, nodeChanged, &s.changed, true); err != nil {
			s.mu.Unlock()
			return nil, nil, err
		}
		started = true
	}
	if needPods && s.pods == nil {
		s.pods, s.podLister = s.cluster.Pods()
		if err := watchTracked(s.pods, &s.n, podChanged, &s.changed, true); err != nil {
			s.mu.Unlock()
			return nil, nil, err
		}
		started = true
	}
	nodes, pods, nl, pl := s.nodes, s.pods, s.nodeLister, s.podLister
	s.mu.Unlock()
	if started {
		s.cluster.StartNew()
	}
	if nodes != nil {
		if err := waitSynced(ctx, s.SyncTimeout, "nodes", nodes.HasSynced); err != nil {
			return nil, nil, err
		}
	}
	if pods != nil {
		if err := waitSynced(ctx, s.SyncTimeout, "pods", pods.HasSynced); err != nil {
			return nil, nil, err
		}
	}
	return nl, pl, nil
}

// nodePortSelected reports whether --service-type-filter lets NodePort
// Services through.
func (s *Service) nodePortSelected() bool {
	return len(s.opts.ServiceTypeFilter) == 0 || slices.ContainsFunc(s.opts.ServiceTypeFilter, func(t string) bool {
		return strings.EqualFold(strings.TrimSpace(t), string(corev1.ServiceTypeNodePort))
	})
}

// Lookup implements Lookuper for service/namespace/name.
func (s *Service) Lookup(resource string) (source.ObjectRef, bool) {
	kind, ns, name, ok := source.ParseResource(resource)
	if !ok || kind != "service" {
		return source.ObjectRef{}, false
	}
	return lookup(s.services, "v1", "Service", ns, name)
}

// nodeChanged ignores the status heartbeats of Nodes: their cached form
// keeps only the addresses and labels, so compare those.
func nodeChanged(old, new any) bool {
	o, ok1 := old.(*corev1.Node)
	n, ok2 := new.(*corev1.Node)
	return !ok1 || !ok2 || !reflect.DeepEqual(o.Status.Addresses, n.Status.Addresses) || !reflect.DeepEqual(o.Labels, n.Labels)
}

// podChanged ignores Pod updates that do not move a pod between nodes,
// phases or readiness (restarts, probes, annotations).
func podChanged(old, new any) bool {
	o, ok1 := old.(*corev1.Pod)
	n, ok2 := new.(*corev1.Pod)
	return !ok1 || !ok2 || o.Spec.NodeName != n.Spec.NodeName || o.Status.Phase != n.Status.Phase ||
		(o.DeletionTimestamp == nil) != (n.DeletionTimestamp == nil) ||
		!reflect.DeepEqual(o.Status.Conditions, n.Status.Conditions) || !reflect.DeepEqual(o.Labels, n.Labels)
}
