package service

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func pod(name, nodeName string, phase corev1.PodPhase, ready, terminating bool, lbls map[string]string) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, Labels: lbls},
		Spec:       corev1.PodSpec{NodeName: nodeName},
		Status:     corev1.PodStatus{Phase: phase},
	}
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: st}}
	if terminating {
		now := metav1.Now()
		p.DeletionTimestamp = &now
	}
	return p
}

func TestNodes(t *testing.T) {
	n1, n2, n3 := node("n1"), node("n2"), node("n3")
	all := []*corev1.Node{n1, n2, n3}
	app := map[string]string{"app": "web"}
	local := newService(corev1.ServiceTypeNodePort, func(s *corev1.Service) {
		s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal
		s.Spec.Selector = app
	})
	tests := []struct {
		name string
		svc  *corev1.Service
		pods []*corev1.Pod
		want []*corev1.Node
	}{
		{"cluster policy: every node", newService(corev1.ServiceTypeNodePort), nil, all},
		{"local: nodes with ready pods", local, []*corev1.Pod{
			pod("a", "n2", corev1.PodRunning, true, false, app),
			pod("b", "n1", corev1.PodRunning, false, false, app),
			pod("c", "n3", corev1.PodRunning, true, false, map[string]string{"app": "other"}),
			pod("d", "n3", corev1.PodPending, true, false, app),
		}, []*corev1.Node{n2}},
		{"local: a node counts by its best pod", local, []*corev1.Pod{
			pod("a", "n1", corev1.PodRunning, false, false, app),
			pod("b", "n1", corev1.PodRunning, true, false, app),
			pod("c", "n2", corev1.PodRunning, true, true, app),
		}, []*corev1.Node{n1}},
		{"local: only terminating ready pods", local, []*corev1.Pod{
			pod("a", "n1", corev1.PodRunning, false, false, app),
			pod("c", "n2", corev1.PodRunning, true, true, app),
		}, []*corev1.Node{n2}},
		{"local: only running pods", local, []*corev1.Pod{
			pod("a", "n1", corev1.PodRunning, false, false, app),
			pod("b", "unknown-node", corev1.PodRunning, true, false, app),
		}, []*corev1.Node{n1}},
		{"local: no pods", local, nil, nil},
	}
	for _, tt := range tests {
		if got := Nodes(tt.svc, tt.pods, all); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, names(got), names(tt.want))
		}
	}
}

func names(nodes []*corev1.Node) []string {
	var out []string
	for _, n := range nodes {
		out = append(out, n.Name)
	}
	return out
}
