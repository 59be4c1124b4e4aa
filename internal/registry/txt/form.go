package txt

import (
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/provider"
)

// OwnershipFormer is implemented by providers that store more with an
// ownership record than its name, value and set identifier.
//
// Upstream external-dns copies a record's provider-specific properties
// onto its ownership record and leaves the TTL to the provider. On Route
// 53 the ownership record of a routed record therefore carries the same
// routing policy and health check, with the default TTL, and since Route
// 53 deletes a record set only when every field matches, upstream can
// clean up only ownership records in exactly that form. A provider with
// such a form implements OwnershipForm; the registry then writes, and
// keeps, every ownership record in it, rewriting older forms.
type OwnershipFormer interface {
	// OwnershipForm returns the TTL and the provider-specific properties
	// of the ownership record of record, exactly as the provider's Records
	// will report them once written. A zero TTL leaves it to the provider
	// and is never compared. An error means the provider cannot store
	// such an ownership record; the record is then held with that reason.
	OwnershipForm(record *endpoint.Endpoint) (endpoint.TTL, endpoint.ProviderSpecific, error)
}

// formerOf finds the OwnershipFormer behind p, looking through wrappers
// (such as dry-run) that offer Unwrap.
func formerOf(p provider.Provider) OwnershipFormer {
	for p != nil {
		if f, ok := p.(OwnershipFormer); ok {
			return f
		}
		u, ok := p.(interface{ Unwrap() provider.Provider })
		if !ok {
			return nil
		}
		p = u.Unwrap()
	}
	return nil
}

// outdated reports whether our ownership record o of rec is in another
// form than the provider wants now, say with the weight-1 routing or the
// record's TTL that exodns used to write.
func (r *Registry) outdated(o *ownership, rec *endpoint.Endpoint) bool {
	if r.former == nil {
		return false
	}
	ttl, ps, err := r.former.OwnershipForm(rec)
	if err != nil {
		return false // the record is held; nothing to migrate to
	}
	return (ttl.IsConfigured() && ttl != o.txt.RecordTTL) || !ps.Same(o.txt.ProviderSpecific)
}

// labelled returns a copy of the ownership record txt naming the record it
// owns, so a provider that batches changes keeps the two together (the
// registry's own writes carry the label; this adds it to records as read).
func labelled(txt *endpoint.Endpoint, owned string) *endpoint.Endpoint {
	c := txt.DeepCopy()
	c.Labels.Set(endpoint.OwnedRecordLabel, owned)
	return c
}
