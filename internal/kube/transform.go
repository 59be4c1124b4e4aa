package kube

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/cache"
)

// LastAppliedAnnotation is kubectl's copy of the whole object, often the
// largest part of its metadata, and never read by exodns.
const LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// Transform strips what exodns never reads from an object before the
// informer caches it. The cache holds every watched object for the life of
// the process, so this is where most of the controller's memory goes:
// managed fields alone are often half of an object. Pods and Nodes, the
// most numerous and largest objects watched, are cut down to what
// service.Nodes and the NodePort targets read. Other types are kept whole,
// minus metadata noise, since their conversions read most of them.
func Transform(obj any) (any, error) {
	switch o := obj.(type) {
	case *corev1.Pod:
		return slimPod(o), nil
	case *corev1.Node:
		return slimNode(o), nil
	case *compactService, *compactIngress:
		// Cut down already when decoded; their metadata's maps are
		// made on each read, so stripMeta would only make them.
		return obj, nil
	case metav1.Object:
		stripMeta(o)
	}
	return obj, nil
}

var _ cache.TransformFunc = Transform

func stripMeta(m metav1.Object) {
	m.SetManagedFields(nil)
	if a := m.GetAnnotations(); a != nil {
		if _, ok := a[LastAppliedAnnotation]; ok {
			delete(a, LastAppliedAnnotation)
			if len(a) == 0 {
				// An empty map still holds a group of slots.
				a = nil
			}
			m.SetAnnotations(a)
		}
	}
}

// slimMeta keeps the identity a lister, an event handler and an Event need.
func slimMeta(m *metav1.ObjectMeta) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:              m.Name,
		Namespace:         m.Namespace,
		UID:               m.UID,
		ResourceVersion:   m.ResourceVersion,
		Generation:        m.Generation,
		Labels:            m.Labels,
		DeletionTimestamp: m.DeletionTimestamp,
	}
}

// slimPod keeps what picks the nodes of a Local-policy Service: labels
// (the selector), node, phase, readiness and termination.
func slimPod(p *corev1.Pod) *corev1.Pod {
	out := &corev1.Pod{
		ObjectMeta: slimMeta(&p.ObjectMeta),
		Spec:       corev1.PodSpec{NodeName: p.Spec.NodeName},
		Status:     corev1.PodStatus{Phase: p.Status.Phase},
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			out.Status.Conditions = []corev1.PodCondition{{Type: c.Type, Status: c.Status}}
		}
	}
	return out
}

// slimNode keeps the addresses NodePort records publish. Images, which
// can run to tens of kilobytes a node, are the main saving.
func slimNode(n *corev1.Node) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: slimMeta(&n.ObjectMeta),
		Status:     corev1.NodeStatus{Addresses: n.Status.Addresses},
	}
}

// StripUnstructured drops managed fields, the last-applied annotation and
// the given fields (each a path such as "spec", "rules") from an object of
// a dynamic informer.
func StripUnstructured(drop ...[]string) cache.TransformFunc {
	return func(obj any) (any, error) {
		u, ok := obj.(*unstructured.Unstructured)
		if !ok {
			return obj, nil
		}
		unstructured.RemoveNestedField(u.Object, "metadata", "managedFields")
		unstructured.RemoveNestedField(u.Object, "metadata", "annotations", LastAppliedAnnotation)
		if a, found, _ := unstructured.NestedFieldNoCopy(u.Object, "metadata", "annotations"); found && isEmptyMap(a) {
			unstructured.RemoveNestedField(u.Object, "metadata", "annotations")
		}
		for _, path := range drop {
			unstructured.RemoveNestedField(u.Object, path...)
		}
		return u, nil
	}
}

func isEmptyMap(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) == 0
}
