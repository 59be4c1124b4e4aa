package kube

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func sameString(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }

// TestDecodedObjectsShareStrings: two objects decoded by one client hold
// one copy of their namespace, label keys and values and annotation keys,
// and no last-applied annotation, nor an annotation map it leaves empty.
func TestDecodedObjectsShareStrings(t *testing.T) {
	const hostKey = "external-dns.alpha.kubernetes.io/hostname"
	svc := func(name string, annotations map[string]string) []byte {
		b, _ := json.Marshal(corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "team-a",
			Labels: map[string]string{"app.kubernetes.io/name": "web"}, Annotations: annotations}})
		return b
	}
	tests := []struct {
		name            string
		a, b            map[string]string
		wantAnnotations map[string]string // of b
	}{
		{name: "hostname and last-applied",
			a:               map[string]string{hostKey: "a.example.com", LastAppliedAnnotation: strings.Repeat("x", 512)},
			b:               map[string]string{hostKey: "b.example.com", LastAppliedAnnotation: "{}"},
			wantAnnotations: map[string]string{hostKey: "b.example.com"}},
		{name: "only last-applied",
			a: map[string]string{LastAppliedAnnotation: "{}"},
			b: map[string]string{LastAppliedAnnotation: "{}"}},
		{name: "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := newInterner()
			oa, err := services.decode(svc("a", tt.a), in)
			if err != nil {
				t.Fatal(err)
			}
			ob, err := services.decode(svc("b", tt.b), in)
			if err != nil {
				t.Fatal(err)
			}
			a, b := oa.(*corev1.Service), ob.(*corev1.Service)
			if !reflect.DeepEqual(b.Annotations, tt.wantAnnotations) {
				t.Errorf("annotations %v, want %v", b.Annotations, tt.wantAnnotations)
			}
			if !sameString(a.Namespace, b.Namespace) {
				t.Error("two copies of the namespace")
			}
			for k, v := range b.Labels {
				for ka, va := range a.Labels {
					if !sameString(k, ka) || !sameString(v, va) {
						t.Errorf("two copies of label %s=%s", k, v)
					}
				}
			}
			for k := range b.Annotations {
				for ka := range a.Annotations {
					if k == ka && !sameString(k, ka) {
						t.Errorf("two copies of annotation key %s", k)
					}
				}
			}
		})
	}
}

// TestInternerBounded: past maxInterned strings the table stops growing,
// so unique label values cannot pin memory for good; long strings are
// never kept.
func TestInternerBounded(t *testing.T) {
	in := newInterner()
	for i := range maxInterned + 100 {
		in.str(fmt.Sprint("value-", i))
	}
	in.str(strings.Repeat("y", maxInternedLen+1))
	if len(in.m) != maxInterned {
		t.Errorf("table of %d strings, want %d", len(in.m), maxInterned)
	}
	var nilTable *interner
	if got := nilTable.str("x"); got != "x" {
		t.Errorf("nil interner returned %q", got)
	}
}

// TestIngressDecodeDropsLastApplied is the scale test's Ingress: the
// 512-byte last-applied annotation is all its metadata carries besides
// identity, and none of it is cached.
func TestIngressDecodeDropsLastApplied(t *testing.T) {
	data, _ := json.Marshal(networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: "i", Namespace: "n",
		Annotations: map[string]string{LastAppliedAnnotation: strings.Repeat("x", 512)}}})
	obj, err := ingresses.decode(data, newInterner())
	if err != nil {
		t.Fatal(err)
	}
	if a := obj.(*networkingv1.Ingress).Annotations; a != nil {
		t.Errorf("annotations %v, want nil", a)
	}
}

// BenchmarkDecodeServiceList decodes a list of 1,000 Services as the scale
// test creates them and reports what the decoded objects keep alive
// (retained-B/object): the figure the informer cache grows by per object.
func BenchmarkDecodeServiceList(b *testing.B) {
	items := make([]corev1.Service, 1000)
	for i := range items {
		items[i] = corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("svc-", i), Namespace: "scale-test",
			UID: "0b7c8a4e-5d3f-4c2a-9e1b-7f6d5c4b3a29", ResourceVersion: fmt.Sprint(100000 + i),
			Labels: map[string]string{"app.kubernetes.io/name": "web", "app.kubernetes.io/part-of": "shop"},
			Annotations: map[string]string{"external-dns.alpha.kubernetes.io/hostname": fmt.Sprintf("svc-%d.example.com", i),
				LastAppliedAnnotation: strings.Repeat("x", 512)},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationUpdate}}},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, ClusterIP: "10.0.0.1", ClusterIPs: []string{"10.0.0.1"},
				Ports: []corev1.ServicePort{{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP}}},
			Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: "10.100.0.1"}}}}}
	}
	data, _ := json.Marshal(corev1.ServiceList{Items: items})
	b.ReportAllocs()
	var retained uint64
	for b.Loop() {
		before := heapAfterGC()
		l, err := services.decodeList(bytes.NewReader(data), newInterner())
		if err != nil {
			b.Fatal(err)
		}
		retained += heapAfterGC() - before
		runtime.KeepAlive(l)
	}
	b.ReportMetric(float64(retained)/float64(b.N)/float64(len(items)), "retained-B/object")
}

func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
