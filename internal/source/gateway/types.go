package gateway

import (
	"errors"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Group is the API group of every Gateway API object read here.
const Group = "gateway.networking.k8s.io"

// APIVersion is the version read when the cluster serves it; see
// RouteKind.Versions for the route kinds that have older ones.
const APIVersion = Group + "/v1"

// Kinds of the parents a route can attach to.
const (
	KindGateway     = "Gateway"
	KindListenerSet = "ListenerSet"
)

// The types below hold only the fields of gateway.networking.k8s.io that
// the conversion reads, with the same JSON names. Importing the Gateway
// API module's types and clients would add megabytes to the binary for a
// few dozen fields; unknown fields are ignored when decoding. Every route
// kind (HTTP, GRPC, TLS, TCP, UDP) has the same shape in these fields, in
// every version exodns reads (v1, v1alpha2, v1alpha3).

// Route is the part of any route kind exodns reads. TCP and UDP routes
// have no spec.hostnames.
type Route struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              RouteSpec   `json:"spec,omitempty"`
	Status            RouteStatus `json:"status,omitempty"`
}

// RouteSpec lists the parents a route attaches to and its hostnames.
type RouteSpec struct {
	ParentRefs []ParentReference `json:"parentRefs,omitempty"`
	Hostnames  []string          `json:"hostnames,omitempty"`
}

// ParentReference names a Gateway or ListenerSet, optionally one listener
// of it by name (sectionName) or port. Nil fields take the API's defaults.
type ParentReference struct {
	Group       *string `json:"group,omitempty"`
	Kind        *string `json:"kind,omitempty"`
	Namespace   *string `json:"namespace,omitempty"`
	Name        string  `json:"name"`
	SectionName *string `json:"sectionName,omitempty"`
	Port        *int32  `json:"port,omitempty"`
}

// RouteStatus holds, per parent, whether the parent's controller accepted
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

// GatewaySpec lists the listeners routes attach to, and from where
// ListenerSets may add listeners.
type GatewaySpec struct {
	GatewayClassName string            `json:"gatewayClassName,omitempty"`
	Listeners        []Listener        `json:"listeners,omitempty"`
	AllowedListeners *AllowedListeners `json:"allowedListeners,omitempty"`
}

// AllowedListeners says which namespaces' ListenerSets may attach to a
// Gateway; without it, none may.
type AllowedListeners struct {
	Namespaces *RouteNamespaces `json:"namespaces,omitempty"`
}

// Listener is one port, protocol and optional hostname of a Gateway or a
// ListenerSet.
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

// RouteNamespaces says from where objects may attach: Same (the default
// for routes), All, Selector or None.
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
	Addresses []GatewayStatusAddress `json:"addresses,omitempty"`
}

// GatewayStatusAddress is an IPAddress, Hostname or NamedAddress.
type GatewayStatusAddress struct {
	Type  *string `json:"type,omitempty"`
	Value string  `json:"value"`
}

// ListenerSet adds listeners to a Gateway from another object, often in
// another namespace (gateway.networking.k8s.io/v1 since Gateway API v1.5).
type ListenerSet struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ListenerSetSpec   `json:"spec,omitempty"`
	Status            ListenerSetStatus `json:"status,omitempty"`
}

// ListenerSetSpec names the Gateway and the listeners added to it.
type ListenerSetSpec struct {
	ParentRef ParentGatewayReference `json:"parentRef"`
	Listeners []Listener             `json:"listeners,omitempty"`
}

// ParentGatewayReference names the Gateway of a ListenerSet.
type ParentGatewayReference struct {
	Group     *string `json:"group,omitempty"`
	Kind      *string `json:"kind,omitempty"`
	Namespace *string `json:"namespace,omitempty"`
	Name      string  `json:"name"`
}

// ListenerSetStatus is the Gateway controller's verdict on the set and on
// each of its listeners.
type ListenerSetStatus struct {
	Conditions []metav1.Condition    `json:"conditions,omitempty"`
	Listeners  []ListenerEntryStatus `json:"listeners,omitempty"`
}

// ListenerEntryStatus is the verdict on one listener of a ListenerSet.
type ListenerEntryStatus struct {
	Name       string             `json:"name"`
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// RouteFromUnstructured converts a route read by a dynamic informer.
func RouteFromUnstructured(obj map[string]any) (*Route, error) {
	var r Route
	if err := fromUnstructured(obj, &r); err != nil {
		return nil, fmt.Errorf("gateway: route: %w", err)
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

// ListenerSetFromUnstructured converts a ListenerSet read by a dynamic
// informer.
func ListenerSetFromUnstructured(obj map[string]any) (*ListenerSet, error) {
	var ls ListenerSet
	if err := fromUnstructured(obj, &ls); err != nil {
		return nil, fmt.Errorf("gateway: listenerset: %w", err)
	}
	return &ls, nil
}

func fromUnstructured(obj map[string]any, into any) error {
	if obj == nil {
		return errors.New("nil object")
	}
	return runtime.DefaultUnstructuredConverter.FromUnstructured(obj, into)
}
