package txt

import (
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/registry"
)

var _ registry.Incremental = (*Registry)(nil)

// MayReserve implements registry.Incremental: a TXT or CNAME record named
// like a typed ownership record may be held for a record at another name
// (see reserved.go). Every other record's holds depend on itself alone.
func (r *Registry) MayReserve(ep *endpoint.Endpoint) bool {
	if ep.RecordType != endpoint.RecordTypeTXT && ep.RecordType != endpoint.RecordTypeCNAME {
		return false
	}
	name, recordType := r.mapper.ToEndpointName(ep.DNSName)
	return name != "" && recordType != ""
}

// ZoneVersion implements registry.Incremental with the provider's.
func (r *Registry) ZoneVersion() (uint64, bool) { return provider.ZoneVersionOf(r.provider) }
