package kube

import (
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unsafe"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"
)

// TestCompactSizes guards the point of the compact types: each field
// added to them is paid for by every cached object.
func TestCompactSizes(t *testing.T) {
	for _, tt := range []struct {
		name      string
		size, max uintptr
	}{
		{"compactService", unsafe.Sizeof(compactService{}), 240},
		{"compactIngress", unsafe.Sizeof(compactIngress{}), 208},
		{"lbAddress", unsafe.Sizeof(lbAddress{}), 32},
	} {
		if tt.size > tt.max {
			t.Errorf("%s is %d bytes, more than %d", tt.name, tt.size, tt.max)
		}
	}
}

func TestPairs(t *testing.T) {
	upper := func(s string) string { return strings.ToUpper(s) }
	for _, tt := range []struct {
		name string
		m    map[string]string
		want pairs
	}{
		{"nil", nil, nil},
		{"empty", map[string]string{}, nil},
		{"one", map[string]string{"a": "1"}, pairs{{"A", "1"}}},
		{"sorted by key", map[string]string{"c": "3", "a": "1", "b": "2"}, pairs{{"A", "1"}, {"B", "2"}, {"C", "3"}}},
	} {
		got := pairsOf(tt.m, upper, same)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
		if back := pairsOf(tt.m, same, same).asMap(); len(tt.m) > 0 && !reflect.DeepEqual(back, tt.m) || len(tt.m) == 0 && back != nil {
			t.Errorf("%s: back to a map: %v", tt.name, back)
		}
	}
}

func compactOf(t testing.TB, k kind, obj any) any {
	t.Helper()
	data, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	o, err := k.decode(data, newInterner())
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func lbService(ns, name string, lbls map[string]string) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name), ResourceVersion: "7", Labels: lbls,
		Annotations: map[string]string{hostnameAnnotation: name + ".example.com"}},
		Spec:   corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, ClusterIP: "10.0.0.1", ExternalIPs: []string{"192.0.2.1"}},
		Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: "203.0.113.9"}}}}}
}

// TestServiceLister: the slim informer's lister answers as client-go's
// does (by selector, by namespace, by name, NotFound), with API objects,
// and hands an API object a test cached on as it is.
func TestServiceLister(t *testing.T) {
	ix := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	for _, s := range []*corev1.Service{lbService("a", "web", map[string]string{"app": "web"}), lbService("a", "db", map[string]string{"app": "db"}),
		lbService("b", "web", map[string]string{"app": "web"})} {
		if err := ix.Add(compactOf(t, slimServices, s)); err != nil {
			t.Fatal(err)
		}
	}
	typed := lbService("c", "typed", nil)
	if err := ix.Add(typed); err != nil {
		t.Fatal(err)
	}
	l := newServiceLister(ix)
	names := func(svcs []*corev1.Service, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range svcs {
			out = append(out, s.Namespace+"/"+s.Name)
		}
		slices.Sort(out)
		return out
	}
	web := labels.SelectorFromSet(labels.Set{"app": "web"})
	for _, tt := range []struct {
		name string
		got  []string
		want []string
	}{
		{"all", names(l.List(labels.Everything())), []string{"a/db", "a/web", "b/web", "c/typed"}},
		{"by selector", names(l.List(web)), []string{"a/web", "b/web"}},
		{"namespace", names(l.Services("a").List(labels.Everything())), []string{"a/db", "a/web"}},
		{"namespace and selector", names(l.Services("b").List(web)), []string{"b/web"}},
		{"empty namespace", names(l.Services("none").List(labels.Everything())), nil},
	} {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	got, err := l.Services("a").Get("web")
	if err != nil {
		t.Fatal(err)
	}
	want := lbService("a", "web", map[string]string{"app": "web"})
	want.Spec.ClusterIP = "10.0.0.1"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Get\n%#v\nwant\n%#v", got, want)
	}
	if got, err := l.Services("c").Get("typed"); err != nil || got != typed {
		t.Errorf("an API object cached: %p, %v; want %p", got, err, typed)
	}
	if _, err := l.Services("a").Get("missing"); !apierrors.IsNotFound(err) {
		t.Errorf("missing Service: %v, want NotFound", err)
	}
}

