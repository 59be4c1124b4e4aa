package route53

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// change is one Route 53 change with a description for error reports.
type change struct {
	types.Change
	desc string
}

func newChange(action types.ChangeAction, s types.ResourceRecordSet) change {
	return change{Change: types.Change{Action: action, ResourceRecordSet: &s}, desc: string(action) + " " + keyOf(&s).String()}
}

// groupBuilder turns one zone's share of a plan into groups of changes.
// A group holds every change at one record name, ownership records
// included, so a record never lands without its ownership record (or the
// other way round), and a CNAME swapped for an A is deleted in the same
// request that creates the A.
type groupBuilder struct {
	z      *zone
	conv   converter
	txt    *txtRouting
	groups map[string]*Group[change]
	order  []string
	bad    map[string]error // groups that cannot be sent, and why
	gone   map[setKey]bool  // sets already deleted in this build
}

// buildGroups converts c into groups for z. Groups that cannot be built
// are returned apart, with the reason.
func buildGroups(z *zone, conv converter, c *plan.Changes) ([]Group[change], []Failure[change]) {
	b := &groupBuilder{z: z, conv: conv, txt: newTXTRouting(z), groups: map[string]*Group[change]{},
		bad: map[string]error{}, gone: map[setKey]bool{}}
	for _, ep := range c.Create {
		b.txt.note(ep)
	}
	for _, ep := range c.UpdateNew {
		b.txt.note(ep)
	}
	owners := recordNames(c)
	for _, ep := range c.Delete {
		b.remove(b.groupOf(ep, owners), ep)
	}
	for i := range c.UpdateNew {
		b.update(b.groupOf(c.UpdateNew[i], owners), c.UpdateOld[i], c.UpdateNew[i])
	}
	for _, ep := range c.Create {
		b.create(b.groupOf(ep, owners), ep)
	}
	var ok []Group[change]
	var failed []Failure[change]
	for _, k := range b.order {
		g := b.groups[k]
		// Deletes first: Route 53 applies a request in order.
		slices.SortStableFunc(g.Items, func(x, y change) int {
			return boolRank(x.Action != types.ChangeActionDelete) - boolRank(y.Action != types.ChangeActionDelete)
		})
		if err := b.bad[k]; err != nil {
			failed = append(failed, Failure[change]{Group: *g, Err: err})
		} else if len(g.Items) > 0 {
			ok = append(ok, *g)
		}
	}
	return ok, failed
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (b *groupBuilder) group(key string) *Group[change] {
	g := b.groups[key]
	if g == nil {
		g = &Group[change]{}
		b.groups[key] = g
		b.order = append(b.order, key)
	}
	return g
}

func (b *groupBuilder) add(key string, c change) {
	g := b.group(key)
	if name := keyOf(c.ResourceRecordSet).name; !endpoint.MatchDomain(b.z.name, name) {
		b.fail(key, fmt.Errorf("%s is outside zone %s", name, b.z.name))
	}
	g.Items = append(g.Items, c)
	g.Cost = g.Cost.Add(costOf(c))
}

func (b *groupBuilder) fail(key string, err error) {
	b.group(key)
	if b.bad[key] == nil {
		b.bad[key] = err
	}
}

func (b *groupBuilder) create(key string, ep *endpoint.Endpoint) {
	sets, err := b.conv.recordSets(ep, b.txt.route)
	if err != nil {
		b.fail(key, fmt.Errorf("%s: %w", ep.Key(), err))
		return
	}
	for _, s := range sets {
		if cur := b.z.sets[keyOf(&s)]; cur != nil && sameSet(cur, &s) {
			continue // already there
		}
		b.add(key, newChange(types.ChangeActionCreate, s))
	}
}

func (b *groupBuilder) update(key string, old, new *endpoint.Endpoint) {
	sets, err := b.conv.recordSets(new, b.txt.route)
	if err != nil {
		b.fail(key, fmt.Errorf("%s: %w", new.Key(), err))
		return
	}
	keep := map[setKey]bool{}
	for _, s := range sets {
		k := keyOf(&s)
		keep[k] = true
		cur := b.z.sets[k]
		switch {
		case cur == nil || b.gone[k]:
			b.add(key, newChange(types.ChangeActionCreate, s))
		case sameSet(cur, &s):
		case routingOf(*cur).kind != routingOf(s).kind:
			// Route 53 will not change a set's policy kind in place.
			b.gone[k] = true
			b.add(key, newChange(types.ChangeActionDelete, *cur))
			b.add(key, newChange(types.ChangeActionCreate, s))
		default:
			b.add(key, newChange(types.ChangeActionUpsert, s))
		}
	}
	for _, k := range setKeys(old) {
		if !keep[k] {
			b.deleteSet(key, k)
		}
	}
}

func (b *groupBuilder) remove(key string, ep *endpoint.Endpoint) {
	for _, k := range setKeys(ep) {
		b.deleteSet(key, k)
	}
}

// deleteSet deletes the set as the zone holds it, since Route 53 wants a
// delete to repeat the current values. A set the zone does not hold is
// already gone.
func (b *groupBuilder) deleteSet(key string, k setKey) {
	if cur := b.z.sets[k]; cur != nil && !b.gone[k] {
		b.gone[k] = true
		b.add(key, newChange(types.ChangeActionDelete, *cur))
	}
}

// setKeys returns the keys of the sets that represent ep.
func setKeys(ep *endpoint.Endpoint) []setKey {
	name := canonicalName(ep.DNSName)
	if !isAlias(ep) {
		return []setKey{{name, ep.RecordType, ep.SetIdentifier}}
	}
	if ep.RecordType == endpoint.RecordTypeAAAA {
		return []setKey{{name, endpoint.RecordTypeAAAA, ep.SetIdentifier}}
	}
	keys := []setKey{{name, endpoint.RecordTypeA, ep.SetIdentifier}}
	if isTrue(ep.ProviderSpecific, propDualstack) {
		keys = append(keys, setKey{name, endpoint.RecordTypeAAAA, ep.SetIdentifier})
	}
	return keys
}

// costOf counts a change against Route 53's request limits: each value
// and its characters, twice for an UPSERT; an alias counts as one value.
func costOf(c change) Cost {
	s := c.ResourceRecordSet
	cost := Cost{Changes: 1}
	if s.AliasTarget != nil {
		cost.Values, cost.Bytes = 1, len(aws.ToString(s.AliasTarget.DNSName))
	}
	for _, r := range s.ResourceRecords {
		cost.Values++
		cost.Bytes += len(aws.ToString(r.Value))
	}
	if c.Action == types.ChangeActionUpsert {
		cost.Values, cost.Bytes = 2*cost.Values, 2*cost.Bytes
	}
	return cost
}

// sameSet reports whether two sets would answer the same: same TTL,
// values, alias target and routing.
func sameSet(a, b *types.ResourceRecordSet) bool {
	if keyOf(a) != keyOf(b) || routingOf(*a) != routingOf(*b) || (a.AliasTarget == nil) != (b.AliasTarget == nil) {
		return false
	}
	if a.AliasTarget != nil {
		x, y := a.AliasTarget, b.AliasTarget
		return canonicalName(aws.ToString(x.DNSName)) == canonicalName(aws.ToString(y.DNSName)) &&
			aws.ToString(x.HostedZoneId) == aws.ToString(y.HostedZoneId) && x.EvaluateTargetHealth == y.EvaluateTargetHealth
	}
	if aws.ToInt64(a.TTL) != aws.ToInt64(b.TTL) || len(a.ResourceRecords) != len(b.ResourceRecords) {
		return false
	}
	values := func(s *types.ResourceRecordSet) []string {
		out := make([]string, len(s.ResourceRecords))
		for i, r := range s.ResourceRecords {
			out[i] = aws.ToString(r.Value)
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(values(a), values(b))
}

// recordNames lists, per set identifier, the names of the records (not
// ownership records) a plan touches.
func recordNames(c *plan.Changes) map[string][]string {
	out := map[string][]string{}
	for _, list := range [][]*endpoint.Endpoint{c.Create, c.UpdateNew, c.Delete} {
		for _, ep := range list {
			if ep.RecordType != endpoint.RecordTypeTXT {
				out[ep.SetIdentifier] = append(out[ep.SetIdentifier], canonicalName(ep.DNSName))
			}
		}
	}
	return out
}

// groupOf names the group of ep: its own name for a record; for an
// ownership record, the name of the record it owns. The TXT registry
// labels the ownership records it writes with that name; those it deletes
// come as read, unlabelled, and are matched to a record of the same set
// identifier whose name they contain (the registry builds them from the
// record's first label and the rest of its name).
func (b *groupBuilder) groupOf(ep *endpoint.Endpoint, owners map[string][]string) string {
	name := canonicalName(ep.DNSName)
	if ep.RecordType != endpoint.RecordTypeTXT {
		return name
	}
	if owned := ep.Labels[endpoint.OwnedRecordLabel]; owned != "" {
		return canonicalName(owned)
	}
	best, score := name, 0
	for _, rec := range owners[ep.SetIdentifier] {
		first, rest, _ := strings.Cut(rec, ".")
		s := 0
		switch {
		case strings.HasSuffix(name, "."+rec):
			s = 3 // templated prefix: "a-k3s.app.example.com"
		case rest != "" && strings.HasSuffix(name, "."+rest) && strings.Contains(strings.TrimSuffix(name, "."+rest), first):
			s = 2 // "k3sa-app.example.com", "a-app-k3s.example.com"
		case rest != "" && strings.HasSuffix(name, "."+rest):
			s = 1 // same parent (a wildcard's replacement)
		}
		if s > score || (s == score && s > 0 && len(rec) > len(best)) {
			best, score = rec, s
		}
	}
	return best
}
