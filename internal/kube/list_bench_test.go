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
	"k8s.io/client-go/rest"
)

// BenchmarkListServices5k is one list of 5,000 LoadBalancer Services as the
// scale test makes them (managed fields of two managers, an address),
// through the client and the slim decoder, served over HTTP: what the
// informer's first list costs. B/op counts the response body too.
func BenchmarkListServices5k(b *testing.B) {
	items := make([]corev1.Service, 5000)
	for i := range items {
		items[i] = corev1.Service{TypeMeta: metav1.TypeMeta{Kind: "Service", APIVersion: "v1"},
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("svc-", i), Namespace: "scale", UID: "0b7c8a4e-5d3f-4c2a-9e1b-7f6d5c4b3a29",
				ResourceVersion: fmt.Sprint(100000 + i), CreationTimestamp: metav1.Unix(1700000000, 0),
				Annotations: map[string]string{"external-dns.alpha.kubernetes.io/hostname": fmt.Sprintf("svc-%d.example.com", i)},
				ManagedFields: []metav1.ManagedFieldsEntry{
					{Manager: "scale.test", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1", FieldsType: "FieldsV1",
						FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:metadata":{"f:annotations":{".":{},"f:external-dns.alpha.kubernetes.io/hostname":{}}},"f:spec":{"f:allocateLoadBalancerNodePorts":{},"f:externalTrafficPolicy":{},"f:internalTrafficPolicy":{},"f:ports":{".":{},"k:{\"port\":80,\"protocol\":\"TCP\"}":{".":{},"f:port":{},"f:protocol":{},"f:targetPort":{}}},"f:sessionAffinity":{},"f:type":{}}}`)}},
					{Manager: "scale.test", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1", FieldsType: "FieldsV1", Subresource: "status",
						FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:status":{"f:loadBalancer":{"f:ingress":{}}}}`)}}}},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, ClusterIP: "10.0.0.1", ClusterIPs: []string{"10.0.0.1"},
				IPFamilies: []corev1.IPFamily{corev1.IPv4Protocol}, SessionAffinity: corev1.ServiceAffinityNone,
				ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyCluster,
				Ports:                 []corev1.ServicePort{{Port: 80, Protocol: corev1.ProtocolTCP, NodePort: 30000 + int32(i%2000)}}},
			Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: fmt.Sprintf("10.100.%d.%d", i>>8&255, i&255)}}}}}
	}
	body, err := json.Marshal(corev1.ServiceList{TypeMeta: metav1.TypeMeta{Kind: "ServiceList", APIVersion: "v1"},
		ListMeta: metav1.ListMeta{ResourceVersion: "200000"}, Items: items})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	c, err := NewClient(&rest.Config{Host: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	lw := c.listWatch(slimServices, "", nil)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		l, err := lw.ListWithContextFunc(context.Background(), metav1.ListOptions{ResourceVersion: "0"})
		if err != nil {
			b.Fatal(err)
		}
		if n := len(l.(*objectList).Items); n != len(items) {
			b.Fatalf("%d items", n)
		}
	}
}