func TestIngressLister(t *testing.T) {
	ix := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	ing := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "web", ResourceVersion: "3", Labels: map[string]string{"team": "x"}},
		Spec: networkingv1.IngressSpec{IngressClassName: ptr.To("nginx"), Rules: []networkingv1.IngressRule{{Host: "a.example.com"}},
			TLS: []networkingv1.IngressTLS{{Hosts: []string{"t.example.com"}, SecretName: "s"}, {}}},
		Status: networkingv1.IngressStatus{LoadBalancer: networkingv1.IngressLoadBalancerStatus{Ingress: []networkingv1.IngressLoadBalancerIngress{{Hostname: "lb.example.com"}}}}}
	if err := ix.Add(compactOf(t, slimIngresses, ing)); err != nil {
		t.Fatal(err)
	}
	l := newIngressLister(ix)
	got, err := l.Ingresses("a").Get("web")
	if err != nil {
		t.Fatal(err)
	}
	want := ing.DeepCopy()
	want.Spec.TLS[0].SecretName = ""
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Get\n%#v\nwant\n%#v", got, want)
	}
	if all, err := l.List(labels.SelectorFromSet(labels.Set{"team": "y"})); err != nil || len(all) != 0 {
		t.Errorf("List by another team: %v, %v", all, err)
	}
	if all, err := l.Ingresses("a").List(labels.Everything()); err != nil || len(all) != 1 {
		t.Errorf("List of the namespace: %v, %v", all, err)
	}
	if _, err := l.Ingresses("b").Get("web"); !apierrors.IsNotFound(err) {
		t.Errorf("Ingress of another namespace: %v, want NotFound", err)
	}
}

// TestCompactMeta: informers and handlers reach the compact objects
// through metav1.Object: the cache key, the resource version the
// reflector tracks, and what a watch bookmark sets.
func TestCompactMeta(t *testing.T) {
	for _, k := range []kind{slimServices, slimIngresses} {
		t.Run(k.gvr.Resource, func(t *testing.T) {
			obj := k.newObject()
			m, err := meta.Accessor(obj)
			if err != nil {
				t.Fatal(err)
			}
			m.SetNamespace("ns")
			m.SetName("n")
			m.SetResourceVersion("42")
			m.SetAnnotations(map[string]string{"k8s.io/initial-events-end": "true"})
			m.SetManagedFields([]metav1.ManagedFieldsEntry{{Manager: "x"}}) // not kept
			if key, err := cache.MetaNamespaceKeyFunc(obj); err != nil || key != "ns/n" {
				t.Errorf("key %q, %v", key, err)
			}
			if m.GetResourceVersion() != "42" || m.GetAnnotations()["k8s.io/initial-events-end"] != "true" || m.GetManagedFields() != nil {
				t.Errorf("metadata as set: rv %q, annotations %v, managed fields %v", m.GetResourceVersion(), m.GetAnnotations(), m.GetManagedFields())
			}
			if out, err := Transform(obj); err != nil || out != obj {
				t.Errorf("Transform: %v, %v", out, err)
			}
			// Once per watch event: it must not make the metadata's maps.
			if n := testing.AllocsPerRun(100, func() { _, _ = Transform(obj) }); n != 0 {
				t.Errorf("Transform of a compact object: %v allocations", n)
			}
			if obj.GetObjectKind().GroupVersionKind() != (schema.GroupVersionKind{}) {
				t.Errorf("kind %v", obj.GetObjectKind().GroupVersionKind())
			}
		})
	}
}

