package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/pager"
)

// fakeServices serves Services of namespace ns one per page, and a watch
// of two events, checking the query a client-go informer sends.
func fakeServices(t *testing.T) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path != "/api/v1/namespaces/ns/services" {
			t.Errorf("request of %s", r.URL.Path)
			http.NotFound(w, r)
			return
		}
		if q.Get("fieldSelector") != "metadata.name!=x" {
			t.Errorf("fieldSelector %q", q.Get("fieldSelector"))
		}
		w.Header().Set("Content-Type", "application/json")
		svc := func(name, rv string) corev1.Service {
			return corev1.Service{TypeMeta: metav1.TypeMeta{Kind: "Service", APIVersion: "v1"},
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", ResourceVersion: rv,
					ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}}}
		}
		if q.Get("watch") == "true" {
			if q.Get("resourceVersion") != "2" || q.Get("allowWatchBookmarks") != "true" {
				t.Errorf("watch query %v", q)
			}
			enc := json.NewEncoder(w)
			_ = enc.Encode(metav1.WatchEvent{Type: string(watch.Modified), Object: rawJSON(t, svc("a", "3"))})
			_ = enc.Encode(metav1.WatchEvent{Type: string(watch.Deleted), Object: rawJSON(t, svc("b", "4"))})
			return
		}
		if q.Get("limit") != "1" {
			t.Errorf("limit %q", q.Get("limit"))
		}
		list := corev1.ServiceList{ListMeta: metav1.ListMeta{ResourceVersion: "2"}}
		switch q.Get("continue") {
		case "":
			list.Continue, list.Items = "page2", []corev1.Service{svc("a", "1")}
		case "page2":
			list.Items = []corev1.Service{svc("b", "2")}
		default:
			t.Errorf("continue %q", q.Get("continue"))
		}
		_ = json.NewEncoder(w).Encode(list)
	}))
}

func rawJSON(t *testing.T, v any) (r runtime.RawExtension) {
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	r.Raw = data
	return r
}

// TestListWatch lists in pages, as the reflector's pager does, and
// watches, through the JSON client.
func TestListWatch(t *testing.T) {
	srv := fakeServices(t)
	defer srv.Close()
	c, err := NewClient(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	lw := c.listWatch(services, "ns", func(o *metav1.ListOptions) { o.FieldSelector = "metadata.name!=x" })
	ctx := context.Background()
	p := pager.New(pager.ListPageFunc(lw.ListWithContextFunc))
	p.PageSize = 1
	var names []string
	err = p.EachListItem(ctx, metav1.ListOptions{}, func(o runtime.Object) error {
		s := o.(*corev1.Service)
		if s.ManagedFields != nil {
			t.Errorf("%s kept its managed fields", s.Name)
		}
		names = append(names, s.Name)
		return nil
	})
	if err != nil || fmt.Sprint(names) != "[a b]" {
		t.Fatalf("listed %v, %v", names, err)
	}
	w, err := lw.WatchFuncWithContext(ctx, metav1.ListOptions{ResourceVersion: "2", AllowWatchBookmarks: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	var got []string
	for ev := range w.ResultChan() {
		s := ev.Object.(*corev1.Service)
		got = append(got, fmt.Sprintf("%s %s@%s", ev.Type, s.Name, s.ResourceVersion))
	}
	if fmt.Sprint(got) != "[MODIFIED a@3 DELETED b@4]" {
		t.Errorf("watched %v", got)
	}
}
