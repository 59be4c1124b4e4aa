package kube

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func noisyMeta() metav1.ObjectMeta {
	now := metav1.Unix(1700000000, 0)
	return metav1.ObjectMeta{
		Name: "x", Namespace: "ns", UID: "u1", ResourceVersion: "7", Generation: 2,
		Labels:            map[string]string{"app": "web"},
		Annotations:       map[string]string{LastAppliedAnnotation: "{...}", "external-dns.alpha.kubernetes.io/hostname": "a.example.com"},
		ManagedFields:     []metav1.ManagedFieldsEntry{{Manager: "kubectl"}},
		OwnerReferences:   []metav1.OwnerReference{{Name: "rs"}},
		DeletionTimestamp: &now,
	}
}

func TestTransform(t *testing.T) {
	meta := noisyMeta()
	slim := metav1.ObjectMeta{Name: "x", Namespace: "ns", UID: "u1", ResourceVersion: "7", Generation: 2,
		Labels: map[string]string{"app": "web"}, DeletionTimestamp: meta.DeletionTimestamp}
	kept := metav1.ObjectMeta{Name: "x", Namespace: "ns", UID: "u1", ResourceVersion: "7", Generation: 2,
		Labels:            map[string]string{"app": "web"},
		Annotations:       map[string]string{"external-dns.alpha.kubernetes.io/hostname": "a.example.com"},
		OwnerReferences:   []metav1.OwnerReference{{Name: "rs"}},
		DeletionTimestamp: meta.DeletionTimestamp}
	addrs := []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "10.0.0.1"}}
	tests := []struct {
		name string
		in   any
		want any
	}{
		{name: "pod keeps what service.Nodes reads",
			in: &corev1.Pod{ObjectMeta: noisyMeta(),
				Spec: corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{Name: "c", Image: "img"}}},
				Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "10.1.1.1", Conditions: []corev1.PodCondition{
					{Type: corev1.PodScheduled, Status: corev1.ConditionTrue},
					{Type: corev1.PodReady, Status: corev1.ConditionTrue, Reason: "r", Message: "m"}}}},
			want: &corev1.Pod{ObjectMeta: slim, Spec: corev1.PodSpec{NodeName: "n1"},
				Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}}},
		{name: "node keeps addresses and labels",
			in: &corev1.Node{ObjectMeta: noisyMeta(), Spec: corev1.NodeSpec{PodCIDR: "10.2.0.0/24"},
				Status: corev1.NodeStatus{Addresses: addrs, Images: []corev1.ContainerImage{{Names: []string{"big"}}}}},
			want: &corev1.Node{ObjectMeta: slim, Status: corev1.NodeStatus{Addresses: addrs}}},
		{name: "service loses only metadata noise",
			in:   &corev1.Service{ObjectMeta: noisyMeta(), Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer}},
			want: &corev1.Service{ObjectMeta: kept, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer}}},
		{name: "ingress loses only metadata noise",
			in:   &networkingv1.Ingress{ObjectMeta: noisyMeta()},
			want: &networkingv1.Ingress{ObjectMeta: kept}},
		{name: "tombstones pass through", in: "not an object", want: "not an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Transform(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

func TestStripUnstructured(t *testing.T) {
	tests := []struct {
		name string
		drop [][]string
		in   map[string]any
		want map[string]any
	}{
		{name: "metadata noise and dropped fields",
			drop: [][]string{{"spec", "rules"}},
			in: map[string]any{"metadata": map[string]any{"name": "r", "managedFields": []any{map[string]any{}},
				"annotations": map[string]any{LastAppliedAnnotation: "{}", "keep": "1"}},
				"spec": map[string]any{"hostnames": []any{"a"}, "rules": []any{}}},
			want: map[string]any{"metadata": map[string]any{"name": "r", "annotations": map[string]any{"keep": "1"}},
				"spec": map[string]any{"hostnames": []any{"a"}}}},
		{name: "annotations emptied are removed",
			in:   map[string]any{"metadata": map[string]any{"name": "r", "annotations": map[string]any{LastAppliedAnnotation: "{}"}}},
			want: map[string]any{"metadata": map[string]any{"name": "r"}}},
		{name: "no metadata",
			in:   map[string]any{"spec": map[string]any{}},
			want: map[string]any{"spec": map[string]any{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := StripUnstructured(tt.drop...)(&unstructured.Unstructured{Object: tt.in})
			if err != nil {
				t.Fatal(err)
			}
			if u := got.(*unstructured.Unstructured); !reflect.DeepEqual(u.Object, tt.want) {
				t.Errorf("got %v, want %v", u.Object, tt.want)
			}
		})
	}
}
