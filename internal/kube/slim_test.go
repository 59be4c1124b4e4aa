package kube

import (
	"encoding/json"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/exodns/exodns/internal/source"
	"github.com/exodns/exodns/internal/source/ingress"
	"github.com/exodns/exodns/internal/source/service"
)

const hostnameAnnotation = "external-dns.alpha.kubernetes.io/hostname"

// fullSpec is a Service spec with every field an API server fills in.
func fullSpec(typ corev1.ServiceType) corev1.ServiceSpec {
	return corev1.ServiceSpec{Type: typ, ClusterIP: "10.0.0.10", ClusterIPs: []string{"10.0.0.10", "fd00::10"},
		IPFamilies: []corev1.IPFamily{corev1.IPv4Protocol, corev1.IPv6Protocol}, IPFamilyPolicy: ptr.To(corev1.IPFamilyPolicyPreferDualStack),
		SessionAffinity: corev1.ServiceAffinityClientIP, SessionAffinityConfig: &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: ptr.To[int32](60)}},
		Selector: map[string]string{"app": "web"}, ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal,
		InternalTrafficPolicy: ptr.To(corev1.ServiceInternalTrafficPolicyCluster), AllocateLoadBalancerNodePorts: ptr.To(true),
		HealthCheckNodePort: 31000, LoadBalancerSourceRanges: []string{"0.0.0.0/0"},
		Ports: []corev1.ServicePort{{Name: "http", Protocol: corev1.ProtocolTCP, Port: 80, TargetPort: intstr.FromInt32(8080), NodePort: 30080},
			{Name: "dns", Protocol: corev1.ProtocolUDP, Port: 53, NodePort: 30053}}}
}

func slimTestMeta() metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: "web", Namespace: "shop", UID: "u", ResourceVersion: "9", Generation: 3,
		Labels:      map[string]string{"app": "web"},
		Annotations: map[string]string{hostnameAnnotation: "web.example.com", LastAppliedAnnotation: "{}"},
		Finalizers:  []string{"service.kubernetes.io/load-balancer-cleanup"}, CreationTimestamp: metav1.Unix(1600000000, 0)}
}

func lbStatus() corev1.ServiceStatus {
	return corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{
		{IP: "203.0.113.1", IPMode: ptr.To(corev1.LoadBalancerIPModeVIP), Ports: []corev1.PortStatus{{Port: 80}}}, {Hostname: "lb.example.com"}}}}
}

