package kube

import (
	"context"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

// Cluster holds the clients of one cluster and the informers the sources
// asked for. Every informer of one kind and namespace scope is shared;
// Start runs those not yet running, and StartNew those a source adds later
// (Pods once a Local-policy NodePort Service appears).
type Cluster struct {
	// Clients and Dynamic carry the request timeout; they are for the
	// short calls (status updates). Events and leader election should
	// have clients of their own (NewClients), with their own rate limit.
	*Clients
	Dynamic   dynamic.Interface
	Namespace string

	rc        *rest.Config
	resources resourceCache
	// watchClient and watchDynamic have no request timeout: a watch is
	// one long request, and net/http applies the timeout to the whole
	// body, which would turn every watch into a stream of errors.
	watchClient  *Client
	watchDynamic dynamic.Interface
	// slimObjects is Config.SlimObjects.
	slimObjects bool

	mu        sync.Mutex
	ctx       context.Context // set by Start; informers live as long as it
	informers map[string]cache.SharedIndexInformer
	started   map[string]bool
	wg        sync.WaitGroup
}

// NewCluster connects with the configuration of c.
func NewCluster(c Config) (*Cluster, error) {
	rc, err := RESTConfig(c)
	if err != nil {
		return nil, err
	}
	cl, err := NewClusterForConfig(rc, c.Namespace)
	if err != nil {
		return nil, err
	}
	cl.SetSlimObjects(c.SlimObjects)
	return cl, nil
}

// SetSlimObjects is Config.SlimObjects for a Cluster made by
// NewClusterForConfig; it counts for the informers made after it.
func (c *Cluster) SetSlimObjects(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slimObjects = on
}

// NewClusterForConfig builds the clients from rc, whose rate limits and
// timeout are used as they are.
func NewClusterForConfig(rc *rest.Config, namespace string) (*Cluster, error) {
	clients, err := NewClients(rc)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("kube: dynamic client: %w", err)
	}
	wc := rest.CopyConfig(rc)
	wc.Timeout = 0
	watchClient, err := NewClient(wc)
	if err != nil {
		return nil, err
	}
	watchDyn, err := dynamic.NewForConfig(wc)
	if err != nil {
		return nil, fmt.Errorf("kube: dynamic client: %w", err)
	}
	return &Cluster{
		Clients:      clients,
		Dynamic:      dyn,
		Namespace:    namespace,
		rc:           rc,
		resources:    resourceCache{client: clients.Core},
		watchClient:  watchClient,
		watchDynamic: watchDyn,
		informers:    map[string]cache.SharedIndexInformer{},
		started:      map[string]bool{},
	}, nil
}

// NewClients returns clients with a rate limiter of their own, for work
// that must not wait behind the rest: leader election, Events.
func (c *Cluster) NewClients() (*Clients, error) { return NewClients(c.rc) }

// ResourceFor finds the resource of an apiVersion and kind in the API
// server's list of the group version's resources, so a CRD's plural need
// not be configured.
func (c *Cluster) ResourceFor(apiVersion, kind string) (schema.GroupVersionResource, error) {
	return c.resources.resourceFor(context.Background(), apiVersion, kind)
}

// shared returns the informer registered under key, creating it with
// newInformer on first use. Resync is off: the controller has its own
// --interval, and a resync would only wake every handler with unchanged
// objects.
func (c *Cluster) shared(key string, newInformer func() cache.SharedIndexInformer) cache.SharedIndexInformer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if inf, ok := c.informers[key]; ok {
		return inf
	}
	inf := newInformer()
	c.informers[key] = inf
	return inf
}

// Start runs every informer asked for so far, for as long as ctx lives.
// Later calls start informers added since, in the first call's context.
func (c *Cluster) Start(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctx == nil {
		c.ctx = ctx
	}
	c.startLocked()
}

// StartNew starts informers added after Start; before Start it does
// nothing, since Start will.
func (c *Cluster) StartNew() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctx != nil {
		c.startLocked()
	}
}

func (c *Cluster) startLocked() {
	for key, inf := range c.informers {
		if !c.started[key] {
			c.started[key] = true
			c.wg.Go(func() { inf.RunWithContext(c.ctx) })
		}
	}
}

// Shutdown waits for the informers to stop after Start's context ended.
func (c *Cluster) Shutdown() { c.wg.Wait() }

// WaitForSync waits until every informer given has listed once. It fails
// when ctx ends first, or after timeout (zero: no limit) so that a watch
// the RBAC rules forbid shows up as an error instead of a hang.
func WaitForSync(ctx context.Context, timeout time.Duration, what string, synced ...cache.InformerSynced) error {
	if allSynced(synced) {
		return nil
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		return fmt.Errorf("kube: %s: caches did not sync: %w", what, context.Cause(ctx))
	}
	return nil
}

// allSynced is the fast path of every reconcile after the first.
func allSynced(synced []cache.InformerSynced) bool {
	for _, s := range synced {
		if !s() {
			return false
		}
	}
	return true
}
