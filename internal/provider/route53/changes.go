package route53

import (
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// change is one Route 53 change with what error reports need: a
// description, and the endpoint it comes from (for its resource, and to
// hold a refused record).
type change struct {
	types.Change
	desc string
	ep   *endpoint.Endpoint
}

func newChange(action types.ChangeAction, s types.ResourceRecordSet, ep *endpoint.Endpoint) change {
	return change{Change: types.Change{Action: action, ResourceRecordSet: &s}, desc: string(action) + " " + keyOf(&s).String(), ep: ep}
}

// groupBuilder turns one zone's share of a plan into groups of changes.
// A group holds every change at one record name, ownership records
// included, so a record never lands without its ownership record (or the
// other way round), and a CNAME swapped for an A is deleted in the same
// request that creates the A.
type groupBuilder struct {
	z      *zone
	conv   converter
	policy string
	groups map[string]*Group[change]
	order  []string
	bad    map[string]error // groups that cannot be sent, and why
	gone   map[setKey]bool  // sets already deleted in this build
	made   map[setKey]bool  // sets created or kept in this build
	// byName indexes the zone's and this build's sets by name and type,
	// built on first use (see mixed.go).
	byName map[nameType][]setKey
}

// buildGroups converts c into groups for z. Groups that cannot be built
// are returned apart, with the reason.
func buildGroups(z *zone, conv converter, policy string, c *plan.Changes) ([]Group[change], []Failure[change]) {
	b := &groupBuilder{z: z, conv: conv, policy: policy, groups: map[string]*Group[change]{},
		bad: map[string]error{}, gone: map[setKey]bool{}, made: map[setKey]bool{}}
	for _, ep := range c.Delete {
		b.remove(groupOf(ep), ep)
	}
	for i := range c.UpdateNew {
		b.update(groupOf(c.UpdateNew[i]), c.UpdateOld[i], c.UpdateNew[i])
	}
	for _, ep := range c.Create {
		b.create(groupOf(ep), ep)
	}
	var ok []Group[change]
	var failed []Failure[change]
	for _, k := range b.order {
		g := b.groups[k]
		// Deletes first: Route 53 applies a request in order.
		slices.SortStableFunc(g.Items, func(x, y change) int {
			return boolRank(x.Action != types.ChangeActionDelete) - boolRank(y.Action != types.ChangeActionDelete)
		})
		if err := b.mixedRouting(g); err != nil {
			b.fail(k, err)
		}
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

// errBuild marks changes that could not be turned into a request: they
// are refused before the call.
var errBuild = errors.New("route53: refused before the call")

func (b *groupBuilder) fail(key string, err error) {
	b.group(key)
	if b.bad[key] == nil {
		var re *refusedError
		if !errors.As(err, &re) {
			err = fmt.Errorf("%w: %w", errBuild, err)
		}
		b.bad[key] = err
	}
}

func (b *groupBuilder) create(key string, ep *endpoint.Endpoint) {
	s, err := b.conv.recordSet(ep)
	if err != nil {
		b.fail(key, fmt.Errorf("%s: %w", ep.Key(), err))
		return
	}
	k := keyOf(&s)
	b.made[k] = true
	if cur := b.z.sets[k]; cur != nil && !b.gone[k] && sameSet(cur, &s) {
		return // already there
	}
	b.add(key, newChange(types.ChangeActionCreate, s, ep))
}

func (b *groupBuilder) update(key string, old, new *endpoint.Endpoint) {
	s, err := b.conv.recordSet(new)
	if err != nil {
		b.fail(key, fmt.Errorf("%s: %w", new.Key(), err))
		return
	}
	k := keyOf(&s)
	b.made[k] = true
	cur := b.z.sets[k]
	switch {
	case cur == nil || b.gone[k]:
		b.add(key, newChange(types.ChangeActionCreate, s, new))
	case sameSet(cur, &s):
	case routingOf(*cur).kind != routingOf(s).kind:
		// Route 53 will not change a set's policy kind in place.
		b.gone[k] = true
		b.add(key, newChange(types.ChangeActionDelete, *cur, new))
		b.add(key, newChange(types.ChangeActionCreate, s, new))
	default:
		b.add(key, newChange(types.ChangeActionUpsert, s, new))
	}
	if ok := setKeyOf(old); ok != k {
		b.deleteSet(key, ok, old)
	}
}

func (b *groupBuilder) remove(key string, ep *endpoint.Endpoint) {
	b.deleteSet(key, setKeyOf(ep), ep)
}

// deleteSet deletes the set as the zone holds it, since Route 53 wants a
// delete to repeat the current values. A set the zone does not hold is
// already gone.
func (b *groupBuilder) deleteSet(key string, k setKey, ep *endpoint.Endpoint) {
	if cur := b.z.sets[k]; cur != nil && !b.gone[k] {
		b.gone[k] = true
		b.add(key, newChange(types.ChangeActionDelete, *cur, ep))
	}
}

// setKeyOf returns the key of the set that represents ep.
func setKeyOf(ep *endpoint.Endpoint) setKey {
	typ := ep.RecordType
	if isAlias(ep) {
		typ = string(aliasType(ep))
	}
	return setKey{canonicalName(ep.DNSName), typ, ep.SetIdentifier}
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

// groupOf names the group of ep: for an ownership record, the name of the
// record it owns, which the TXT registry labels it with (on what it writes
// and what it deletes alike); for any other record, its own name. A TXT
// record of a user is thus never taken for someone's ownership record.
func groupOf(ep *endpoint.Endpoint) string {
	if ep.RecordType == endpoint.RecordTypeTXT {
		if owned := ep.Labels.Get(endpoint.OwnedRecordLabel); owned != "" {
			return canonicalName(owned)
		}
	}
	return canonicalName(ep.DNSName)
}
