package kubereport

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/exodns/exodns/internal/controller"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/kube"
	"github.com/exodns/exodns/internal/source/kubesource"
)

// maxMessage keeps condition messages readable in kubectl output.
const maxMessage = 1024

// StatusWriter keeps the status of the DNSEndpoints a CRD source read:
// status.observedGeneration and a Ready condition saying whether their
// records were applied, lost a conflict, had invalid input or failed at the
// provider. Reconciled only decides and queues; Run writes, so a reconcile
// never waits on thousands of status updates and their rate limit. Only the
// latest verdict per object is kept.
type StatusWriter struct {
	crd     *kubesource.CRD
	cluster *kube.Cluster
	log     *slog.Logger
	now     func() time.Time

	mu      sync.Mutex
	pending map[string]verdict // by namespace/name
	kick    chan struct{}
}

type verdict struct {
	generation int64
	cond       metav1.Condition
}

// NewStatusWriter writes the status of crd's objects through the cluster's
// dynamic client. Run it (only on the leader) for it to write anything.
func NewStatusWriter(c *kube.Cluster, crd *kubesource.CRD, log *slog.Logger) *StatusWriter {
	return &StatusWriter{crd: crd, cluster: c, log: log, now: time.Now,
		pending: map[string]verdict{}, kick: make(chan struct{}, 1)}
}

// Reconciled judges each object the CRD source read in the reconcile
// whose outcome o is: its changes, conflicts and refusals.
func (w *StatusWriter) Reconciled(o controller.Outcome) {
	lost := map[string]string{}
	for _, c := range o.Conflicts {
		for _, l := range c.Losers {
			if _, ok := lost[l]; !ok {
				lost[l] = fmt.Sprintf("record %s is held by %s: %s", c.Key, orNobody(c.Winner), c.Reason)
			}
		}
	}
	failed := map[string]string{}
	for _, r := range o.Refused {
		failed[r.Endpoint.Resource()] = fmt.Sprintf("the provider refused %s %s: %v", r.Action, r.Endpoint.Key(), r.Err)
	}
	if o.Err != nil && o.Tried != nil {
		for _, eps := range [][]*endpoint.Endpoint{o.Tried.Create, o.Tried.UpdateNew, o.Tried.Delete} {
			for _, e := range eps {
				failed[e.Resource()] = "applying the records failed, retrying: " + o.Err.Error()
			}
		}
	}
	seen := w.crd.LastSeen()
	w.mu.Lock()
	for key, so := range seen {
		res := "crd/" + key
		cond := metav1.Condition{Type: ConditionReady, ObservedGeneration: so.Generation}
		switch {
		case len(so.Problems) > 0:
			cond.Status, cond.Reason = metav1.ConditionFalse, ReasonInvalidInput
			cond.Message = "invalid entries skipped, their existing records kept: " + strings.Join(so.Problems, "; ")
		case failed[res] != "":
			cond.Status, cond.Reason, cond.Message = metav1.ConditionFalse, ReasonProviderError, failed[res]
		case lost[res] != "":
			cond.Status, cond.Reason, cond.Message = metav1.ConditionFalse, ReasonConflict, lost[res]
		default:
			cond.Status, cond.Reason, cond.Message = metav1.ConditionTrue, ReasonApplied, "all records are published"
		}
		if len(cond.Message) > maxMessage {
			cond.Message = cond.Message[:maxMessage-3] + "..."
		}
		w.pending[key] = verdict{generation: so.Generation, cond: cond}
	}
	w.mu.Unlock()
	w.signal()
}

func (w *StatusWriter) signal() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run writes queued statuses until ctx ends.
func (w *StatusWriter) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		}
		w.mu.Lock()
		batch := w.pending
		w.pending = map[string]verdict{}
		w.mu.Unlock()
		for _, key := range slices.Sorted(maps.Keys(batch)) {
			if ctx.Err() != nil {
				return
			}
			if err := w.write(ctx, key, batch[key]); err != nil {
				if apierrors.IsConflict(err) {
					// Our cache was behind; try again once it caught up,
					// unless a newer verdict arrived meanwhile.
					w.requeue(key, batch[key])
					continue
				}
				w.log.WarnContext(ctx, "writing DNSEndpoint status failed", "object", key, "err", err)
			}
		}
	}
}

func (w *StatusWriter) requeue(key string, v verdict) {
	w.mu.Lock()
	if _, newer := w.pending[key]; !newer {
		w.pending[key] = v
	}
	w.mu.Unlock()
	time.AfterFunc(200*time.Millisecond, w.signal)
}

// write follows the usual order: read from the cache, stop if the object
// is gone or was changed since it was judged, change a copy, and update
// the status only if it differs.
func (w *StatusWriter) write(ctx context.Context, key string, v verdict) error {
	ns, name, _ := strings.Cut(key, "/")
	u, err := w.crd.Cached(ns, name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("kube: reading %s from cache: %w", key, err)
	}
	if u.GetGeneration() != v.generation {
		return nil // a newer spec is on its way to a reconcile of its own
	}
	conds, err := readConditions(u)
	if err != nil {
		return err
	}
	observed, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
	conds, changed := setCondition(conds, v.cond, w.now())
	if !changed && observed == v.generation {
		return nil
	}
	c := u.DeepCopy()
	if err := writeStatus(c, v.generation, conds); err != nil {
		return err
	}
	_, err = w.cluster.Dynamic.Resource(w.crd.GVR()).Namespace(ns).UpdateStatus(ctx, c, metav1.UpdateOptions{})
	if err != nil {
		return fmt.Errorf("kube: updating status of %s: %w", key, err)
	}
	return nil
}

func readConditions(u *unstructured.Unstructured) ([]metav1.Condition, error) {
	raw, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	conds := make([]metav1.Condition, 0, len(raw))
	for _, r := range raw {
		m, ok := r.(map[string]any)
		if !ok {
			continue
		}
		var c metav1.Condition
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &c); err != nil {
			return nil, fmt.Errorf("kube: reading conditions of %s/%s: %w", u.GetNamespace(), u.GetName(), err)
		}
		conds = append(conds, c)
	}
	return conds, nil
}

func writeStatus(u *unstructured.Unstructured, generation int64, conds []metav1.Condition) error {
	raw := make([]any, 0, len(conds))
	for i := range conds {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&conds[i])
		if err != nil {
			return fmt.Errorf("kube: encoding condition: %w", err)
		}
		raw = append(raw, m)
	}
	if err := unstructured.SetNestedField(u.Object, generation, "status", "observedGeneration"); err != nil {
		return fmt.Errorf("kube: setting observedGeneration: %w", err)
	}
	if err := unstructured.SetNestedSlice(u.Object, raw, "status", "conditions"); err != nil {
		return fmt.Errorf("kube: setting conditions: %w", err)
	}
	return nil
}

func orNobody(winner string) string {
	if winner == "" {
		return "a record exodns does not own"
	}
	return winner
}
