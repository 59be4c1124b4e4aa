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
// one. They convert to the compact types the cache holds (compact.go).

var (
	slimServices = kindOf[serviceSlimWire](schema.GroupVersionResource{Version: "v1", Resource: "services"},
		func() runtime.Object { return &compactService{} })
	slimIngresses = kindOf[ingressSlimWire](schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"},
		func() runtime.Object { return &compactIngress{} })
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
	svc := &compactService{compactMeta: w.Metadata.compact(in),
		typ: corev1.ServiceType(in.str(string(s.Type))), clusterIP: s.ClusterIP, externalIPs: s.ExternalIPs,
		externalName: s.ExternalName, externalTrafficPolicy: corev1.ServiceExternalTrafficPolicy(in.str(string(s.ExternalTrafficPolicy))),
		lb: w.Status.LoadBalancer.addresses()}
	if s.Type == corev1.ServiceTypeNodePort {
		// Only a NodePort Service's records read its ports, and its
		// selector (with policy Local) picks the nodes.
		np := &nodePortSpec{selector: in.labels(s.Selector), ports: make([]corev1.ServicePort, len(s.Ports))}
		for i, p := range s.Ports {
			np.ports[i] = corev1.ServicePort{Protocol: corev1.Protocol(in.str(string(p.Protocol))), NodePort: p.NodePort}
		}
		svc.nodePort = np
	}
	return svc
}

func (lb *loadBalancerWire) addresses() []lbAddress {
	if len(lb.Ingress) == 0 {
		return nil
	}
	out := make([]lbAddress, len(lb.Ingress))
	for i, a := range lb.Ingress {
		out[i] = lbAddress{ip: a.IP, hostname: a.Hostname}
	}
	return out
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
	ing := &compactIngress{compactMeta: w.Metadata.compact(in), lb: w.Status.LoadBalancer.addresses()}
	if c := w.Spec.IngressClassName; c != nil {
		class := in.str(*c)
		ing.class = &class
	}
	if len(w.Spec.Rules) > 0 {
		ing.hosts = make([]string, len(w.Spec.Rules))
		for i, r := range w.Spec.Rules {
			ing.hosts[i] = r.Host
		}
	}
	if len(w.Spec.TLS) > 0 {
		// The secret is never read.
		ing.tlsHosts = make([][]string, len(w.Spec.TLS))
		for i, t := range w.Spec.TLS {
			ing.tlsHosts[i] = t.Hosts
		}
	}
	return ing
}
