package txt

import "github.com/exodns/exodns/internal/endpoint"

// Ownership records are rewritten in the current form without any record
// change asking for it: records found through a legacy or an alias
// "cname-" record, and records whose ownership record is in an older form
// (see Records and outdated).

// migrate gives each pending record its ownership record in the current
// form: a typed one where it was found through a legacy or alias "cname-"
// record (the latter then deleted in the same batch), a rewritten one
// where the form is outdated.
func (b *batch) migrate() error {
	for _, p := range b.snap.pending {
		if b.touched[p.key] {
			continue
		}
		existing := b.current(p.key)
		if p.kind != outdated && existing != nil {
			continue
		}
		b.touched[p.key] = true
		if err := b.put(p.key, p.record, existing, p.base); err != nil {
			return err
		}
		if p.kind == fromAliasCNAME {
			b.dropAliasCNAME(p.key, p.base, p.record.DNSName)
		}
	}
	return nil
}

// dropAliasCNAME deletes, once, the "cname-" ownership record o through
// which the alias record owned at k was found.
func (b *batch) dropAliasCNAME(k endpoint.Key, o *ownership, owned string) {
	ck := endpoint.Key{DNSName: k.DNSName, RecordType: endpoint.RecordTypeCNAME, SetIdentifier: k.SetIdentifier}
	if o.ownedBy(b.r.ownerID) && b.current(ck) == o {
		b.txt.Delete = append(b.txt.Delete, labelled(o.txt, owned))
		b.set[ck] = nil
	}
}
