// Package dnsendpoint reads DNSEndpoint objects: records written out in
// full, by users or by other controllers.
//
// The types follow upstream's CRD shape, which other projects publish too
// (NGINX Ingress Controller writes externaldns.nginx.org/v1 DNSEndpoints
// for its VirtualServers), so any apiVersion and kind with that shape is
// accepted; --crd-source-apiversion and --crd-source-kind pick which one a
// controller reads.
package dnsendpoint

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/exodns/exodns/internal/endpoint"
)

// The resource read when no flag says otherwise, and the one NGINX
// Ingress Controller publishes.
const (
	DefaultAPIVersion = "externaldns.k8s.io/v1alpha1"
	DefaultKind       = "DNSEndpoint"
	NginxAPIVersion   = "externaldns.nginx.org/v1"
)

// DNSEndpoint is a set of records asked for directly.
type DNSEndpoint struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   Spec   `json:"spec,omitempty"`
	Status Status `json:"status,omitempty"`
}

// Spec lists the records.
type Spec struct {
	Endpoints []EndpointSpec `json:"endpoints,omitempty"`
}

// EndpointSpec is one record set. A missing recordType is derived from the
// targets: IPv4 A, IPv6 AAAA, otherwise CNAME.
type EndpointSpec struct {
	DNSName          string                    `json:"dnsName,omitempty"`
	Targets          []string                  `json:"targets,omitempty"`
	RecordType       string                    `json:"recordType,omitempty"`
	SetIdentifier    string                    `json:"setIdentifier,omitempty"`
	RecordTTL        int64                     `json:"recordTTL,omitempty"`
	Labels           map[string]string         `json:"labels,omitempty"`
	ProviderSpecific endpoint.ProviderSpecific `json:"providerSpecific,omitempty"`
}

// Status tells users whether their records were taken.
type Status struct {
	ObservedGeneration int64              `json:"observedGeneration,omitempty"`
	Conditions         []metav1.Condition `json:"conditions,omitempty"`
}

// DNSEndpointList is a list, as returned by the API.
type DNSEndpointList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	Items []DNSEndpoint `json:"items"`
}

// DeepCopyInto copies d into out, sharing nothing.
func (d *DNSEndpoint) DeepCopyInto(out *DNSEndpoint) {
	*out = *d
	d.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	if d.Spec.Endpoints != nil {
		out.Spec.Endpoints = make([]EndpointSpec, len(d.Spec.Endpoints))
		for i := range d.Spec.Endpoints {
			d.Spec.Endpoints[i].deepCopyInto(&out.Spec.Endpoints[i])
		}
	}
	if d.Status.Conditions != nil {
		out.Status.Conditions = make([]metav1.Condition, len(d.Status.Conditions))
		for i := range d.Status.Conditions {
			d.Status.Conditions[i].DeepCopyInto(&out.Status.Conditions[i])
		}
	}
}

func (e *EndpointSpec) deepCopyInto(out *EndpointSpec) {
	*out = *e
	if e.Targets != nil {
		out.Targets = append([]string(nil), e.Targets...)
	}
	if e.Labels != nil {
		out.Labels = make(map[string]string, len(e.Labels))
		for k, v := range e.Labels {
			out.Labels[k] = v
		}
	}
	if e.ProviderSpecific != nil {
		out.ProviderSpecific = append(endpoint.ProviderSpecific(nil), e.ProviderSpecific...)
	}
}

// DeepCopy returns an independent copy.
func (d *DNSEndpoint) DeepCopy() *DNSEndpoint {
	if d == nil {
		return nil
	}
	out := new(DNSEndpoint)
	d.DeepCopyInto(out)
	return out
}

// DeepCopyObject makes DNSEndpoint a runtime.Object, for typed clients and
// informers.
func (d *DNSEndpoint) DeepCopyObject() runtime.Object { return d.DeepCopy() }

// DeepCopyObject makes DNSEndpointList a runtime.Object.
func (l *DNSEndpointList) DeepCopyObject() runtime.Object {
	if l == nil {
		return nil
	}
	out := &DNSEndpointList{TypeMeta: l.TypeMeta}
	l.ListMeta.DeepCopyInto(&out.ListMeta)
	if l.Items != nil {
		out.Items = make([]DNSEndpoint, len(l.Items))
		for i := range l.Items {
			l.Items[i].DeepCopyInto(&out.Items[i])
		}
	}
	return out
}
