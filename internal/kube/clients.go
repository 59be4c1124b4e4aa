package kube

import (
	"fmt"

	coordinationv1 "k8s.io/client-go/kubernetes/typed/coordination/v1"
	corev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	networkingv1 "k8s.io/client-go/kubernetes/typed/networking/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/flowcontrol"
)

// Clients are typed clients of the only API groups exodns calls. The full
// clientset (kubernetes.NewForConfig) and the shared informer factory would
// link in every group's clients, informers and listers: about 18 MB more
// binary for nothing used.
type Clients struct {
	Core         corev1.CoreV1Interface
	Networking   networkingv1.NetworkingV1Interface
	Coordination coordinationv1.CoordinationV1Interface
}

// NewClients builds the clients from rc. They share one HTTP client and,
// as the clientset's do, one rate limiter of rc.QPS and rc.Burst.
func NewClients(rc *rest.Config) (*Clients, error) {
	rc = rest.CopyConfig(rc)
	if rc.RateLimiter == nil && rc.QPS > 0 {
		burst := rc.Burst
		if burst <= 0 {
			burst = int(rc.QPS)
		}
		rc.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(rc.QPS, max(burst, 1))
	}
	hc, err := rest.HTTPClientFor(rc)
	if err != nil {
		return nil, fmt.Errorf("kube: http client: %w", err)
	}
	core, err := corev1.NewForConfigAndClient(rc, hc)
	if err != nil {
		return nil, fmt.Errorf("kube: core client: %w", err)
	}
	networking, err := networkingv1.NewForConfigAndClient(rc, hc)
	if err != nil {
		return nil, fmt.Errorf("kube: networking client: %w", err)
	}
	coordination, err := coordinationv1.NewForConfigAndClient(rc, hc)
	if err != nil {
		return nil, fmt.Errorf("kube: coordination client: %w", err)
	}
	return &Clients{Core: core, Networking: networking, Coordination: coordination}, nil
}
