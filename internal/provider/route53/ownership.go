package route53

import (
	"fmt"

	"github.com/exodns/exodns/internal/endpoint"
)

// OwnershipForm gives the TXT registry the Route 53 form of an ownership
// record: the record's routing policy and health check, and the default
// TTL, exactly what upstream external-dns writes, since Route 53 deletes a
// set only when every field matches and upstream deletes its form (see
// txt.OwnershipFormer). A PRIMARY failover alias without a health check
// has no such form: its ownership record, not being an alias, would be a
// PRIMARY without a health check, which Route 53 refuses.
func (p *Provider) OwnershipForm(rec *endpoint.Endpoint) (endpoint.TTL, endpoint.ProviderSpecific, error) {
	r, perr := parseRouting(rec.ProviderSpecific)
	if perr != nil {
		return defaultTTL, nil, nil // the record itself is refused
	}
	if r.kind == policyFailover && r.failover == "PRIMARY" && r.healthCheck == "" {
		return 0, nil, fmt.Errorf("a PRIMARY failover alias needs %s here: its ownership record copies the record's routing, as external-dns writes it, and Route 53 wants a health check on a PRIMARY record that is not an alias",
			annotationFor(propHealthCheck))
	}
	return defaultTTL, r.properties(), nil
}
