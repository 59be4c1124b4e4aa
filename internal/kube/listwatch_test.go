package kube

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
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

// TestDecodeListStream: a list is read item by item as it arrives, in any
// member order, and a list that is cut short, malformed or followed by
// more data is an error, never a shorter list.
func TestDecodeListStream(t *testing.T) {
	item := func(name string) string {
		return `{"metadata":{"name":"` + name + `","namespace":"ns","resourceVersion":"5","managedFields":[{"manager":"m"}]},"spec":{"type":"LoadBalancer"}}`
	}
	tests := []struct {
		name    string
		body    string
		rv      string
		items   []string
		wantErr string
	}{
		{name: "api server order", body: `{"kind":"ServiceList","apiVersion":"v1","metadata":{"resourceVersion":"9","continue":"c"},"items":[` + item("a") + `,` + item("b") + `]}`,
			rv: "9", items: []string{"a", "b"}},
		{name: "items first", body: `{"items":[` + item("a") + `],"metadata":{"resourceVersion":"9"}}`, rv: "9", items: []string{"a"}},
		{name: "empty", body: `{"metadata":{"resourceVersion":"3"},"items":[]}`, rv: "3"},
		{name: "null items", body: `{"metadata":{"resourceVersion":"3"},"items":null}`, rv: "3"},
		{name: "unknown members skipped", body: `{"x":{"y":[1,2,{"z":null}]},"items":[` + item("a") + `],"n":1.5,"b":true}`, items: []string{"a"}},
		{name: "whitespace", body: " {\n \"items\" : [ " + item("a") + " ] } \n", items: []string{"a"}},
		{name: "cut in an item", body: `{"items":[` + item("a") + `,` + item("b")[:40], wantErr: "unexpected EOF"},
		{name: "cut between items", body: `{"items":[` + item("a") + `,`, wantErr: "EOF"},
		{name: "cut after items", body: `{"items":[` + item("a") + `]`, wantErr: "EOF"},
		{name: "empty body", body: ``, wantErr: "EOF"},
		{name: "not an object", body: `[` + item("a") + `]`, wantErr: "where { was expected"},
		{name: "items not an array", body: `{"items":{"a":1}}`, wantErr: "not an array"},
		{name: "item not an object", body: `{"items":[1]}`, wantErr: "cannot unmarshal"},
		{name: "items twice", body: `{"items":[` + item("a") + `],"items":[` + item("b") + `]}`, wantErr: "items twice"},
		{name: "data after the list", body: `{"items":[]}{"items":[]}`, wantErr: "data after the list"},
		{name: "a Status, not a list", body: `{"kind":"Status","apiVersion":"v1","status":"Failure"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := services.decodeList(strings.NewReader(tt.body), newInterner())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one with %q (list %+v)", err, tt.wantErr, l)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, o := range l.Items {
				s := o.(*corev1.Service)
				if s.ManagedFields != nil {
					t.Errorf("%s kept managed fields", s.Name)
				}
				names = append(names, s.Name)
			}
			if l.ResourceVersion != tt.rv || !reflect.DeepEqual(names, tt.items) {
				t.Errorf("list rv %q items %v, want %q %v", l.ResourceVersion, names, tt.rv, tt.items)
			}
		})
	}
}

// FuzzDecodeList: reading a list item by item never panics, and whatever
// it accepts, decoding the whole body at once accepts too, with the same
// metadata and items.
func FuzzDecodeList(f *testing.F) {
	f.Add([]byte(`{"kind":"ServiceList","metadata":{"resourceVersion":"9"},"items":[{"metadata":{"name":"a"},"spec":{"type":"NodePort","ports":[{"nodePort":30000}]}}]}`))
	f.Add([]byte(`{"items":null}`))
	f.Add([]byte(`{"items":[{}],"metadata":{"continue":"x"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := slimServices.decodeList(bytes.NewReader(data), nil)
		if err != nil {
			return
		}
		var whole struct {
			Metadata metav1.ListMeta   `json:"metadata"`
			Items    []serviceSlimWire `json:"items"`
		}
		if err := decode(data, &whole); err != nil {
			t.Fatalf("read item by item, but not whole: %v", err)
		}
		if !reflect.DeepEqual(l.ListMeta, whole.Metadata) || len(l.Items) != len(whole.Items) {
			t.Fatalf("item by item: %+v, %d items; whole: %+v, %d items", l.ListMeta, len(l.Items), whole.Metadata, len(whole.Items))
		}
		for i := range whole.Items {
			if want := whole.Items[i].object(nil); !reflect.DeepEqual(l.Items[i], want) {
				t.Fatalf("item %d: %#v, whole: %#v", i, l.Items[i], want)
			}
		}
	})
}

// TestListErrorStatus: a list the API server refuses is an error of the
// API's kind, which the reflector acts on (an expired resource version is
// listed again from the start), not a list decoded from the Status.
func TestListErrorStatus(t *testing.T) {
	for _, tt := range []struct {
		code   int
		reason metav1.StatusReason
		is     func(error) bool
	}{
		{http.StatusGone, metav1.StatusReasonExpired, apierrors.IsResourceExpired},
		{http.StatusForbidden, metav1.StatusReasonForbidden, apierrors.IsForbidden},
		{http.StatusNotFound, metav1.StatusReasonNotFound, apierrors.IsNotFound},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(tt.code)
			_ = json.NewEncoder(w).Encode(metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
				Status: metav1.StatusFailure, Code: int32(tt.code), Reason: tt.reason, Message: "refused"})
		}))
		c, err := NewClient(&rest.Config{Host: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		l, err := c.listWatch(services, "ns", nil).ListWithContextFunc(context.Background(), metav1.ListOptions{})
		if !tt.is(err) {
			t.Errorf("%d %s: list %v, error %v", tt.code, tt.reason, l, err)
		}
		srv.Close()
	}
}

