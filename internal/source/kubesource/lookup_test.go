package kubesource

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/cache"

	"github.com/exodns/exodns/internal/source"
)

// TestLookup: an object's ref is read from the cached object's metadata,
// whatever type the cache holds, with its UID, which Events need.
func TestLookup(t *testing.T) {
	inf := cache.NewSharedIndexInformer(&cache.ListWatch{}, &corev1.Service{}, 0, cache.Indexers{})
	ix := inf.GetIndexer()
	u := &unstructured.Unstructured{}
	u.SetNamespace("ns")
	u.SetName("u")
	u.SetUID("uid-u")
	for _, o := range []any{&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "web", UID: "uid-web"}}, u} {
		if err := ix.Add(o); err != nil {
			t.Fatal(err)
		}
	}
	if err := ix.Add(cache.ExplicitKey("ns/raw")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		want source.ObjectRef
		ok   bool
	}{
		{"web", source.ObjectRef{APIVersion: "v1", Kind: "Service", Namespace: "ns", Name: "web", UID: "uid-web"}, true},
		{"u", source.ObjectRef{APIVersion: "v1", Kind: "Service", Namespace: "ns", Name: "u", UID: "uid-u"}, true},
		{"missing", source.ObjectRef{}, false},
		{"raw", source.ObjectRef{}, false}, // no metadata to read
	} {
		got, ok := lookup(inf, "v1", "Service", "ns", tt.name)
		if ok != tt.ok || got != tt.want {
			t.Errorf("%s: %+v, %v; want %+v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
