package service

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/exodns/exodns/internal/annotations"
	"github.com/exodns/exodns/internal/endpoint"
)

// nodeTargets picks node addresses for a NodePort Service, as upstream does:
//   - access=public: every ExternalIP, plus IPv6 InternalIPs, which are
//     usually globally routable;
//   - access=private: every InternalIP;
//   - unset: as public when any node has an ExternalIP, otherwise as
//     private. The choice is made for the whole cluster, not per node, so
//     that one node without an ExternalIP does not leak a private address
//     into public records.
func nodeTargets(nodes []*corev1.Node, access annotations.Access) []string {
	var external, internal, internalV6 []string
	for _, n := range nodes {
		if n == nil {
			continue
		}
		for _, a := range n.Status.Addresses {
			switch a.Type {
			case corev1.NodeExternalIP:
				external = append(external, a.Address)
			case corev1.NodeInternalIP:
				internal = append(internal, a.Address)
				if endpoint.TargetType(a.Address) == endpoint.RecordTypeAAAA {
					internalV6 = append(internalV6, a.Address)
				}
			}
		}
	}
	switch {
	case access == annotations.AccessPrivate:
		return internal
	case access == annotations.AccessPublic, len(external) > 0:
		return append(external, internalV6...)
	}
	return internal
}

// Nodes returns the nodes whose addresses a NodePort Service publishes,
// from the nodes and the pods of the Service's namespace. With
// externalTrafficPolicy Local only nodes running one of its pods receive
// traffic, so only they are published: those with ready pods that are not
// terminating, else those with ready pods, else those with running pods.
func Nodes(svc *corev1.Service, pods []*corev1.Pod, nodes []*corev1.Node) []*corev1.Node {
	if svc == nil || svc.Spec.ExternalTrafficPolicy != corev1.ServiceExternalTrafficPolicyLocal {
		return nodes
	}
	byName := make(map[string]*corev1.Node, len(nodes))
	for _, n := range nodes {
		if n != nil {
			byName[n.Name] = n
		}
	}
	sel := labels.SelectorFromSet(svc.Spec.Selector)
	// state per node: 1 running, 2 ready, 3 ready and not terminating; a
	// node counts by its best pod.
	state := make(map[string]int)
	var order []*corev1.Node
	for _, p := range pods {
		if p == nil || p.Namespace != svc.Namespace || p.Status.Phase != corev1.PodRunning || !sel.Matches(labels.Set(p.Labels)) {
			continue
		}
		n, ok := byName[p.Spec.NodeName]
		if !ok {
			continue
		}
		if _, known := state[n.Name]; !known {
			order = append(order, n)
		}
		st := 1
		if podReady(p) {
			st = 2
			if p.DeletionTimestamp == nil {
				st = 3
			}
		}
		state[n.Name] = max(state[n.Name], st)
	}
	for want := 3; want > 1; want-- {
		var out []*corev1.Node
		for _, n := range order {
			if state[n.Name] >= want {
				out = append(out, n)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return order
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
