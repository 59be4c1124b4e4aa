package kube

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
)

func TestPath(t *testing.T) {
	for _, tt := range []struct {
		gvr      schema.GroupVersionResource
		ns, name string
		sub      []string
		want     string
	}{
		{schema.GroupVersionResource{Version: "v1", Resource: "services"}, "", "", nil, "/api/v1/services"},
		{schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, "ns", "zones", nil, "/api/v1/namespaces/ns/configmaps/zones"},
		{leasesGVR, "ns", "l", nil, "/apis/coordination.k8s.io/v1/namespaces/ns/leases/l"},
		{schema.GroupVersionResource{Group: "externaldns.k8s.io", Version: "v1alpha1", Resource: "dnsendpoints"}, "ns", "d", []string{"status"},
			"/apis/externaldns.k8s.io/v1alpha1/namespaces/ns/dnsendpoints/d/status"},
	} {
		if got := Path(tt.gvr, tt.ns, tt.name, tt.sub...); got != tt.want {
			t.Errorf("Path = %s, want %s", got, tt.want)
		}
	}
}

// TestResourceFor finds a kind's resource in its group version's list, as
// discovery did, and says when the CRD is missing.
func TestResourceFor(t *testing.T) {
	var gets atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets.Add(1)
		if r.URL.Path != "/apis/externaldns.k8s.io/v1alpha1" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
				Status: metav1.StatusFailure, Reason: metav1.StatusReasonNotFound, Code: 404, Message: "the server could not find the requested resource"})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(metav1.APIResourceList{GroupVersion: "externaldns.k8s.io/v1alpha1", APIResources: []metav1.APIResource{
			{Name: "dnsendpoints/status", Kind: "DNSEndpoint"},
			{Name: "dnsendpoints", Kind: "DNSEndpoint", Namespaced: true},
		}})
	}))
	defer srv.Close()
	c, err := NewClient(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	r := &resourceCache{client: c}
	ctx := context.Background()
	gvr, err := r.resourceFor(ctx, "externaldns.k8s.io/v1alpha1", "DNSEndpoint")
	if err != nil || gvr != (schema.GroupVersionResource{Group: "externaldns.k8s.io", Version: "v1alpha1", Resource: "dnsendpoints"}) {
		t.Fatalf("resourceFor = %v, %v", gvr, err)
	}
	if _, err := r.resourceFor(ctx, "externaldns.k8s.io/v1alpha1", "DNSEndpoint"); err != nil || gets.Load() != 1 {
		t.Errorf("second lookup: %v, %d requests (want the list kept)", err, gets.Load())
	}
	if _, err := r.resourceFor(ctx, "externaldns.k8s.io/v1alpha1", "Other"); err == nil ||
		!strings.Contains(err.Error(), "is its CRD installed?") || !strings.Contains(err.Error(), `no kind "Other"`) {
		t.Errorf("missing kind: %v", err)
	}
	_, err = r.resourceFor(ctx, "missing.example.com/v1", "Thing")
	if err == nil || !strings.Contains(err.Error(), "finding the resource of missing.example.com/v1 Thing (is its CRD installed?)") {
		t.Errorf("missing group: %v", err)
	}
	if _, err := r.resourceFor(ctx, "a/b/c", "Thing"); err == nil {
		t.Error("a malformed apiVersion was accepted")
	}
}
