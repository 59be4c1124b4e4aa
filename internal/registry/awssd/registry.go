// Package awssd is the registry for --registry=aws-sd: ownership lives in
// the description of each Cloud Map service, as upstream writes it
// ("heritage=external-dns,external-dns/owner=...,external-dns/resource=...",
// without quotes), so it works with --provider=aws-sd only.
package awssd

import (
	"context"
	"errors"
	"fmt"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	sdprovider "github.com/exodns/exodns/internal/provider/awssd"
	"github.com/exodns/exodns/internal/registry"
	"github.com/exodns/exodns/internal/registry/txt"
)

// Registry reads and writes ownership in service descriptions.
type Registry struct {
	provider provider.Provider
	owner    string
}

var _ registry.Registry = (*Registry)(nil)

// New returns the registry over an aws-sd provider.
func New(p provider.Provider, ownerID string) (*Registry, error) {
	if ownerID == "" {
		return nil, errors.New("aws-sd registry: the owner id (--txt-owner-id) must not be empty")
	}
	return &Registry{provider: p, owner: ownerID}, nil
}

// OwnerID returns the owner this registry writes.
func (r *Registry) OwnerID() string { return r.owner }

// AdjustEndpoints delegates to the provider.
func (r *Registry) AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	return r.provider.AdjustEndpoints(eps)
}

// Records returns the provider's records with the labels of their
// service's description; a description that is not ours in form leaves
// the record without owner.
func (r *Registry) Records(ctx context.Context) ([]*endpoint.Endpoint, error) {
	recs, err := r.provider.Records(ctx)
	if err != nil {
		return nil, fmt.Errorf("aws-sd registry: %w", err)
	}
	out := make([]*endpoint.Endpoint, len(recs))
	for i, rec := range recs {
		c := rec.DeepCopy()
		labels, err := txt.ParseLabels(rec.Labels.Get(sdprovider.DescriptionLabel))
		if err != nil {
			labels = endpoint.Labels{}
		}
		c.Labels = labels
		out[i] = c
	}
	return out, nil
}

// ApplyChanges writes our owner and the records' labels into the
// descriptions of the services created or updated. Changes to records of
// another owner are refused before anything is written. The provider is
// called even with no changes, so it can delete services left empty
// (--aws-sd-service-cleanup).
func (r *Registry) ApplyChanges(ctx context.Context, changes *plan.Changes) error {
	if changes == nil {
		changes = &plan.Changes{}
	}
	for _, ep := range append(append([]*endpoint.Endpoint{}, changes.UpdateOld...), changes.Delete...) {
		if o := ep.Labels.Get(endpoint.OwnerLabel); o != r.owner {
			return fmt.Errorf("aws-sd registry: %s %s is owned by %q, not %q", ep.DNSName, ep.RecordType, o, r.owner)
		}
	}
	out := &plan.Changes{UpdateOld: changes.UpdateOld, Delete: changes.Delete}
	for _, ep := range changes.Create {
		out.Create = append(out.Create, r.described(ep))
	}
	for _, ep := range changes.UpdateNew {
		out.UpdateNew = append(out.UpdateNew, r.described(ep))
	}
	err := r.provider.ApplyChanges(ctx, out)
	if re, ok := provider.AsRefused(err); ok {
		// Report refusals on the records the plan gave us.
		for i, rf := range re.Refused {
			re.Refused[i].Endpoint = original(changes, rf.Endpoint)
		}
		return re
	}
	if err != nil {
		return fmt.Errorf("aws-sd registry: %w", err)
	}
	return nil
}

// described returns a copy of ep whose description carries its labels
// with our owner.
func (r *Registry) described(ep *endpoint.Endpoint) *endpoint.Endpoint {
	c := ep.DeepCopy()
	labels := endpoint.Labels{}
	for k, v := range ep.Labels.All() {
		switch k {
		case endpoint.HoldLabel, endpoint.OwnershipNoteLabel, endpoint.NonceLabel, endpoint.OwnedRecordLabel, sdprovider.DescriptionLabel:
			continue
		}
		labels.Set(k, v)
	}
	labels.Set(endpoint.OwnerLabel, r.owner)
	c.Labels = labels
	c.Labels.Set(sdprovider.DescriptionLabel, txt.SerializeLabels(labels))
	return c
}

func original(changes *plan.Changes, ep *endpoint.Endpoint) *endpoint.Endpoint {
	for _, list := range [][]*endpoint.Endpoint{changes.Create, changes.UpdateNew, changes.Delete} {
		for _, o := range list {
			if o.Key() == ep.Key() {
				return o
			}
		}
	}
	return ep
}
