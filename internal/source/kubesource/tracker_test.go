package kubesource

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

func TestTrackerTakesChangedObjectsOnce(t *testing.T) {
	var tr tracker
	obj := func(ns, name string) any {
		return &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	}
	tr.mark(obj("b", "y"))
	tr.mark(obj("a", "x"))
	tr.mark(obj("a", "x"))
	tr.mark(cache.DeletedFinalStateUnknown{Key: "c/z", Obj: obj("c", "z")})
	keys, full := tr.take()
	if full || !slices.Equal(keys, []string{"a/x", "b/y", "c/z"}) {
		t.Fatalf("take = %v, %v", keys, full)
	}
	if keys, full := tr.take(); full || len(keys) != 0 {
		t.Fatalf("second take = %v, %v; want nothing", keys, full)
	}
	tr.mark(obj("a", "x"))
	tr.reset() // a full read answers for it
	if keys, _ := tr.take(); len(keys) != 0 {
		t.Fatalf("after reset: %v", keys)
	}
	tr.markFull()
	tr.mark(obj("a", "x"))
	if _, full := tr.take(); !full {
		t.Fatal("a Node event must ask for a full read")
	}
	tr.reset()
	if _, full := tr.take(); full {
		t.Fatal("a full read answers the full request")
	}
}
