package txt

import (
	"errors"
	"fmt"
	"slices"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// Names of ownership records are reserved for them. A desired TXT record
// named like one (say "a-x.example.com", while x.example.com A is owned)
// cannot be created, because the ownership record is there, and creating
// it would also write its own ownership record ("txt-a-x.example.com"),
// left behind when the create fails. A CNAME there clashes just the same.
// Such a record is refused before planning, with a reason naming the
// owner, and never sent.

// desiredKeys indexes desired records by the name and type their ownership
// records will have, with the resource each comes from. It is built on
// first use: only a desired TXT or CNAME record named like an ownership
// record needs it, and at 10^5 records building it was a third of
// AdjustEndpoints.
type desiredKeys struct {
	r     *Registry
	lists [][]*endpoint.Endpoint
	keys  map[nameType]string
}

func (r *Registry) desiredKeys(lists ...[]*endpoint.Endpoint) *desiredKeys {
	return &desiredKeys{r: r, lists: lists}
}

func (d *desiredKeys) get(k nameType) (string, bool) {
	if d.keys == nil {
		d.keys = map[nameType]string{}
		for _, eps := range d.lists {
			for _, ep := range eps {
				if ep.Held() {
					continue
				}
				k := d.r.lookupKey(ep)
				nt, res := nameType{k.DNSName, k.RecordType}, ep.Resource()
				// Of several claims, the smallest resource is named,
				// whatever order the sources list them in: a reason
				// that changes between runs would be reported again.
				if have, ok := d.keys[nt]; !ok || res < have {
					d.keys[nt] = res
				}
			}
		}
	}
	res, ok := d.keys[k]
	return res, ok
}

// reservedBy returns why ep may not be created, or "" when it may: its
// name is the ownership record name of a record that is owned (snap, nil
// before the first Records) or desired.
func (r *Registry) reservedBy(ep *endpoint.Endpoint, snap *snapshot, desired *desiredKeys) string {
	if ep.RecordType != endpoint.RecordTypeTXT && ep.RecordType != endpoint.RecordTypeCNAME {
		return ""
	}
	name, recordType := r.mapper.ToEndpointName(ep.DNSName)
	if name == "" || recordType == "" {
		return "" // a legacy, type-less name: any name reads as one
	}
	if snap != nil {
		if o := snap.ownerAt(name, recordType, ep.SetIdentifier); o != nil {
			return fmt.Sprintf("%s is the name of the ownership record of %s %s, owned by %q; a %s record of its own there would clash with it, so choose another name",
				ep.DNSName, name, recordType, o.owner, ep.RecordType)
		}
	}
	if res, ok := desired.get(nameType{name, recordType}); ok {
		by := ""
		if res != "" {
			by = " for " + res
		}
		return fmt.Sprintf("%s is the name of the ownership record of %s %s, owned by %q%s; a %s record of its own there would clash with it, so choose another name",
			ep.DNSName, name, recordType, r.ownerID, by, ep.RecordType)
	}
	return ""
}

// ownerAt returns an ownership record of the record name and type, of the
// given set identifier or, failing that, of any: Route 53 and others let
// no record of its own share the name whatever the set.
func (s *snapshot) ownerAt(name, recordType, set string) *ownership {
	if o := s.typed.get(endpoint.Key{DNSName: name, RecordType: recordType, SetIdentifier: set}); o != nil {
		return o
	}
	return s.typed.atName(name, recordType)
}

// refuseReserved takes out of the creates those at a name reserved for an
// ownership record (see reserved.go), which AdjustEndpoints holds once it
// knows the zone; on the first run it may not, and this is the last line.
// The rest goes ahead; the refused ones come back as one error naming each.
func (r *Registry) refuseReserved(c *plan.Changes, snap *snapshot) ([]*endpoint.Endpoint, error) {
	desired := r.desiredKeys(c.Create, c.UpdateNew)
	var errs []error
	creates := c.Create
	for i, ep := range c.Create {
		reason := r.reservedBy(ep, snap, desired)
		if reason == "" {
			if errs != nil {
				creates = append(creates, ep)
			}
			continue
		}
		if errs == nil {
			creates = slices.Clone(c.Create[:i])
		}
		who := ep.Key().String()
		if res := ep.Resource(); res != "" {
			who += " (" + res + ")"
		}
		errs = append(errs, fmt.Errorf("txt registry: %s not created: %s", who, reason))
	}
	return creates, errors.Join(errs...)
}
