package kube

import (
	"context"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var leasesGVR = schema.GroupVersionResource{Group: "coordination.k8s.io", Version: "v1", Resource: "leases"}

// restLeases is the elector's Lease in the API server.
type restLeases struct {
	client    *Client
	namespace string
	name      string
}

func (s *restLeases) get(ctx context.Context) (*coordinationv1.Lease, error) {
	var l coordinationv1.Lease
	if err := s.client.Get(ctx, Path(leasesGVR, s.namespace, s.name), &l); err != nil {
		return nil, err
	}
	return &l, nil
}

func (s *restLeases) create(ctx context.Context, l *coordinationv1.Lease) (*coordinationv1.Lease, error) {
	l = l.DeepCopy()
	l.TypeMeta = metav1.TypeMeta{APIVersion: "coordination.k8s.io/v1", Kind: "Lease"}
	l.Name, l.Namespace = s.name, s.namespace
	var out coordinationv1.Lease
	if err := s.client.Create(ctx, Path(leasesGVR, s.namespace, ""), l, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *restLeases) update(ctx context.Context, l *coordinationv1.Lease) (*coordinationv1.Lease, error) {
	l = l.DeepCopy()
	l.TypeMeta = metav1.TypeMeta{APIVersion: "coordination.k8s.io/v1", Kind: "Lease"}
	var out coordinationv1.Lease
	if err := s.client.Update(ctx, Path(leasesGVR, s.namespace, s.name), l, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
