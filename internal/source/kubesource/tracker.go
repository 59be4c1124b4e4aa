package kubesource

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"k8s.io/client-go/tools/cache"

	"github.com/exodns/exodns/internal/source"
)

// tracker remembers which objects changed since the last read, by
// namespace/name, for source.Incremental. An event that only a full read
// can answer (a Node behind NodePort Services) sets full instead.
type tracker struct {
	mu    sync.Mutex
	dirty map[string]struct{}
	full  bool
}

// mark notes the object of an informer event.
func (t *tracker) mark(obj any) {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		t.full = true
		return
	}
	if t.dirty == nil {
		t.dirty = map[string]struct{}{}
	}
	t.dirty[key] = struct{}{}
}

func (t *tracker) markFull() {
	t.mu.Lock()
	t.full = true
	t.mu.Unlock()
}

// reset forgets what changed: a full read is about to answer for it.
func (t *tracker) reset() {
	t.mu.Lock()
	t.dirty, t.full = nil, false
	t.mu.Unlock()
}

// take returns the changed objects, sorted, and forgets them. full says a
// full read is needed; the caller does one (which resets the tracker).
func (t *tracker) take() (keys []string, full bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.full {
		return nil, true
	}
	keys = make([]string, 0, len(t.dirty))
	for k := range t.dirty {
		keys = append(keys, k)
	}
	t.dirty = nil
	slices.Sort(keys)
	return keys, false
}

// errFull is what a change function returns when only a full read can
// tell what the object now asks for.
var errFull = errors.New("kubesource: needs a full read")

// delta turns the objects changed since the last call into a Delta, asking
// change for each one's ObjectChange (key is its namespace/name key) (with no endpoints when it is gone).
// It gives no Delta (false), so the caller reads everything, until the
// informer has synced, when the tracker asks for a full read, or when
// change returns errFull.
func (t *tracker) delta(synced bool, change func(key, ns, name string) (source.ObjectChange, error)) (source.Delta, bool, error) {
	if !synced {
		return source.Delta{}, false, nil
	}
	keys, full := t.take()
	if full {
		return source.Delta{}, false, nil
	}
	var d source.Delta
	for _, key := range keys {
		ns, name, err := cache.SplitMetaNamespaceKey(key)
		if err != nil {
			return source.Delta{}, false, nil
		}
		ch, err := change(key, ns, name)
		switch {
		case errors.Is(err, errFull):
			return source.Delta{}, false, nil
		case err != nil:
			return source.Delta{}, false, err
		}
		d.Objects = append(d.Objects, ch)
	}
	return d, true, nil
}

// watchTracked is watch that also marks each event's object in t, or asks
// for a full read when asFull is set (informers whose objects feed other
// objects' records).
func watchTracked(inf cache.SharedIndexInformer, n *notifier, changed changedFunc, t *tracker, asFull bool) error {
	mark := t.mark
	if asFull {
		mark = func(any) { t.markFull() }
	}
	_, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(o any) { mark(o); n.notify() },
		UpdateFunc: func(old, new any) {
			if changed(old, new) {
				mark(new)
				n.notify()
			}
		},
		DeleteFunc: func(o any) { mark(o); n.notify() },
	})
	if err != nil {
		return fmt.Errorf("kube: adding event handler: %w", err)
	}
	return nil
}
