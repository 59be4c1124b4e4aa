package kube

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/tools/cache"
)

// ZoneVersion is a zone's SOA serial and the digest of its records.
type ZoneVersion struct {
	Serial uint32
	Digest string
}

// ZoneVersions shares the leader's zone serials with the other replicas of
// the embedded server. Every replica builds its zone from the sources, so
// all hold the same records, but each counts serials on its own; the
// leader writes "serial digest" per zone into a ConfigMap, and a replica
// whose records have that digest takes that serial. Secondaries and
// resolvers then see one zone, whichever replica they ask.
type ZoneVersions struct {
	clients   *Clients
	namespace string
	name      string

	mu      sync.Mutex
	pending map[string]ZoneVersion
	kick    chan struct{}
}

// NewZoneVersions keeps the versions in ConfigMap name (usually the Lease's
// name plus "-zones") in namespace (empty: the pod's).
func NewZoneVersions(c *Clients, namespace, name string) *ZoneVersions {
	if namespace == "" {
		namespace = podNamespace()
	}
	return &ZoneVersions{clients: c, namespace: namespace, name: name, kick: make(chan struct{}, 1)}
}

// Publish queues the leader's versions; Run writes the latest of them.
func (z *ZoneVersions) Publish(v map[string]ZoneVersion) {
	z.mu.Lock()
	z.pending = maps.Clone(v)
	z.mu.Unlock()
	select {
	case z.kick <- struct{}{}:
	default:
	}
}

// Run writes published versions until ctx ends: call it only while leading.
// A write that fails is retried; only the latest versions are written.
func (z *ZoneVersions) Run(ctx context.Context) {
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-z.kick:
		case <-retry.C:
		}
		z.mu.Lock()
		v := z.pending
		z.pending = nil
		z.mu.Unlock()
		if v == nil {
			continue
		}
		if err := z.write(ctx, v); err != nil && ctx.Err() == nil {
			z.mu.Lock()
			if z.pending == nil {
				z.pending = v
			}
			z.mu.Unlock()
			retry.Reset(time.Second)
		}
	}
}

func (z *ZoneVersions) write(ctx context.Context, v map[string]ZoneVersion) error {
	data := make(map[string]string, len(v))
	for zone, ver := range v {
		data[zone] = fmt.Sprintf("%d %s", ver.Serial, ver.Digest)
	}
	var cur corev1.ConfigMap
	err := z.clients.Core.Get(ctx, Path(configMaps.gvr, z.namespace, z.name), &cur)
	if apierrors.IsNotFound(err) {
		return z.clients.Core.Create(ctx, Path(configMaps.gvr, z.namespace, ""), &corev1.ConfigMap{
			TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: z.name, Namespace: z.namespace,
				Labels: map[string]string{"app.kubernetes.io/managed-by": "exodns"}}, Data: data}, nil)
	}
	if err != nil {
		return err
	}
	if maps.Equal(cur.Data, data) {
		return nil
	}
	// The whole object goes back, with its resourceVersion: a concurrent
	// change makes this fail with a conflict, and Run tries again.
	cur.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}
	cur.Data = data
	return z.clients.Core.Update(ctx, Path(configMaps.gvr, z.namespace, z.name), &cur, nil)
}

// Watch calls fn with the published versions whenever they change, until
// ctx ends.
func (z *ZoneVersions) Watch(ctx context.Context, fn func(map[string]ZoneVersion)) {
	lw := z.clients.Core.listWatch(configMaps, z.namespace, func(o *metav1.ListOptions) {
		o.FieldSelector = fields.OneTermEqualSelector("metadata.name", z.name).String()
	})
	inf := cache.NewSharedIndexInformer(lw, &corev1.ConfigMap{}, 0, cache.Indexers{})
	call := func(obj any) {
		if cm, ok := obj.(*corev1.ConfigMap); ok {
			fn(ParseZoneVersions(cm.Data))
		}
	}
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    call,
		UpdateFunc: func(_, obj any) { call(obj) },
	})
	go inf.Run(ctx.Done())
}

// ParseZoneVersions reads the ConfigMap's data; malformed entries are
// left out, so a hand-edited ConfigMap can only cost serial agreement.
func ParseZoneVersions(data map[string]string) map[string]ZoneVersion {
	out := map[string]ZoneVersion{}
	for zone, v := range data {
		serial, digest, ok := strings.Cut(v, " ")
		n, err := strconv.ParseUint(serial, 10, 32)
		if !ok || err != nil || digest == "" {
			continue
		}
		out[zone] = ZoneVersion{Serial: uint32(n), Digest: digest}
	}
	return out
}
