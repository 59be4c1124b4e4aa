// Package service converts Kubernetes Services into endpoints.
//
// It is a pure function of the Service and the nodes that may serve it, so
// that the Kubernetes watch and the tests share it unchanged. Headless
// Services (clusterIP None), whose records come from EndpointSlices and
// Pods, are not handled here and yield nothing.
package service

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/exodns/exodns/internal/annotations"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/source"
)

// Endpoints returns the records a Service asks for.
//
// nodes are the nodes whose addresses a NodePort Service publishes: every
// node, or with externalTrafficPolicy Local only those running its pods
// (see Nodes). Hostnames come from the hostname annotation (public
// targets) and the internal-hostname annotation (the ClusterIP), and from
// --fqdn-template when neither is set or with --combine-fqdn-annotation.
func Endpoints(svc *corev1.Service, nodes []*corev1.Node, opts source.Options) source.Result {
	if svc == nil || !typeSelected(svc, opts.ServiceTypeFilter) {
		return source.Result{}
	}
	ref := source.NewObjectRef("v1", "Service", &svc.ObjectMeta)
	b, ok := source.StartAnnotated(ref, &svc.ObjectMeta, opts)
	if !ok {
		return source.Result{}
	}
	var hosts, internal []string
	if !opts.IgnoreHostnameAnnotation {
		hosts = slices.Clone(b.Values.Hostnames)
		internal = b.Values.InternalHostnames
	}
	hosts = append(hosts, b.TemplateHostnames(opts, withTypeMeta(svc), len(hosts)+len(internal) > 0)...)
	b.EmptyReason = emptyReason(svc, opts)

	for _, h := range hosts {
		addHost(b, svc, nodes, opts, h, false)
	}
	for _, h := range internal {
		addHost(b, svc, nodes, opts, h, true)
	}
	return b.Result()
}

// withTypeMeta returns a shallow copy with Kind set, for templates using
// .Kind; the informer's object must not be written to.
func withTypeMeta(svc *corev1.Service) *corev1.Service {
	c := *svc
	c.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Service"}
	return &c
}

func serviceType(svc *corev1.Service) corev1.ServiceType {
	if svc.Spec.Type == "" {
		return corev1.ServiceTypeClusterIP // the API server's default
	}
	return svc.Spec.Type
}

func typeSelected(svc *corev1.Service, filter []string) bool {
	if len(filter) == 0 {
		return true
	}
	t := string(serviceType(svc))
	return slices.ContainsFunc(filter, func(f string) bool { return strings.EqualFold(strings.TrimSpace(f), t) })
}

// addHost adds the records of one hostname. The target annotation replaces
// every discovered target, NodePort SRV records included, as upstream does.
func addHost(b *source.Builder, svc *corev1.Service, nodes []*corev1.Node, opts source.Options, host string, internal bool) {
	if len(b.Values.Targets) > 0 {
		b.AddHost(host, opts.Targets(b.Values.Targets, nil))
		return
	}
	b.AddHost(host, opts.Targets(nil, discover(svc, nodes, b.Values.Access, opts.PublishInternal, internal)))
	if serviceType(svc) == corev1.ServiceTypeNodePort {
		addSRV(b, svc, host)
	}
}

// discover finds the targets in the Service's spec and status.
func discover(svc *corev1.Service, nodes []*corev1.Node, access annotations.Access, publishInternal, internal bool) []string {
	switch serviceType(svc) {
	case corev1.ServiceTypeLoadBalancer:
		if internal {
			return clusterIP(svc)
		}
		return loadBalancerTargets(svc)
	case corev1.ServiceTypeClusterIP:
		if internal || publishInternal {
			return clusterIP(svc)
		}
	case corev1.ServiceTypeNodePort:
		return nodeTargets(nodes, access)
	case corev1.ServiceTypeExternalName:
		if len(svc.Spec.ExternalIPs) > 0 {
			return svc.Spec.ExternalIPs
		}
		if svc.Spec.ExternalName != "" {
			return []string{svc.Spec.ExternalName}
		}
	}
	return nil
}

// emptyReason says why a Service may yield no target, for the report that
// tells users why their name does not resolve.
func emptyReason(svc *corev1.Service, opts source.Options) string {
	switch serviceType(svc) {
	case corev1.ServiceTypeLoadBalancer:
		return "status.loadBalancer.ingress is empty: the load balancer has no address yet"
	case corev1.ServiceTypeClusterIP:
		if svc.Spec.ClusterIP == corev1.ClusterIPNone {
			return "a headless Service has no address of its own to publish"
		}
		if !opts.PublishInternal {
			return "a ClusterIP Service is published only with --publish-internal-services or the internal-hostname annotation"
		}
		return "the Service has no ClusterIP yet"
	case corev1.ServiceTypeNodePort:
		return "no node has an address of the kind asked for (access annotation)"
	}
	return "the Service has no externalIPs and no externalName"
}

func clusterIP(svc *corev1.Service) []string {
	ip := svc.Spec.ClusterIP
	if ip == "" || ip == corev1.ClusterIPNone {
		return nil
	}
	return []string{ip}
}

// loadBalancerTargets prefers spec.externalIPs, which an operator sets to
// the addresses that really receive traffic, over the status.
func loadBalancerTargets(svc *corev1.Service) []string {
	if len(svc.Spec.ExternalIPs) > 0 {
		return svc.Spec.ExternalIPs
	}
	var out []string
	for _, in := range svc.Status.LoadBalancer.Ingress {
		if in.IP != "" {
			out = append(out, in.IP)
		}
		if in.Hostname != "" {
			out = append(out, in.Hostname)
		}
	}
	return out
}

// addSRV publishes each node port as _<service>._<protocol>.<host>, as
// upstream does. A wildcard host is skipped: no SRV name can hold it.
func addSRV(b *source.Builder, svc *corev1.Service, host string) {
	if strings.HasPrefix(host, "*") {
		return
	}
	for _, p := range svc.Spec.Ports {
		if p.NodePort <= 0 {
			continue
		}
		proto := strings.ToLower(string(p.Protocol))
		if proto == "" {
			proto = "tcp"
		}
		name := fmt.Sprintf("_%s._%s.%s", svc.Name, proto, host)
		b.AddRecord(name, endpoint.RecordTypeSRV, fmt.Sprintf("0 50 %d %s", p.NodePort, host))
	}
}
