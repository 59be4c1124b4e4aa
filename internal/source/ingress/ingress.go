// Package ingress converts Kubernetes Ingresses into endpoints.
//
// It is a pure function of the Ingress, shared by the Kubernetes watch and
// the tests.
package ingress

import (
	"slices"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/exodns/exodns/internal/annotations"
	"github.com/exodns/exodns/internal/source"
)

// ClassAnnotation is the pre-IngressClass way of naming an Ingress's
// controller, still honoured by --ingress-class.
const ClassAnnotation = "kubernetes.io/ingress.class"

// Endpoints returns the records an Ingress asks for: its rule hosts, its
// TLS hosts and its hostname annotation (each unless disabled by a flag,
// and restricted by the ingress-hostname-source annotation), or
// --fqdn-template names, all pointing at the target annotation or else at
// the load balancer in its status. An Ingress without targets yields
// nothing: it has no address yet.
func Endpoints(ing *networkingv1.Ingress, opts source.Options) source.Result {
	if ing == nil || !classSelected(ing, opts.IngressClassNames) {
		return source.Result{}
	}
	ref := source.NewObjectRef("networking.k8s.io/v1", "Ingress", &ing.ObjectMeta)
	b, ok := source.StartAnnotated(ref, &ing.ObjectMeta, opts)
	if !ok {
		return source.Result{}
	}
	hosts := hostnames(ing, b.Values, opts)
	hosts = append(hosts, b.TemplateHostnames(opts, withTypeMeta(ing), len(hosts) > 0)...)

	targets := opts.Targets(b.Values.Targets, statusTargets(ing))
	b.EmptyReason = "status.loadBalancer.ingress is empty: the ingress controller has not given it an address yet"
	for _, h := range hosts {
		b.AddHost(h, targets)
	}
	return b.Result()
}

// hostnames gathers the hosts the Ingress defines and those its hostname
// annotation adds, keeping those the ingress-hostname-source annotation
// allows. An invalid ingress-hostname-source is reported by the parser and
// then, as upstream, means both.
func hostnames(ing *networkingv1.Ingress, v annotations.Values, opts source.Options) []string {
	var defined []string
	if !opts.IgnoreIngressRulesSpec {
		for _, r := range ing.Spec.Rules {
			if r.Host != "" {
				defined = append(defined, r.Host)
			}
		}
	}
	if !opts.IgnoreIngressTLSSpec {
		for _, t := range ing.Spec.TLS {
			for _, h := range t.Hosts {
				if h != "" {
					defined = append(defined, h)
				}
			}
		}
	}
	var annotated []string
	if !opts.IgnoreHostnameAnnotation {
		annotated = slices.Clone(v.Hostnames)
	}
	switch v.IngressHostnameSource {
	case annotations.HostnameSourceAnnotationOnly:
		return annotated
	case annotations.HostnameSourceDefinedHostsOnly:
		return defined
	}
	return append(defined, annotated...)
}

func statusTargets(ing *networkingv1.Ingress) []string {
	var out []string
	for _, in := range ing.Status.LoadBalancer.Ingress {
		if in.IP != "" {
			out = append(out, in.IP)
		}
		if in.Hostname != "" {
			out = append(out, in.Hostname)
		}
	}
	return out
}

// classSelected applies --ingress-class: spec.ingressClassName when set,
// else the legacy class annotation.
func classSelected(ing *networkingv1.Ingress, classes []string) bool {
	if len(classes) == 0 {
		return true
	}
	class := ing.Annotations[ClassAnnotation]
	if ing.Spec.IngressClassName != nil {
		class = *ing.Spec.IngressClassName
	} else if _, ok := ing.Annotations[ClassAnnotation]; !ok {
		return false
	}
	return slices.ContainsFunc(classes, func(c string) bool { return strings.TrimSpace(c) == class })
}

// withTypeMeta returns a shallow copy with Kind set, for templates using
// .Kind; the informer's object must not be written to.
func withTypeMeta(ing *networkingv1.Ingress) *networkingv1.Ingress {
	c := *ing
	c.TypeMeta = metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"}
	return &c
}