// TestSlimServices: a Service decoded slim keeps exactly the fields the
// service source reads, and the source makes the same records of it as of
// the whole object, for every type of Service.
func TestSlimServices(t *testing.T) {
	meta := slimTestMeta()
	// Finalizers and the creation time are not kept: no source reads them.
	slimMeta := metav1.ObjectMeta{Name: "web", Namespace: "shop", UID: "u", ResourceVersion: "9", Generation: 3,
		Labels: map[string]string{"app": "web"}, Annotations: map[string]string{hostnameAnnotation: "web.example.com"}}
	slimLBStatus := corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: "203.0.113.1"}, {Hostname: "lb.example.com"}}}}
	nodes := []*corev1.Node{{ObjectMeta: metav1.ObjectMeta{Name: "n1"}, Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{{Type: corev1.NodeExternalIP, Address: "198.51.100.1"}}}}}
	tests := []struct {
		name string
		svc  corev1.Service
		want corev1.Service
	}{
		{name: "load balancer",
			svc: corev1.Service{ObjectMeta: meta, Spec: fullSpec(corev1.ServiceTypeLoadBalancer), Status: lbStatus()},
			want: corev1.Service{ObjectMeta: slimMeta, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, ClusterIP: "10.0.0.10",
				ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal}, Status: slimLBStatus}},
		{name: "load balancer with external IPs",
			svc: func() corev1.Service {
				s := corev1.Service{ObjectMeta: meta, Spec: fullSpec(corev1.ServiceTypeLoadBalancer)}
				s.Spec.ExternalIPs = []string{"192.0.2.7"}
				return s
			}(),
			want: corev1.Service{ObjectMeta: slimMeta, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, ClusterIP: "10.0.0.10",
				ExternalIPs: []string{"192.0.2.7"}, ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal}}},
		{name: "node port: ports and selector kept",
			svc: corev1.Service{ObjectMeta: meta, Spec: fullSpec(corev1.ServiceTypeNodePort)},
			want: corev1.Service{ObjectMeta: slimMeta, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, ClusterIP: "10.0.0.10",
				Selector: map[string]string{"app": "web"}, ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal,
				Ports: []corev1.ServicePort{{Protocol: corev1.ProtocolTCP, NodePort: 30080}, {Protocol: corev1.ProtocolUDP, NodePort: 30053}}}}},
		{name: "cluster IP",
			svc: corev1.Service{ObjectMeta: meta, Spec: fullSpec(corev1.ServiceTypeClusterIP)},
			want: corev1.Service{ObjectMeta: slimMeta, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, ClusterIP: "10.0.0.10",
				ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal}}},
		{name: "external name",
			svc:  corev1.Service{ObjectMeta: meta, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "up.example.org"}},
			want: corev1.Service{ObjectMeta: slimMeta, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "up.example.org"}}},
	}
	opts := source.Options{PublishInternal: true}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := json.Marshal(tt.svc)
			if err != nil {
				t.Fatal(err)
			}
			obj, err := slimServices.decode(data, newInterner())
			if err != nil {
				t.Fatal(err)
			}
			slim, ok := asService(obj)
			if _, compact := obj.(*compactService); !compact || !ok {
				t.Fatalf("slim decode gave a %T", obj)
			}
			if !reflect.DeepEqual(slim, &tt.want) {
				t.Errorf("slim Service\n%#v\nwant\n%#v", slim, &tt.want)
			}
			whole, err := services.decode(data, newInterner())
			if err != nil {
				t.Fatal(err)
			}
			got, want := service.Endpoints(slim, nodes, opts), service.Endpoints(whole.(*corev1.Service), nodes, opts)
			if len(want.Endpoints) == 0 {
				t.Fatal("the whole Service gives no records: the case tests nothing")
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("records of the slim Service\n%v\nof the whole one\n%v", got, want)
			}
		})
	}
}

// TestSlimIngresses: an Ingress decoded slim keeps its hosts, TLS hosts,
// class and addresses, and none of its paths, backends or secrets.
func TestSlimIngresses(t *testing.T) {
	backend := networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}}
	full := networkingv1.Ingress{ObjectMeta: slimTestMeta(), Spec: networkingv1.IngressSpec{IngressClassName: ptr.To("nginx"), DefaultBackend: &backend,
		Rules: []networkingv1.IngressRule{{Host: "a.example.com", IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
			Paths: []networkingv1.HTTPIngressPath{{Path: "/", PathType: ptr.To(networkingv1.PathTypePrefix), Backend: backend}}}}}, {Host: "b.example.com"}},
		TLS: []networkingv1.IngressTLS{{Hosts: []string{"c.example.com"}, SecretName: "tls"}}},
		Status: networkingv1.IngressStatus{LoadBalancer: networkingv1.IngressLoadBalancerStatus{Ingress: []networkingv1.IngressLoadBalancerIngress{
			{IP: "203.0.113.2", Ports: []networkingv1.IngressPortStatus{{Port: 443}}}}}}}
	wantMeta := slimTestMeta()
	wantMeta.Finalizers, wantMeta.CreationTimestamp = nil, metav1.Time{}
	want := networkingv1.Ingress{ObjectMeta: wantMeta, Spec: networkingv1.IngressSpec{IngressClassName: ptr.To("nginx"),
		Rules: []networkingv1.IngressRule{{Host: "a.example.com"}, {Host: "b.example.com"}},
		TLS:   []networkingv1.IngressTLS{{Hosts: []string{"c.example.com"}}}},
		Status: networkingv1.IngressStatus{LoadBalancer: networkingv1.IngressLoadBalancerStatus{Ingress: []networkingv1.IngressLoadBalancerIngress{{IP: "203.0.113.2"}}}}}
	delete(want.Annotations, LastAppliedAnnotation)
	data, _ := json.Marshal(full)
	decoded, err := slimIngresses.decode(data, newInterner())
	if err != nil {
		t.Fatal(err)
	}
	obj, ok := asIngress(decoded)
	if _, compact := decoded.(*compactIngress); !compact || !ok {
		t.Fatalf("slim decode gave a %T", decoded)
	}
	if !reflect.DeepEqual(obj, &want) {
		t.Errorf("slim Ingress\n%#v\nwant\n%#v", obj, &want)
	}
	whole, _ := ingresses.decode(data, newInterner())
	for _, opts := range []source.Options{{}, {IngressClassNames: []string{"nginx"}}, {IngressClassNames: []string{"other"}}} {
		got, want := ingress.Endpoints(obj, opts), ingress.Endpoints(whole.(*networkingv1.Ingress), opts)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: records of the slim Ingress\n%v\nof the whole one\n%v", opts, got, want)
		}
	}
}