// TestCompactDeepCopy: a copy shares nothing a change could reach.
func TestCompactDeepCopy(t *testing.T) {
	np := lbService("a", "np", map[string]string{"app": "np"})
	np.Spec.Type, np.Spec.Selector = corev1.ServiceTypeNodePort, map[string]string{"app": "np"}
	np.Spec.Ports = []corev1.ServicePort{{Protocol: corev1.ProtocolTCP, NodePort: 30080}}
	svc := compactOf(t, slimServices, np).(*compactService)
	before, _ := asService(svc)
	c := svc.DeepCopyObject().(*compactService)
	c.labels[0].v, c.annotations[0].v = "x", "x"
	c.externalIPs[0], c.lb[0].ip = "x", "x"
	c.nodePort.selector["app"], c.nodePort.ports[0].NodePort = "x", 1
	if after, _ := asService(svc); !reflect.DeepEqual(before, after) {
		t.Errorf("changing a copy changed the Service:\n%#v\n%#v", before, after)
	}

	g := compactOf(t, slimIngresses, &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: "g", Labels: map[string]string{"a": "b"}},
		Spec:   networkingv1.IngressSpec{IngressClassName: ptr.To("nginx"), Rules: []networkingv1.IngressRule{{Host: "h"}}, TLS: []networkingv1.IngressTLS{{Hosts: []string{"t"}}}},
		Status: networkingv1.IngressStatus{LoadBalancer: networkingv1.IngressLoadBalancerStatus{Ingress: []networkingv1.IngressLoadBalancerIngress{{IP: "1.2.3.4"}}}}}).(*compactIngress)
	ibefore, _ := asIngress(g)
	gc := g.DeepCopyObject().(*compactIngress)
	*gc.class, gc.hosts[0], gc.tlsHosts[0][0], gc.lb[0].ip, gc.labels[0].v = "x", "x", "x", "x", "x"
	if iafter, _ := asIngress(g); !reflect.DeepEqual(ibefore, iafter) {
		t.Errorf("changing a copy changed the Ingress:\n%#v\n%#v", ibefore, iafter)
	}
}

// BenchmarkCachedObjects is the heap a cached object holds, as the slim
// informers keep it (compact) and as they kept it before, the API type
// with the same fields set (api): 10^4 LoadBalancer Services or Ingresses
// of one address each, decoded from JSON as from a watch.
func BenchmarkCachedObjects(b *testing.B) {
	const n = 10_000
	svc := func(i int) any {
		return lbService(fmt.Sprintf("ns-%d", i%50), fmt.Sprintf("svc-%d", i), map[string]string{"app": fmt.Sprintf("app-%d", i%100)})
	}
	ing := func(i int) any {
		return &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: fmt.Sprintf("ns-%d", i%50), Name: fmt.Sprintf("ing-%d", i), UID: "uid",
			ResourceVersion: "7", Annotations: map[string]string{"external-dns.alpha.kubernetes.io/ttl": "60"}},
			Spec: networkingv1.IngressSpec{IngressClassName: ptr.To("nginx"), Rules: []networkingv1.IngressRule{{Host: fmt.Sprintf("ing-%d.example.com", i)}}},
			Status: networkingv1.IngressStatus{LoadBalancer: networkingv1.IngressLoadBalancerStatus{Ingress: []networkingv1.IngressLoadBalancerIngress{
				{IP: fmt.Sprintf("10.1.%d.%d", i>>8&255, i&255)}}}}}
	}
	for _, c := range []struct {
		name string
		k    kind
		make func(int) any
		api  func(any) any
	}{
		{"service", slimServices, svc, func(o any) any { s, _ := asService(o); return s }},
		{"ingress", slimIngresses, ing, func(o any) any { g, _ := asIngress(o); return g }},
	} {
		data := make([][]byte, n)
		for i := range data {
			data[i], _ = json.Marshal(c.make(i))
		}
		for _, form := range []string{"compact", "api"} {
			b.Run(c.name+"/"+form, func(b *testing.B) {
				var before, after runtime.MemStats
				for range b.N {
					in := newInterner()
					runtime.GC()
					runtime.ReadMemStats(&before)
					kept := make([]any, n)
					for i, d := range data {
						o, err := c.k.decode(d, in)
						if err != nil {
							b.Fatal(err)
						}
						if form == "api" {
							kept[i] = c.api(o)
						} else {
							kept[i] = o
						}
					}
					runtime.GC()
					runtime.ReadMemStats(&after)
					b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "live-B/object")
					runtime.KeepAlive(kept)
					runtime.KeepAlive(in)
				}
			})
		}
	}
}

// TestSlimClusterListers: a slim Cluster caches the compact types and
// lists through their listers; any other lists as client-go does.
func TestSlimClusterListers(t *testing.T) {
	for _, slim := range []bool{false, true} {
		c, err := NewClusterForConfig(&rest.Config{Host: "http://127.0.0.1:1"}, "")
		if err != nil {
			t.Fatal(err)
		}
		c.SetSlimObjects(slim)
		_, sl := c.Services()
		_, il := c.Ingresses()
		_, compactS := sl.(serviceLister)
		_, compactI := il.(ingressLister)
		if compactS != slim || compactI != slim {
			t.Errorf("slim %v: Service lister %T, Ingress lister %T", slim, sl, il)
		}
	}
}
