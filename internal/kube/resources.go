package kube

import (
	"context"
	"fmt"
	"strings"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// resourceCache finds resources by kind with one GET of the group
// version's resource list (/apis/<group>/<version>), the request
// discovery makes for it, kept once found. client-go's discovery client
// would do the same, but links the types of every API group.
type resourceCache struct {
	client *Client

	mu    sync.Mutex
	lists map[schema.GroupVersion]*metav1.APIResourceList
}

func (r *resourceCache) resourceFor(ctx context.Context, apiVersion, kind string) (schema.GroupVersionResource, error) {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return schema.GroupVersionResource{}, fmt.Errorf("kube: apiVersion %q: %w", apiVersion, err)
	}
	list, err := r.list(ctx, gv)
	if err == nil {
		for _, res := range list.APIResources {
			// Subresources (routes/status) share their parent's kind.
			if res.Kind == kind && !strings.Contains(res.Name, "/") {
				return gv.WithResource(res.Name), nil
			}
		}
		err = fmt.Errorf("no kind %q is served in %s", kind, gv)
	}
	return schema.GroupVersionResource{}, fmt.Errorf("kube: finding the resource of %s %s (is its CRD installed?): %w", apiVersion, kind, err)
}

// list returns the resources of gv. A failure is not kept: a CRD installed
// since is found on the next call.
func (r *resourceCache) list(ctx context.Context, gv schema.GroupVersion) (*metav1.APIResourceList, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l, ok := r.lists[gv]; ok {
		return l, nil
	}
	path := "/apis/" + gv.String()
	if gv.Group == "" {
		path = "/api/" + gv.Version
	}
	var l metav1.APIResourceList
	if err := r.client.Get(ctx, path, &l); err != nil {
		return nil, err
	}
	if r.lists == nil {
		r.lists = map[schema.GroupVersion]*metav1.APIResourceList{}
	}
	r.lists[gv] = &l
	return &l, nil
}
