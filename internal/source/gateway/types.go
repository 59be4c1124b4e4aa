package gateway

import (
	"errors"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Group and APIVersion of the Gateway API objects read here.
const (
	Group      = "gateway.networking.k8s.io"
	APIVersion = Group + "/v1"
)

// The types below hold only the fields of gateway.networking.k8s.io/v1
// that the conversion reads, with the same JSON names. Importing the Gateway
// API module's types and clients would add megabytes to the binary for a
// dozen fields; unknown fields are ignored when decoding.

// HTTPRoute is the part of an HTTPRoute exodns reads.
type HTTPRoute struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              RouteSpec   `json:"spec,omitempty"`
	Status            RouteStatus `json:"status,omitempty"`
}

// RouteSpec lists the Gateways a route attaches to and its hostnames.
type RouteSpec struct {
	ParentRefs []ParentReference `json:"parentRefs,omitempty"`
	Hostnames  []string          `json:"hostnames,omitempty"`
}

// ParentReference names a Gateway, optionally one listener of it by name
// (sectionName) or port. Nil fields take the API's defaults.
type ParentReference struct {
	Group       *string `json:"group,omitempty"`
	Kind        *string `json:"kind,omitempty"`
	Namespace   *string `json:"namespace,omitempty"`
	Name        string  `json:"name"`
	SectionName *string `json:"sectionName,omitempty"`
	Port        *int32  `json:"port,omitempty"`
}

// RouteStatus holds, per parent, whether the Gateway's controller accepted
// the route.
type RouteStatus struct {
	Parents []RouteParentStatus `json:"parents,omitempty"`
}

// RouteParentStatus is one parent's verdict on the route.
type RouteParentStatus struct {
	ParentRef      ParentReference    `json:"parentRef"`
	ControllerName string             `json:"controllerName,omitempty"`
	Conditions     []metav1.Condition `json:"conditions,omitempty"`
}

// Gateway is the part of a Gateway exodns reads.
type Gateway struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              GatewaySpec   `json:"spec,omitempty"`
	Status            GatewayStatus `json:"status,omitempty"`
}

// GatewaySpec lists the listeners routes attach to.
type GatewaySpec struct {
	GatewayClassName string     `json:"gatewayClassName,omitempty"`
	Listeners        []Listener `json:"listeners,omitempty"`
}

// Listener is one port, protocol and optional hostname of a Gateway.
type Listener struct {
	Name          string         `json:"name"`
	Hostname      *string        `json:"hostname,omitempty"`
	Port          int32          `json:"port"`
	Protocol      string         `json:"protocol"`
	AllowedRoutes *AllowedRoutes `json:"allowedRoutes,omitempty"`
}

// AllowedRoutes limits which routes may attach to a listener.
type AllowedRoutes struct {
	Namespaces *RouteNamespaces `json:"namespaces,omitempty"`
	Kinds      []RouteGroupKind `json:"kinds,omitempty"`
}

// RouteNamespaces says from where routes may attach: Same (the default),
// All, or Selector.
type RouteNamespaces struct {
	From     *string               `json:"from,omitempty"`
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
}

// RouteGroupKind is a kind of route a listener accepts.
type RouteGroupKind struct {
	Group *string `json:"group,omitempty"`
	Kind  string  `json:"kind"`
}

// GatewayStatus holds the addresses the Gateway is reachable at: the
// targets of its routes' records.
type GatewayStatus struct {
	Addresses  []GatewayStatusAddress `json:"addresses,omitempty"`
	Conditions []metav1.Condition     `json:"conditions,omitempty"`
}

// GatewayStatusAddress is an IPAddress, Hostname or NamedAddress.
type GatewayStatusAddress struct {
	Type  *string `json:"type,omitempty"`
	Value string  `json:"value"`
}

// RouteFromUnstructured converts an HTTPRoute read by a dynamic informer.
func RouteFromUnstructured(obj map[string]any) (*HTTPRoute, error) {
	var r HTTPRoute
	if err := fromUnstructured(obj, &r); err != nil {
		return nil, fmt.Errorf("gateway: httproute: %w", err)
	}
	return &r, nil
}

// GatewayFromUnstructured converts a Gateway read by a dynamic informer.
func GatewayFromUnstructured(obj map[string]any) (*Gateway, error) {
	var g Gateway
	if err := fromUnstructured(obj, &g); err != nil {
		return nil, fmt.Errorf("gateway: gateway: %w", err)
	}
	return &g, nil
}

func fromUnstructured(obj map[string]any, into any) error {
	if obj == nil {
		return errors.New("nil object")
	}
	return runtime.DefaultUnstructuredConverter.FromUnstructured(obj, into)
}
