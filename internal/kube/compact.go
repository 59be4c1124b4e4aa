package kube

import (
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// The compact types are what the slim Service and Ingress informers cache.
// A cached object lives as long as the process, one per object of the
// cluster, so its size is what the controller's memory grows with: a
// corev1.Service is 592 bytes before any of its strings, most of it spec
// fields and metadata no source reads (finalizers, owner references, the
// creation time, IP families, session affinity), and an Ingress is 352.
// The compact types keep only what the sources read, 208 and 176 bytes
// (Go's size classes), and the listers (compactlister.go) hand the sources
// the API types, made from them on each read: a read is rare next to the
// life of a cached object.

// compactMeta is the metadata the sources, the listers and Events read.
// It implements metav1.Object, so the informer's key functions, its
// resource version tracking and the event handlers take it as they take
// any object; the fields it does not keep read as unset and are not set.
//
// Labels and annotations are kept as sorted lists, not maps: a Go map of
// even one entry is a group of eight slots, 336 bytes, and an object
// has two. The maps are made on each read.
type compactMeta struct {
	name, namespace string
	uid             types.UID
	resourceVersion string
	labels          pairs
	annotations     pairs
	generation      int64
}

// pairs is a map's entries, sorted by key.
type pairs []pair

type pair struct{ k, v string }

// pairsOf returns the entries of m, keys and values passed through key
// and value (for interning).
func pairsOf(m map[string]string, key, value func(string) string) pairs {
	if len(m) == 0 {
		return nil
	}
	out := make(pairs, 0, len(m))
	for k, v := range m {
		out = append(out, pair{key(k), value(v)})
	}
	slices.SortFunc(out, func(a, b pair) int { return strings.Compare(a.k, b.k) })
	return out
}

func same(s string) string { return s }

// asMap is p as a map; nil when p is empty.
func (p pairs) asMap() map[string]string {
	if len(p) == 0 {
		return nil
	}
	m := make(map[string]string, len(p))
	for _, e := range p {
		m[e.k] = e.v
	}
	return m
}

// objectMeta is the API form.
func (m *compactMeta) objectMeta() metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: m.name, Namespace: m.namespace, UID: m.uid, ResourceVersion: m.resourceVersion,
		Generation: m.generation, Labels: m.labels.asMap(), Annotations: m.annotations.asMap()}
}

var _ metav1.Object = (*compactMeta)(nil)

func (m *compactMeta) GetNamespace() string                          { return m.namespace }
func (m *compactMeta) SetNamespace(ns string)                        { m.namespace = ns }
func (m *compactMeta) GetName() string                               { return m.name }
func (m *compactMeta) SetName(name string)                           { m.name = name }
func (m *compactMeta) GetGenerateName() string                       { return "" }
func (m *compactMeta) SetGenerateName(string)                        {}
func (m *compactMeta) GetUID() types.UID                             { return m.uid }
func (m *compactMeta) SetUID(uid types.UID)                          { m.uid = uid }
func (m *compactMeta) GetResourceVersion() string                    { return m.resourceVersion }
func (m *compactMeta) SetResourceVersion(v string)                   { m.resourceVersion = v }
func (m *compactMeta) GetGeneration() int64                          { return m.generation }
func (m *compactMeta) SetGeneration(g int64)                         { m.generation = g }
func (m *compactMeta) GetSelfLink() string                           { return "" }
func (m *compactMeta) SetSelfLink(string)                            {}
func (m *compactMeta) GetCreationTimestamp() metav1.Time             { return metav1.Time{} }
func (m *compactMeta) SetCreationTimestamp(metav1.Time)              {}
func (m *compactMeta) GetDeletionTimestamp() *metav1.Time            { return nil }
func (m *compactMeta) SetDeletionTimestamp(*metav1.Time)             {}
func (m *compactMeta) GetDeletionGracePeriodSeconds() *int64         { return nil }
func (m *compactMeta) SetDeletionGracePeriodSeconds(*int64)          {}
func (m *compactMeta) GetLabels() map[string]string                  { return m.labels.asMap() }
func (m *compactMeta) SetLabels(l map[string]string)                 { m.labels = pairsOf(l, same, same) }
func (m *compactMeta) GetAnnotations() map[string]string             { return m.annotations.asMap() }
func (m *compactMeta) SetAnnotations(a map[string]string)            { m.annotations = pairsOf(a, same, same) }
func (m *compactMeta) GetFinalizers() []string                       { return nil }
func (m *compactMeta) SetFinalizers([]string)                        {}
func (m *compactMeta) GetOwnerReferences() []metav1.OwnerReference   { return nil }
func (m *compactMeta) SetOwnerReferences([]metav1.OwnerReference)    {}
func (m *compactMeta) GetManagedFields() []metav1.ManagedFieldsEntry { return nil }
func (m *compactMeta) SetManagedFields([]metav1.ManagedFieldsEntry)  {}
func (*compactMeta) GetObjectKind() schema.ObjectKind                { return schema.EmptyObjectKind }

