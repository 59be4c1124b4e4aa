package kubesource

import (
	"maps"
	"reflect"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/cache"

	"github.com/exodns/exodns/internal/kube"
)

// The Gateway API informers keep only what internal/source/gateway reads.
// Routes are mostly rules (matches, filters, backends), Gateways mostly TLS
// and listener status, and every status condition carries a message and
// timestamps that change without changing a record; dropping them keeps
// the cache small and lets contentChanged skip the updates that only
// touch them.

// routeBody keeps a route's parents and hostnames, and per parent status
// only the condition types and statuses.
func routeBody(o map[string]any) map[string]any {
	out := map[string]any{"spec": pick(child(o, "spec"), "parentRefs", "hostnames")}
	var parents []any
	for _, p := range list(child(o, "status"), "parents") {
		pm, _ := p.(map[string]any)
		parents = append(parents, map[string]any{
			"parentRef":  pm["parentRef"],
			"conditions": pickEach(list(pm, "conditions"), "type", "status"),
		})
	}
	if parents != nil {
		out["status"] = map[string]any{"parents": parents}
	}
	return out
}

// gatewayBody keeps the listeners (without TLS), allowedListeners and
// the addresses.
func gatewayBody(o map[string]any) map[string]any {
	spec := child(o, "spec")
	return map[string]any{
		"spec": map[string]any{
			"listeners":        pickEach(list(spec, "listeners"), listenerFields()...),
			"allowedListeners": spec["allowedListeners"],
		},
		"status": pick(child(o, "status"), "addresses"),
	}
}

// listenerSetBody keeps the parent Gateway, the listeners and the
// Accepted verdicts on the set and on each listener.
func listenerSetBody(o map[string]any) map[string]any {
	spec, status := child(o, "spec"), child(o, "status")
	var entries []any
	for _, e := range list(status, "listeners") {
		em, _ := e.(map[string]any)
		entries = append(entries, map[string]any{"name": em["name"],
			"conditions": pickEach(list(em, "conditions"), "type", "status")})
	}
	return map[string]any{
		"spec": map[string]any{
			"parentRef": spec["parentRef"],
			"listeners": pickEach(list(spec, "listeners"), listenerFields()...),
		},
		"status": map[string]any{
			"conditions": pickEach(list(status, "conditions"), "type", "status"),
			"listeners":  entries,
		},
	}
}

// namespaceBody keeps nothing but the identity and labels that
// keepUnstructured keeps: listeners choose namespaces by their labels.
func namespaceBody(map[string]any) map[string]any { return map[string]any{} }

// listenerFields are what a listener says about the routes it takes.
func listenerFields() []string {
	return []string{"name", "hostname", "port", "protocol", "allowedRoutes"}
}

// keepUnstructured builds a transform that replaces an object by its
// identity, labels (and annotations, minus kubectl's copy of the object)
// plus what body returns.
func keepUnstructured(body func(map[string]any) map[string]any, annotations bool) cache.TransformFunc {
	return func(obj any) (any, error) {
		u, ok := obj.(*unstructured.Unstructured)
		if !ok {
			return obj, nil
		}
		meta := pick(child(u.Object, "metadata"), "name", "namespace", "uid", "resourceVersion", "generation", "labels")
		if a, ok := child(u.Object, "metadata")["annotations"].(map[string]any); ok && annotations {
			a = maps.Clone(a)
			delete(a, kube.LastAppliedAnnotation)
			if len(a) > 0 {
				meta["annotations"] = a
			}
		}
		out := body(u.Object)
		for _, k := range []string{"apiVersion", "kind"} {
			if v, ok := u.Object[k]; ok {
				out[k] = v
			}
		}
		out["metadata"] = meta
		dropNil(out)
		return &unstructured.Unstructured{Object: out}, nil
	}
}

func child(m map[string]any, key string) map[string]any {
	c, _ := m[key].(map[string]any)
	return c
}

func list(m map[string]any, key string) []any {
	l, _ := m[key].([]any)
	return l
}

// pick copies the given keys of m, when present.
func pick(m map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}

// pickEach picks keys from every map of a list.
func pickEach(l []any, keys ...string) []any {
	if l == nil {
		return nil
	}
	out := make([]any, 0, len(l))
	for _, e := range l {
		m, _ := e.(map[string]any)
		out = append(out, pick(m, keys...))
	}
	return out
}

// dropNil removes nil values and empty maps at the top two levels, so
// that absent fields stay absent for the typed decoding.
func dropNil(m map[string]any) {
	for k, v := range m {
		switch x := v.(type) {
		case nil:
			delete(m, k)
		case []any:
			if x == nil {
				delete(m, k)
			}
		case map[string]any:
			dropNil(x)
			if len(x) == 0 && k != "metadata" {
				delete(m, k)
			}
		}
	}
}

// contentChanged passes on updates whose kept content changed: after the
// transforms above, a new resourceVersion alone (a relist, a status
// message, a TLS secret rotation) changes no record.
func contentChanged(old, new any) bool {
	o, ok1 := old.(*unstructured.Unstructured)
	n, ok2 := new.(*unstructured.Unstructured)
	if !ok1 || !ok2 {
		return true
	}
	if o.GetResourceVersion() == n.GetResourceVersion() {
		return false
	}
	oc, nc := o.DeepCopy(), n.DeepCopy()
	oc.SetResourceVersion("")
	nc.SetResourceVersion("")
	return !reflect.DeepEqual(oc.Object, nc.Object)
}