// TestEventDecoderReusesNothingItKeeps: the decoder reads each event's
// object into one buffer; the objects decoded keep nothing of it, and an
// event without an object is an error, not the last object again.
func TestEventDecoderReusesNothingItKeeps(t *testing.T) {
	svc := func(name, ip string) *corev1.Service {
		return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", ResourceVersion: "1",
			Labels: map[string]string{"app": name}, Annotations: map[string]string{"external-dns.alpha.kubernetes.io/hostname": name + ".example.com"}},
			Spec:   corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer},
			Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: ip}}}}}
	}
	want := []*corev1.Service{svc(strings.Repeat("long", 20), "203.0.113.1"), svc("b", "203.0.113.2"), svc("c", "203.0.113.3")}
	var body bytes.Buffer
	for _, s := range want {
		_ = json.NewEncoder(&body).Encode(metav1.WatchEvent{Type: string(watch.Added), Object: rawJSON(t, s)})
	}
	body.WriteString(`{"type":"MODIFIED"}` + "\n")
	for _, k := range []kind{services, slimServices} {
		r := io.NopCloser(bytes.NewReader(body.Bytes()))
		d := &eventDecoder{body: r, dec: json.NewDecoder(r), kind: k, strings: newInterner()}
		var got []runtime.Object
		for range want {
			typ, obj, err := d.Decode()
			if err != nil || typ != watch.Added {
				t.Fatalf("%s: %v %v", k.gvr, typ, err)
			}
			got = append(got, obj)
		}
		if typ, obj, err := d.Decode(); err == nil {
			t.Errorf("%s: an event without an object decoded as %v %v", k.gvr, typ, obj)
		}
		for i, o := range got {
			s, _ := asService(o)
			w := want[i]
			if s.Name != w.Name || s.Annotations[hostnameAnnotation] != w.Annotations[hostnameAnnotation] ||
				s.Labels["app"] != w.Labels["app"] || s.Status.LoadBalancer.Ingress[0].IP != w.Status.LoadBalancer.Ingress[0].IP {
				t.Errorf("%s: event %d decoded as %s %v %v %v", k.gvr, i, s.Name, s.Annotations, s.Labels, s.Status.LoadBalancer.Ingress)
			}
		}
	}
}