func (m *compactMeta) deepCopy() compactMeta {
	c := *m
	c.labels, c.annotations = slices.Clone(m.labels), slices.Clone(m.annotations)
	return c
}

// lbAddress is one address of a load balancer's status.
type lbAddress struct{ ip, hostname string }

// compactService is a Service as the service source reads it.
type compactService struct {
	compactMeta
	typ                   corev1.ServiceType
	clusterIP             string
	externalName          string
	externalTrafficPolicy corev1.ServiceExternalTrafficPolicy
	externalIPs           []string
	// nodePort is set for NodePort Services only: no other kind's
	// records read the selector or the ports.
	nodePort *nodePortSpec
	lb       []lbAddress
}

type nodePortSpec struct {
	selector map[string]string
	ports    []corev1.ServicePort // protocol and node port only
}

func (s *compactService) DeepCopyObject() runtime.Object {
	c := *s
	c.compactMeta = s.compactMeta.deepCopy()
	c.externalIPs = append([]string(nil), s.externalIPs...)
	if s.nodePort != nil {
		c.nodePort = &nodePortSpec{selector: maps.Clone(s.nodePort.selector), ports: append([]corev1.ServicePort(nil), s.nodePort.ports...)}
	}
	c.lb = append([]lbAddress(nil), s.lb...)
	return &c
}

// service is the API form the sources read. It shares the strings, maps
// and slices it can (listers' objects are read-only), so a read allocates
// the Service and its load balancer addresses only.
func (s *compactService) service() *corev1.Service {
	svc := &corev1.Service{ObjectMeta: s.objectMeta(), Spec: corev1.ServiceSpec{
		Type: s.typ, ClusterIP: s.clusterIP, ExternalIPs: s.externalIPs, ExternalName: s.externalName,
		ExternalTrafficPolicy: s.externalTrafficPolicy,
	}}
	if s.nodePort != nil {
		svc.Spec.Selector, svc.Spec.Ports = s.nodePort.selector, s.nodePort.ports
	}
	if len(s.lb) > 0 {
		svc.Status.LoadBalancer.Ingress = make([]corev1.LoadBalancerIngress, len(s.lb))
		for i, a := range s.lb {
			svc.Status.LoadBalancer.Ingress[i] = corev1.LoadBalancerIngress{IP: a.ip, Hostname: a.hostname}
		}
	}
	return svc
}

// compactIngress is an Ingress as the ingress source reads it.
type compactIngress struct {
	compactMeta
	class    *string
	hosts    []string   // of the rules, in order
	tlsHosts [][]string // of each TLS entry
	lb       []lbAddress
}

func (g *compactIngress) DeepCopyObject() runtime.Object {
	c := *g
	c.compactMeta = g.compactMeta.deepCopy()
	if g.class != nil {
		class := *g.class
		c.class = &class
	}
	c.hosts = append([]string(nil), g.hosts...)
	if g.tlsHosts != nil {
		c.tlsHosts = make([][]string, len(g.tlsHosts))
		for i, h := range g.tlsHosts {
			c.tlsHosts[i] = append([]string(nil), h...)
		}
	}
	c.lb = append([]lbAddress(nil), g.lb...)
	return &c
}

// ingress is the API form the sources read.
func (g *compactIngress) ingress() *networkingv1.Ingress {
	ing := &networkingv1.Ingress{ObjectMeta: g.objectMeta()}
	ing.Spec.IngressClassName = g.class
	if len(g.hosts) > 0 {
		ing.Spec.Rules = make([]networkingv1.IngressRule, len(g.hosts))
		for i, h := range g.hosts {
			ing.Spec.Rules[i].Host = h
		}
	}
	if len(g.tlsHosts) > 0 {
		ing.Spec.TLS = make([]networkingv1.IngressTLS, len(g.tlsHosts))
		for i, h := range g.tlsHosts {
			ing.Spec.TLS[i].Hosts = h
		}
	}
	if len(g.lb) > 0 {
		ing.Status.LoadBalancer.Ingress = make([]networkingv1.IngressLoadBalancerIngress, len(g.lb))
		for i, a := range g.lb {
			ing.Status.LoadBalancer.Ingress[i] = networkingv1.IngressLoadBalancerIngress{IP: a.ip, Hostname: a.hostname}
		}
	}
	return ing
}
