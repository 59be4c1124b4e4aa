package route53

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
)

// pageSize is the most record sets Route 53 returns per page.
const pageSize = 300

// maxCountChecks is how many resyncs in a row a matching record set count
// may stand in for a full listing. A count misses changes that keep it
// (an UPSERT by someone else), so every (maxCountChecks+1)th resync lists
// the zone in full: hourly with the default 10-minute interval.
const maxCountChecks = 5

// ensureRecords makes sure z's cache can be trusted, at the least cost:
//   - missing or stale (after an error): list the zone in full;
//   - checked less than a resync interval ago: nothing, no call;
//   - due: if the record set count of a zone listing taken since equals
//     the cache's, the cache is confirmed with no further call; otherwise,
//     and at least every maxCountChecks+1 resyncs, list in full.
func (p *Provider) ensureRecords(ctx context.Context, z *zone) error {
	now := p.now()
	if !z.mustCheck(now, p.cfg.ZoneResyncInterval) {
		return nil
	}
	due := z.checkedAt.Add(p.cfg.ZoneResyncInterval)
	switch {
	case z.sets == nil || z.stale:
	case !p.zones.at.Before(due) && z.count == int64(len(z.sets)) && z.countChecks < p.countChecks:
		z.checkedAt = now
		z.countChecks++
		p.gen++
		return nil
	}
	sets, err := listRecordSets(ctx, z)
	if err != nil {
		return err
	}
	z.sets, z.checkedAt, z.countChecks, z.stale = sets, now, 0, false
	p.gen++
	p.m.resyncs.WithLabelValues(z.name).Inc()
	p.m.records.WithLabelValues(z.name).Set(float64(len(sets)))
	return nil
}

// mustCheck reports whether z's cache needs a call before use at now:
// never listed, uncertain, or due for its resync.
func (z *zone) mustCheck(now time.Time, interval time.Duration) bool {
	return z.sets == nil || z.stale || !now.Before(z.checkedAt.Add(interval))
}

// listRecordSets reads every record set of z, a page of 300 at a time.
func listRecordSets(ctx context.Context, z *zone) (map[setKey]*types.ResourceRecordSet, error) {
	sets := map[setKey]*types.ResourceRecordSet{}
	in := &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(z.id), MaxItems: aws.Int32(pageSize)}
	for {
		page, err := z.acct.api.ListResourceRecordSets(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("route53: listing records of zone %s (%s): %w", z.name, z.id, err)
		}
		for i := range page.ResourceRecordSets {
			s := page.ResourceRecordSets[i]
			sets[keyOf(&s)] = &s
		}
		if !page.IsTruncated {
			return sets, nil
		}
		in.StartRecordName, in.StartRecordType, in.StartRecordIdentifier =
			page.NextRecordName, page.NextRecordType, page.NextRecordIdentifier
	}
}

func keyOf(s *types.ResourceRecordSet) setKey {
	return setKey{name: canonicalName(aws.ToString(s.Name)), typ: string(s.Type), set: aws.ToString(s.SetIdentifier)}
}

// zoneEndpoints maps the cached sets of z to endpoints, sorted by key.
func zoneEndpoints(conv converter, z *zone) []*endpoint.Endpoint {
	// Each record's key is rendered once, not twice per comparison: at
	// 10k sets that was a quarter of a million strings every read.
	type keyed struct {
		key string
		ep  *endpoint.Endpoint
	}
	ks := make([]keyed, 0, len(z.sets))
	for _, s := range z.sets {
		if s.Type == types.RRTypeSoa {
			continue
		}
		if ep, ok := conv.endpointOf(s); ok {
			ks = append(ks, keyed{ep.Key().String(), ep})
		}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
	out := make([]*endpoint.Endpoint, len(ks))
	for i, k := range ks {
		out[i] = k.ep
	}
	return out
}

// remember records in the cache what an accepted change did.
func (z *zone) remember(c types.Change) {
	k := keyOf(c.ResourceRecordSet)
	if c.Action == types.ChangeActionDelete {
		delete(z.sets, k)
		return
	}
	s := *c.ResourceRecordSet
	s.Name = aws.String(k.name + ".")
	z.sets[k] = &s
}
