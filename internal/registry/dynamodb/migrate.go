package dynamodb

import (
	"slices"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/registry/txt"
)

// Migrating from the TXT registry: ownership TXT records (read with the
// --txt-* flags they were written with) vouch for records that have no
// item yet. Those of ours get an item on the next ApplyChanges, with a
// conditional write like any claim; the TXT records are then deleted when
// TXT is a managed type, as upstream does.

// txtOwnership is one TXT ownership record's word on a record.
type txtOwnership struct {
	labels  endpoint.Labels
	records []*endpoint.Endpoint
}

func (o *txtOwnership) owner() string { return o.labels.Get(endpoint.OwnerLabel) }

type txtIndex struct {
	reader *txt.Reader
	typed  map[endpoint.Key]*txtOwnership // by the owned record's lookup key
	legacy map[endpoint.Key]*txtOwnership // type-less: RecordType ""
	hidden map[*endpoint.Endpoint]bool
}

// readTXT indexes the ownership TXT records among recs.
func (r *Registry) readTXT(recs []*endpoint.Endpoint) *txtIndex {
	ix := &txtIndex{reader: r.opts.TXT, typed: map[endpoint.Key]*txtOwnership{}, legacy: map[endpoint.Key]*txtOwnership{}, hidden: map[*endpoint.Endpoint]bool{}}
	if ix.reader == nil {
		return ix
	}
	for _, rec := range recs {
		o, ok := ix.reader.Read(rec)
		if !ok {
			if ix.reader.IsOwnership(rec) {
				ix.hidden[rec] = true
			}
			continue
		}
		ix.hidden[rec] = true
		m := ix.typed
		if o.Key.RecordType == "" {
			m = ix.legacy
		}
		k := canonical(o.Key)
		if cur := m[k]; cur != nil {
			cur.records = append(cur.records, rec)
			continue
		}
		m[k] = &txtOwnership{labels: o.Labels, records: []*endpoint.Endpoint{rec}}
	}
	return ix
}

// hides reports whether rec is an ownership TXT record, never shown.
func (ix *txtIndex) hides(rec *endpoint.Endpoint) bool { return ix.hidden[rec] }

// find returns the TXT ownership of the record rec (canonical key k): its
// typed record; for an AWS alias, the "cname-" record upstream wrote
// before v0.22; else a legacy type-less one, except for AAAA.
func (ix *txtIndex) find(k endpoint.Key, rec *endpoint.Endpoint) *txtOwnership {
	if ix.reader == nil {
		return nil
	}
	k.DNSName = ix.reader.LookupName(k.DNSName)
	if o := ix.typed[k]; o != nil {
		return o
	}
	if alias, _ := rec.ProviderSpecific.Get("alias"); alias == "true" && slices.Contains([]string{endpoint.RecordTypeA, endpoint.RecordTypeAAAA}, k.RecordType) {
		ck := k
		ck.RecordType = endpoint.RecordTypeCNAME
		if o := ix.typed[ck]; o != nil {
			return o
		}
	}
	if k.RecordType == endpoint.RecordTypeAAAA {
		return nil
	}
	k.RecordType = ""
	return ix.legacy[k]
}
