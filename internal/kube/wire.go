package kube

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
)

// The wire types are what informers decode objects into: only the fields
// exodns reads, so that the rest of an object (managed fields, a Pod's
// containers, a Node's images) is skipped by the decoder instead of being
// allocated and then dropped by Transform. Each converts to its k8s.io/api
// type, which the sources' conversions take. Transform still runs on the
// result, so what the caches hold is the same either way (wire_test.go
// checks it).

// skipped is a JSON value read past and dropped.
type skipped struct{}

func (*skipped) UnmarshalJSON([]byte) error { return nil }

// wireMeta is ObjectMeta without managedFields, often half of an object's JSON:
// the outer field takes the name from the embedded one.
type wireMeta struct {
	metav1.ObjectMeta
	ManagedFields skipped `json:"managedFields"`
}

// meta is the metadata the cache keeps: see interner.objectMeta.
func (w *wireMeta) meta(in *interner) metav1.ObjectMeta {
	in.objectMeta(&w.ObjectMeta)
	return w.ObjectMeta
}

// compact is the metadata a compact object (compact.go) keeps.
// Keys and label values are interned as interner.objectMeta does, and the
// last-applied annotation dropped.
func (w *wireMeta) compact(in *interner) compactMeta {
	m := &w.ObjectMeta
	delete(m.Annotations, LastAppliedAnnotation)
	return compactMeta{name: m.Name, namespace: in.str(m.Namespace), uid: m.UID, resourceVersion: m.ResourceVersion,
		generation: m.Generation, labels: pairsOf(m.Labels, in.str, in.str), annotations: pairsOf(m.Annotations, in.str, same)}
}

// slimMetaWire is what slimMeta keeps.
type slimMetaWire struct {
	Name              string            `json:"name"`
	Namespace         string            `json:"namespace"`
	UID               types.UID         `json:"uid"`
	ResourceVersion   string            `json:"resourceVersion"`
	Generation        int64             `json:"generation"`
	Labels            map[string]string `json:"labels"`
	DeletionTimestamp *metav1.Time      `json:"deletionTimestamp"`
}

func (m *slimMetaWire) objectMeta(in *interner) metav1.ObjectMeta {
	out := metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, UID: m.UID, ResourceVersion: m.ResourceVersion,
		Generation: m.Generation, Labels: m.Labels, DeletionTimestamp: m.DeletionTimestamp}
	in.objectMeta(&out)
	return out
}

type serviceWire struct {
	Metadata wireMeta             `json:"metadata"`
	Spec     corev1.ServiceSpec   `json:"spec"`
	Status   corev1.ServiceStatus `json:"status"`
}

func (w *serviceWire) object(in *interner) runtime.Object {
	return &corev1.Service{ObjectMeta: w.Metadata.meta(in), Spec: w.Spec, Status: w.Status}
}

type ingressWire struct {
	Metadata wireMeta                   `json:"metadata"`
	Spec     networkingv1.IngressSpec   `json:"spec"`
	Status   networkingv1.IngressStatus `json:"status"`
}

func (w *ingressWire) object(in *interner) runtime.Object {
	return &networkingv1.Ingress{ObjectMeta: w.Metadata.meta(in), Spec: w.Spec, Status: w.Status}
}

type configMapWire struct {
	Metadata wireMeta          `json:"metadata"`
	Data     map[string]string `json:"data"`
}

func (w *configMapWire) object(in *interner) runtime.Object {
	return &corev1.ConfigMap{ObjectMeta: w.Metadata.meta(in), Data: w.Data}
}

type podWire struct {
	Metadata slimMetaWire `json:"metadata"`
	Spec     struct {
		NodeName string `json:"nodeName"`
	} `json:"spec"`
	Status struct {
		Phase      corev1.PodPhase `json:"phase"`
		Conditions []struct {
			Type   corev1.PodConditionType `json:"type"`
			Status corev1.ConditionStatus  `json:"status"`
		} `json:"conditions"`
	} `json:"status"`
}

func (w *podWire) object(in *interner) runtime.Object {
	p := &corev1.Pod{ObjectMeta: w.Metadata.objectMeta(in), Spec: corev1.PodSpec{NodeName: w.Spec.NodeName},
		Status: corev1.PodStatus{Phase: w.Status.Phase}}
	for _, c := range w.Status.Conditions {
		if c.Type == corev1.PodReady {
			p.Status.Conditions = []corev1.PodCondition{{Type: c.Type, Status: c.Status}}
		}
	}
	return p
}

type nodeWire struct {
	Metadata slimMetaWire `json:"metadata"`
	Status   struct {
		Addresses []corev1.NodeAddress `json:"addresses"`
	} `json:"status"`
}

func (w *nodeWire) object(in *interner) runtime.Object {
	return &corev1.Node{ObjectMeta: w.Metadata.objectMeta(in), Status: corev1.NodeStatus{Addresses: w.Status.Addresses}}
}
