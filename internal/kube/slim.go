package kube

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The slim wire types hold only what the service and ingress sources read
// (internal/source/service and internal/source/ingress), for a cluster
// whose sources run no --fqdn-template: a template may read any field of
// the object, so with one the whole wire types are used. What they skip
// is most of a Service's spec (cluster IPs, IP families, session
// affinity, and the selector unless a NodePort Service's nodes are picked
// by its pods) and an Ingress's paths and backends, the bulk of a real
// one.

var (
	slimServices = kindOf[serviceSlimWire](schema.GroupVersionResource{Version: "v1", Resource: "services"},
		func() runtime.Object { return &corev1.Service{} })
	slimIngresses = kindOf[ingressSlimWire](schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"},
		func() runtime.Object { return &networkingv1.Ingress{} })
)

type serviceSlimWire struct {
	Metadata wireMeta `json:"metadata"`
	Spec     struct {
		Type                  corev1.ServiceType                  `json:"type"`
		ClusterIP             string                              `json:"clusterIP"`
		ExternalIPs           []string                            `json:"externalIPs"`
		ExternalName          string                              `json:"externalName"`
		ExternalTrafficPolicy corev1.ServiceExternalTrafficPolicy `json:"externalTrafficPolicy"`
		Selector              map[string]string                   `json:"selector"`
		Ports                 []struct {
			Protocol corev1.Protocol `json:"protocol"`
			NodePort int32           `json:"nodePort"`
		} `json:"ports"`
	} `json:"spec"`
	Status struct {
		LoadBalancer loadBalancerWire `json:"loadBalancer"`
	} `json:"status"`
}

// loadBalancerWire is the load balancer status Services and Ingresses
// share: the addresses their records point at.
type loadBalancerWire struct {
	Ingress []struct {
		IP       string `json:"ip"`
		Hostname string `json:"hostname"`
	} `json:"ingress"`
}

func (w *serviceSlimWire) object(in *interner) runtime.Object {
	s := &w.Spec
	svc := &corev1.Service{ObjectMeta: w.Metadata.meta(in), Spec: corev1.ServiceSpec{
		Type:                  corev1.ServiceType(in.str(string(s.Type))),
		ClusterIP:             s.ClusterIP,
		ExternalIPs:           s.ExternalIPs,
		ExternalName:          s.ExternalName,
		ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicy(in.str(string(s.ExternalTrafficPolicy))),
	}}
	if s.Type == corev1.ServiceTypeNodePort {
		// Only a NodePort Service's records read its ports, and its
		// selector (with policy Local) picks the nodes.
		svc.Spec.Selector = in.labels(s.Selector)
		svc.Spec.Ports = make([]corev1.ServicePort, len(s.Ports))
		for i, p := range s.Ports {
			svc.Spec.Ports[i] = corev1.ServicePort{Protocol: corev1.Protocol(in.str(string(p.Protocol))), NodePort: p.NodePort}
		}
	}
	if ing := w.Status.LoadBalancer.Ingress; len(ing) > 0 {
		svc.Status.LoadBalancer.Ingress = make([]corev1.LoadBalancerIngress, len(ing))
		for i, a := range ing {
			svc.Status.LoadBalancer.Ingress[i] = corev1.LoadBalancerIngress{IP: a.IP, Hostname: a.Hostname}
		}
	}
	return svc
}

type ingressSlimWire struct {
	Metadata wireMeta `json:"metadata"`
	Spec     struct {
		IngressClassName *string `json:"ingressClassName"`
		Rules            []struct {
			Host string `json:"host"`
		} `json:"rules"`
		TLS []networkingv1.IngressTLS `json:"tls"`
	} `json:"spec"`
	Status struct {
		LoadBalancer loadBalancerWire `json:"loadBalancer"`
	} `json:"status"`
}

func (w *ingressSlimWire) object(in *interner) runtime.Object {
	ing := &networkingv1.Ingress{ObjectMeta: w.Metadata.meta(in)}
	if c := w.Spec.IngressClassName; c != nil {
		class := in.str(*c)
		ing.Spec.IngressClassName = &class
	}
	if len(w.Spec.Rules) > 0 {
		ing.Spec.Rules = make([]networkingv1.IngressRule, len(w.Spec.Rules))
		for i, r := range w.Spec.Rules {
			ing.Spec.Rules[i] = networkingv1.IngressRule{Host: r.Host}
		}
	}
	for _, t := range w.Spec.TLS {
		// The secret is never read.
		ing.Spec.TLS = append(ing.Spec.TLS, networkingv1.IngressTLS{Hosts: t.Hosts})
	}
	if lb := w.Status.LoadBalancer.Ingress; len(lb) > 0 {
		ing.Status.LoadBalancer.Ingress = make([]networkingv1.IngressLoadBalancerIngress, len(lb))
		for i, a := range lb {
			ing.Status.LoadBalancer.Ingress[i] = networkingv1.IngressLoadBalancerIngress{IP: a.IP, Hostname: a.Hostname}
		}
	}
	return ing
}
