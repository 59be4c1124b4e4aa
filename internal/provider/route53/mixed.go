package route53

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// Route 53 keeps a name and type either as one simple record set or as
// routed sets (each with a set identifier), never both: turning a simple
// record into a routed one, or back, needs the old set deleted first, in
// the same request or before. The plan does that under --policy=sync for
// records exodns owns. Under upsert-only and create-only it deletes
// nothing, and a record someone else owns is never deleted, so the change
// would fail at the API on every run. It is refused before the call
// instead, saying what to do.

// nameType identifies the record sets of one name and type.
type nameType struct{ name, typ string }

// mixedRouting returns why the group cannot be sent because one of its
// creates would put a simple and a routed set side by side, or nil.
func (b *groupBuilder) mixedRouting(g *Group[change]) error {
	for _, c := range g.Items {
		if c.Action != types.ChangeActionCreate {
			continue
		}
		k := keyOf(c.ResourceRecordSet)
		for _, other := range b.setsAt(nameType{k.name, k.typ}) {
			if (other.set == "") == (k.set == "") || b.gone[other] {
				continue
			}
			return mixedError(k, other, b.policy)
		}
	}
	return nil
}

// setsAt lists the keys of the sets a name and type will hold: those in
// the zone and those this build creates. The index is built on first use.
func (b *groupBuilder) setsAt(nt nameType) []setKey {
	if b.byName == nil {
		b.byName = map[nameType][]setKey{}
		for k := range b.z.sets {
			b.byName[nameType{k.name, k.typ}] = append(b.byName[nameType{k.name, k.typ}], k)
		}
		for k := range b.made {
			if b.z.sets[k] == nil {
				b.byName[nameType{k.name, k.typ}] = append(b.byName[nameType{k.name, k.typ}], k)
			}
		}
	}
	return b.byName[nt]
}

// mixedError says why want cannot be created next to existing, and how to
// get there.
func mixedError(want, existing setKey, policy string) error {
	kind := func(k setKey) string {
		if k.set == "" {
			return "simple"
		}
		return "routed"
	}
	how := "exodns deletes a record only when it owns it, under --policy=sync; otherwise delete it by hand"
	if policy != "" && policy != "sync" {
		how = "exodns runs with --policy=" + policy + ", which never deletes: use --policy=sync, or delete it by hand"
	}
	return &refusedError{key: want, msg: fmt.Sprintf("cannot create the %s set %s: Route 53 does not keep simple and routed sets of one name and type side by side, and the %s set %s must be deleted first; %s",
		kind(want), want, kind(existing), existing, how)}
}

// refusedError is a change refused before the call, naming its set.
type refusedError struct {
	key setKey
	msg string
}

func (e *refusedError) Error() string { return "route53: " + e.msg }

// mixedInZone returns why the set k cannot be created in z while z holds
// sets of the other kind at its name and type, or nil. It serves policies
// that never delete, where nothing would remove the old sets.
func mixedInZone(z *zone, k setKey, policy string) *refusedError {
	if z.sets == nil || z.sets[k] != nil {
		return nil // unknown yet, or already there
	}
	if k.set != "" {
		if simple := (setKey{k.name, k.typ, ""}); z.sets[simple] != nil {
			return mixedError(k, simple, policy).(*refusedError)
		}
		return nil
	}
	for other := range z.sets {
		if other.name == k.name && other.typ == k.typ && other.set != "" {
			return mixedError(k, other, policy).(*refusedError)
		}
	}
	return nil
}
