package kube

import (
	"testing"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

// TestNamespaceIndexOnlyWhereListed: the Pods informer keeps an index by
// namespace (the service source lists a Service's pods by namespace); the
// others keep none, since their sources list all or get by key, and the
// index holds a key of every object.
func TestNamespaceIndexOnlyWhereListed(t *testing.T) {
	c, err := NewClusterForConfig(&rest.Config{Host: "http://127.0.0.1:1"}, "")
	if err != nil {
		t.Fatal(err)
	}
	svcs, _ := c.Services()
	ings, _ := c.Ingresses()
	nodes, _ := c.Nodes()
	pods, _ := c.Pods()
	for _, tt := range []struct {
		name string
		inf  cache.SharedIndexInformer
		want bool
	}{
		{"services", svcs, false},
		{"ingresses", ings, false},
		{"nodes", nodes, false},
		{"pods", pods, true},
	} {
		if _, got := tt.inf.GetIndexer().GetIndexers()[cache.NamespaceIndex]; got != tt.want {
			t.Errorf("%s: namespace index %v, want %v", tt.name, got, tt.want)
		}
	}
	// A lookup by namespace and name needs no index.
	if err := svcs.GetIndexer().Add(richObjects()["services"]); err != nil {
		t.Fatal(err)
	}
	_, lister := c.Services()
	if _, err := lister.Services("ns").Get("x"); err != nil {
		t.Errorf("get without an index: %v", err)
	}
}
