package kube

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
)

// richObjects are objects with everything Transform strips and keeps, as
// an API server sends them.
func richObjects() map[string]runtime.Object {
	meta := noisyMeta()
	meta.Finalizers = []string{"f"}
	meta.CreationTimestamp = metav1.Unix(1600000000, 0)
	return map[string]runtime.Object{
		"services": &corev1.Service{ObjectMeta: meta, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort,
			Selector: map[string]string{"app": "web"}, ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal,
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, NodePort: 30080}}},
			Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: "203.0.113.1", Hostname: "lb.example.com"}}}}},
		"ingresses": &networkingv1.Ingress{ObjectMeta: meta, Spec: networkingv1.IngressSpec{
			Rules: []networkingv1.IngressRule{{Host: "a.example.com"}}, TLS: []networkingv1.IngressTLS{{Hosts: []string{"a.example.com"}}}},
			Status: networkingv1.IngressStatus{LoadBalancer: networkingv1.IngressLoadBalancerStatus{Ingress: []networkingv1.IngressLoadBalancerIngress{{IP: "203.0.113.2"}}}}},
		"pods": &corev1.Pod{ObjectMeta: meta,
			Spec: corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{Name: "c", Image: "img", Args: []string{"--big"}}}},
			Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "10.1.1.1", Conditions: []corev1.PodCondition{
				{Type: corev1.PodScheduled, Status: corev1.ConditionTrue},
				{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "r", Message: "m"}}}},
		"nodes": &corev1.Node{ObjectMeta: meta, Spec: corev1.NodeSpec{PodCIDR: "10.2.0.0/24"},
			Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{{Type: corev1.NodeExternalIP, Address: "198.51.100.1"}},
				Images: []corev1.ContainerImage{{Names: []string{"big"}, SizeBytes: 1 << 30}}}},
		"configmaps": &corev1.ConfigMap{ObjectMeta: meta, Data: map[string]string{"example.com": "42 00ff"}},
	}
}

func kindByResource(t *testing.T, resource string) kind {
	t.Helper()
	for _, k := range []kind{services, ingresses, pods, nodes, configMaps} {
		if k.gvr.Resource == resource {
			return k
		}
	}
	t.Fatalf("no kind %s", resource)
	return kind{}
}

// TestWireDecodesWhatTransformKeeps: an object decoded through its wire
// type and then transformed is the object the typed client's full
// decoding gave after Transform, and already lacks the managed fields.
func TestWireDecodesWhatTransformKeeps(t *testing.T) {
	for resource, full := range richObjects() {
		t.Run(resource, func(t *testing.T) {
			data, err := json.Marshal(full)
			if err != nil {
				t.Fatal(err)
			}
			k := kindByResource(t, resource)
			got, err := k.decode(data, newInterner())
			if err != nil {
				t.Fatal(err)
			}
			if reflect.TypeOf(got) != reflect.TypeOf(k.newObject()) {
				t.Fatalf("decoded a %T", got)
			}
			if mf := got.(metav1.Object).GetManagedFields(); mf != nil {
				t.Errorf("managed fields decoded: %v", mf)
			}
			want, _ := Transform(full.DeepCopyObject())
			slim, _ := Transform(got)
			if !reflect.DeepEqual(slim, want) {
				t.Errorf("decoded and transformed\n%#v\nwant\n%#v", slim, want)
			}
		})
	}
}

func TestDecodeList(t *testing.T) {
	svc := richObjects()["services"].(*corev1.Service)
	data, _ := json.Marshal(corev1.ServiceList{ListMeta: metav1.ListMeta{ResourceVersion: "99", Continue: "next"},
		Items: []corev1.Service{*svc, *svc}})
	l, err := services.decodeList(bytes.NewReader(data), newInterner())
	if err != nil {
		t.Fatal(err)
	}
	if l.ResourceVersion != "99" || l.Continue != "next" || len(l.Items) != 2 {
		t.Fatalf("list %+v", l)
	}
	if s := l.Items[1].(*corev1.Service); s.Name != svc.Name || s.Spec.Type != svc.Spec.Type {
		t.Errorf("item %+v", s)
	}
	if c := l.DeepCopyObject().(*objectList); c.Items[0] == l.Items[0] || !reflect.DeepEqual(c, l) {
		t.Error("DeepCopyObject shares items or differs")
	}
}

// TestEventDecoder reads a watch stream as the reflector gets it: objects,
// the bookmark that ends a streaming list (its annotation must survive the
// Pod wire type, which keeps none), and an expired resourceVersion.
func TestEventDecoder(t *testing.T) {
	pod, _ := json.Marshal(richObjects()["pods"])
	stream := `{"type":"ADDED","object":` + string(pod) + `}
{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12","annotations":{"k8s.io/initial-events-end":"true"}}}}
{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version","reason":"Expired","code":410}}
{"type":"ODD","object":{}}
`
	d := &eventDecoder{body: io.NopCloser(strings.NewReader(stream)), kind: pods}
	d.dec = json.NewDecoder(d.body)
	typ, obj, err := d.Decode()
	if err != nil || typ != watch.Added || obj.(*corev1.Pod).Spec.NodeName != "n1" {
		t.Fatalf("first event %v %v %v", typ, obj, err)
	}
	typ, obj, err = d.Decode()
	if err != nil || typ != watch.Bookmark {
		t.Fatalf("bookmark %v %v", typ, err)
	}
	if p := obj.(*corev1.Pod); p.ResourceVersion != "12" || p.Annotations["k8s.io/initial-events-end"] != "true" {
		t.Errorf("bookmark %+v", p.ObjectMeta)
	}
	typ, obj, err = d.Decode()
	if err != nil || typ != watch.Error || !apierrors.IsResourceExpired(apierrors.FromObject(obj)) {
		t.Errorf("error event %v %#v %v", typ, obj, err)
	}
	if _, _, err = d.Decode(); err == nil {
		t.Error("an unknown event type was accepted")
	}
	if _, _, err = d.Decode(); err != io.EOF {
		t.Errorf("end of stream: %v", err)
	}
}
