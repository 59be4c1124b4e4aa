package route53

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
)

// ownershipWeight is the weight of ownership TXT sets exodns creates.
// Nobody resolves them for traffic; any valid weight would do.
const ownershipWeight = 1

// ownedKey names a record an ownership TXT record belongs to.
type ownedKey struct{ name, set string }

// txtRouting gives ownership TXT records a routing policy. Route 53 needs
// one on every set with a set identifier, and the TXT registry writes
// ownership records with the record's set identifier but, by design,
// without its routing properties. The rule, per TXT set:
//
//  1. A set that already exists keeps its routing exactly. TXT records
//     written by external-dns, which copies the record's aws/* properties,
//     are thus updated in place, never re-created.
//  2. A new set at a name where other ownership sets already use another
//     policy than weighted (external-dns wrote them) copies the policy of
//     the record it owns, as external-dns would, since Route 53 wants one
//     policy kind per name and type.
//  3. Any other new set is weighted, weight 1: valid for every record kind
//     (latency regions, failover roles and locations must be unique per
//     name, weights need not), and needing no health check.
type txtRouting struct {
	z *zone
	// records are the records of this batch, as they will be, by name
	// and set identifier.
	records map[ownedKey]*endpoint.Endpoint
	// foreign is the names holding ownership sets with a policy other
	// than weighted; computed on first use.
	foreign map[string]bool
}

func newTXTRouting(z *zone) *txtRouting {
	return &txtRouting{z: z, records: map[ownedKey]*endpoint.Endpoint{}}
}

// note tells the policy about a record of the batch.
func (t *txtRouting) note(ep *endpoint.Endpoint) {
	if ep.RecordType != endpoint.RecordTypeTXT {
		t.records[ownedKey{canonicalName(ep.DNSName), ep.SetIdentifier}] = ep
	}
}

// route returns the routing of ownership record ep.
func (t *txtRouting) route(ep *endpoint.Endpoint) (routing, bool) {
	k := setKey{canonicalName(ep.DNSName), endpoint.RecordTypeTXT, ep.SetIdentifier}
	if s := t.z.sets[k]; s != nil {
		if r := routingOf(*s); r.kind != policyNone {
			return r, true
		}
	}
	if t.foreignNames()[k.name] {
		if r, ok := t.ownedRouting(ep); ok {
			return r, true
		}
	}
	return routing{kind: policyWeighted, weight: ownershipWeight}, true
}

func (t *txtRouting) foreignNames() map[string]bool {
	if t.foreign == nil {
		t.foreign = map[string]bool{}
		for k, s := range t.z.sets {
			if k.typ == endpoint.RecordTypeTXT && k.set != "" {
				if r := routingOf(*s); r.kind != policyNone && r.kind != policyWeighted {
					t.foreign[k.name] = true
				}
			}
		}
	}
	return t.foreign
}

// ownedRouting is the routing of the record ep owns: as this batch leaves
// it, else as the zone holds it.
func (t *txtRouting) ownedRouting(ep *endpoint.Endpoint) (routing, bool) {
	owned := canonicalName(ep.Labels[endpoint.OwnedRecordLabel])
	if owned == "" {
		return routing{}, false
	}
	if rec := t.records[ownedKey{owned, ep.SetIdentifier}]; rec != nil {
		if r, err := parseRouting(rec.ProviderSpecific); err == nil && r.kind != policyNone {
			return r, true
		}
	}
	for _, typ := range []types.RRType{types.RRTypeA, types.RRTypeAaaa, types.RRTypeCname, types.RRTypeMx,
		types.RRTypeSrv, types.RRTypeTxt, types.RRTypeNaptr, types.RRTypePtr, types.RRTypeCaa, types.RRTypeSpf} {
		if s := t.z.sets[setKey{owned, string(typ), ep.SetIdentifier}]; s != nil && aws.ToString(s.SetIdentifier) != "" {
			if r := routingOf(*s); r.kind != policyNone {
				return r, true
			}
		}
	}
	return routing{}, false
}
