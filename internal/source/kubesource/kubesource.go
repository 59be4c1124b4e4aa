// Package kubesource holds the sources that watch a Kubernetes cluster:
// Services, Ingresses, DNSEndpoint-shaped custom resources and Gateway API
// routes. Each reads only from its informers' caches and converts with
// the pure functions of internal/source/{service,ingress,dnsendpoint,gateway},
// so what the cluster source publishes is exactly what those tests pin down.
//
// Construct every source, then call Cluster.Start once; Endpoints waits for
// the caches to fill before its first answer.
package kubesource

import (
	"context"
	"fmt"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/exodns/exodns/internal/kube"
	"github.com/exodns/exodns/internal/source"
)

// lookup is the object ref of the cached object ns/name of inf, read
// through its metadata: the cache may hold compact objects, which the
// listers convert to API types on each read, and an Event per applied
// change needs only the name and UID.
func lookup(inf cache.SharedIndexInformer, apiVersion, kind, ns, name string) (source.ObjectRef, bool) {
	obj, found, err := inf.GetIndexer().GetByKey(ns + "/" + name)
	if err != nil || !found {
		return source.ObjectRef{}, false
	}
	m, ok := obj.(metav1.Object)
	if !ok {
		return source.ObjectRef{}, false
	}
	return source.ObjectRef{APIVersion: apiVersion, Kind: kind, Namespace: m.GetNamespace(), Name: m.GetName(), UID: string(m.GetUID())}, true
}

// DefaultSyncTimeout bounds the wait for the first list of a kind, so a
// watch the RBAC rules forbid fails the reconcile with a reason instead of
// hanging it.
const DefaultSyncTimeout = 2 * time.Minute

// notifier fans informer events out to the handlers the controller
// registered. Informers may be created before or after AddEventHandler.
type notifier struct {
	mu       sync.Mutex
	next     int
	handlers map[int]func()
}

func (n *notifier) add(ctx context.Context, h func()) {
	n.mu.Lock()
	if n.handlers == nil {
		n.handlers = map[int]func(){}
	}
	id := n.next
	n.next++
	n.handlers[id] = h
	n.mu.Unlock()
	context.AfterFunc(ctx, func() {
		n.mu.Lock()
		delete(n.handlers, id)
		n.mu.Unlock()
	})
}

func (n *notifier) notify() {
	n.mu.Lock()
	hs := make([]func(), 0, len(n.handlers))
	for _, h := range n.handlers {
		hs = append(hs, h)
	}
	n.mu.Unlock()
	for _, h := range hs {
		h()
	}
}

// changedFunc tells whether an update matters to exodns.
type changedFunc func(old, new any) bool

// resourceVersionChanged skips the updates informers replay on relists
// and resyncs, which carry the object unchanged.
func resourceVersionChanged(old, new any) bool {
	o, ok1 := old.(metav1.Object)
	n, ok2 := new.(metav1.Object)
	return !ok1 || !ok2 || o.GetResourceVersion() != n.GetResourceVersion()
}

// watch makes every add, delete and mattering update of inf notify n.
func watch(inf cache.SharedIndexInformer, n *notifier, changed changedFunc) error {
	_, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(any) { n.notify() },
		UpdateFunc: func(old, new any) {
			if changed(old, new) {
				n.notify()
			}
		},
		DeleteFunc: func(any) { n.notify() },
	})
	if err != nil {
		return fmt.Errorf("kube: adding event handler: %w", err)
	}
	return nil
}

// report hands the problems of one object to the reporter, if any.
func report(r source.Reporter, problems []source.Problem) {
	if r == nil {
		return
	}
	for _, p := range problems {
		r.Report(p)
	}
}

// Lookuper finds the object behind a resource label in a source's cache.
type Lookuper interface {
	Lookup(resource string) (source.ObjectRef, bool)
}

// Resolver combines the lookups of several sources, for Events on objects
// (internal/kubereport).
func Resolver(sources ...Lookuper) func(resource string) (source.ObjectRef, bool) {
	return func(resource string) (source.ObjectRef, bool) {
		for _, s := range sources {
			if ref, ok := s.Lookup(resource); ok {
				return ref, true
			}
		}
		return source.ObjectRef{}, false
	}
}

func waitSynced(ctx context.Context, timeout time.Duration, what string, synced ...cache.InformerSynced) error {
	if timeout == 0 {
		timeout = DefaultSyncTimeout
	}
	return kube.WaitForSync(ctx, timeout, what, synced...)
}
