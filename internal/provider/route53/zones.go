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
	dnszone "github.com/exodns/exodns/internal/zone"
)

// zone is one managed hosted zone and the cache of its record sets.
type zone struct {
	id      string // bare ID, without "/hostedzone/"
	name    string // lower case, no trailing dot
	private bool
	acct    *account

	// sets is the zone's content as last listed, updated with every
	// change of ours that Route 53 accepted. nil until the first listing.
	sets map[setKey]*types.ResourceRecordSet
	// checkedAt is when sets was last known right: listed in full, or
	// confirmed by the zone's record set count.
	checkedAt time.Time
	// countChecks counts confirmations by count since the last full list.
	countChecks int
	// count is the record set count the last zone listing reported.
	count int64
	// stale forces a full listing before the cache is used again: set
	// after an error that leaves the zone's content uncertain.
	stale bool
}

// account is one Account with its rate-limited API.
type account struct {
	name string
	api  API
}

// zoneSet is the selected zones, indexed for matching.
type zoneSet struct {
	all     []*zone // sorted by name, then ID
	byName  map[string][]*zone
	matcher dnszone.Matcher
	at      time.Time
}

func newZoneSet(zones []*zone, at time.Time) *zoneSet {
	slices.SortFunc(zones, func(a, b *zone) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	s := &zoneSet{all: zones, byName: map[string][]*zone{}, at: at}
	var names []string
	for _, z := range zones {
		s.byName[z.name] = append(s.byName[z.name], z)
		names = append(names, z.name)
	}
	s.matcher = dnszone.NewMatcher(names)
	return s
}

// zoneOf returns the ID of the longest managed zone holding name.
func (s *zoneSet) zoneOf(name string) (string, bool) {
	if s == nil {
		return "", false
	}
	n, ok := s.matcher.Zone(name)
	if !ok {
		return "", false
	}
	return s.byName[n][0].id, true
}

// discoverZones lists the hosted zones of every account and keeps those
// the filters select. A zone listed by several accounts belongs to the
// first. Zones already known keep their record cache.
func (p *Provider) discoverZones(ctx context.Context) (*zoneSet, error) {
	known := map[string]*zone{}
	if p.zones != nil {
		for _, z := range p.zones.all {
			known[z.id] = z
		}
	}
	seen := map[string]bool{}
	var out []*zone
	for _, a := range p.accounts {
		candidates, err := p.listZones(ctx, a)
		if err != nil {
			return nil, err
		}
		var fresh []*zone
		for _, z := range candidates {
			if seen[z.id] {
				continue
			}
			seen[z.id] = true
			fresh = append(fresh, z)
		}
		if len(p.cfg.ZoneTags) > 0 {
			if fresh, err = p.filterByTags(ctx, a, fresh); err != nil {
				return nil, err
			}
		}
		for _, z := range fresh {
			if k := known[z.id]; k != nil && k.acct == a {
				k.count = z.count
				z = k
			}
			out = append(out, z)
		}
	}
	return newZoneSet(out, p.now()), nil
}

// listZones pages through one account's hosted zones and applies every
// filter but tags.
func (p *Provider) listZones(ctx context.Context, a *account) ([]*zone, error) {
	var out []*zone
	in := &route53.ListHostedZonesInput{MaxItems: aws.Int32(100)}
	for {
		page, err := a.api.ListHostedZones(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("route53: listing zones of account %s: %w", a.name, err)
		}
		for _, hz := range page.HostedZones {
			z := &zone{id: zoneIDOf(aws.ToString(hz.Id)), name: canonicalName(aws.ToString(hz.Name)), acct: a}
			z.private = hz.Config != nil && hz.Config.PrivateZone
			z.count = aws.ToInt64(hz.ResourceRecordSetCount)
			if p.selects(z) {
				out = append(out, z)
			}
		}
		if !page.IsTruncated || page.NextMarker == nil {
			return out, nil
		}
		in.Marker = page.NextMarker
	}
}

// selects applies the zone type, zone ID and domain filters.
func (p *Provider) selects(z *zone) bool {
	switch p.cfg.ZoneType {
	case "public":
		if z.private {
			return false
		}
	case "private":
		if !z.private {
			return false
		}
	}
	if len(p.cfg.ZoneIDFilter) > 0 && !slices.ContainsFunc(p.cfg.ZoneIDFilter, func(id string) bool { return zoneIDOf(id) == z.id }) {
		return false
	}
	f := p.cfg.DomainFilter
	if f.Match(z.name) {
		return true
	}
	// --aws-zone-match-parent: a filter naming a domain below the zone
	// selects the zone; the plan still filters the records.
	return p.cfg.ZoneMatchParent && slices.ContainsFunc(f.Include, func(d string) bool {
		return endpoint.MatchDomain(z.name, strings.TrimPrefix(d, ".")) && !slices.ContainsFunc(f.Exclude, func(x string) bool {
			return endpoint.MatchDomain(x, z.name)
		})
	})
}