// FuzzSlimSameRecords: for any Service or Ingress the API could send, the
// slim decoder's compact object, read back through its lister's
// conversion, gives the sources exactly the records and problems the
// whole object gives.
func FuzzSlimSameRecords(f *testing.F) {
	for _, typ := range []corev1.ServiceType{corev1.ServiceTypeLoadBalancer, corev1.ServiceTypeNodePort, corev1.ServiceTypeClusterIP} {
		data, _ := json.Marshal(corev1.Service{ObjectMeta: slimTestMeta(), Spec: fullSpec(typ), Status: lbStatus()})
		f.Add(data)
	}
	data, _ := json.Marshal(networkingv1.Ingress{ObjectMeta: slimTestMeta(), Spec: networkingv1.IngressSpec{IngressClassName: ptr.To("nginx"),
		Rules: []networkingv1.IngressRule{{Host: "a.example.com"}}, TLS: []networkingv1.IngressTLS{{Hosts: []string{"t.example.com"}}}},
		Status: networkingv1.IngressStatus{LoadBalancer: networkingv1.IngressLoadBalancerStatus{Ingress: []networkingv1.IngressLoadBalancerIngress{{Hostname: "lb.example.com"}}}}})
	f.Add(data)
	f.Add([]byte(`{"metadata":{"name":"x","annotations":{"external-dns.alpha.kubernetes.io/hostname":"x.example.com","external-dns.alpha.kubernetes.io/ttl":"60"}},"spec":{"type":"ExternalName","externalName":"up.example.org"}}`))
	nodes := []*corev1.Node{{ObjectMeta: metav1.ObjectMeta{Name: "n1", Labels: map[string]string{"app": "web"}},
		Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{{Type: corev1.NodeExternalIP, Address: "198.51.100.1"}}}}}
	optSets := []source.Options{{}, {PublishInternal: true, PublishHostIP: true}, {IngressClassNames: []string{"nginx"}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		if whole, err := services.decode(data, nil); err == nil {
			obj, err := slimServices.decode(data, newInterner())
			if err != nil {
				t.Fatalf("whole Service decoded, slim did not: %v", err)
			}
			slim, _ := asService(obj)
			for _, opts := range optSets {
				got, want := service.Endpoints(slim, nodes, opts), service.Endpoints(whole.(*corev1.Service), nodes, opts)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%+v: records of the slim Service\n%v\nof the whole one\n%v", opts, got, want)
				}
			}
		}
		if whole, err := ingresses.decode(data, nil); err == nil {
			obj, err := slimIngresses.decode(data, newInterner())
			if err != nil {
				t.Fatalf("whole Ingress decoded, slim did not: %v", err)
			}
			slim, _ := asIngress(obj)
			for _, opts := range optSets {
				got, want := ingress.Endpoints(slim, opts), ingress.Endpoints(whole.(*networkingv1.Ingress), opts)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%+v: records of the slim Ingress\n%v\nof the whole one\n%v", opts, got, want)
				}
			}
		}
	})
}
