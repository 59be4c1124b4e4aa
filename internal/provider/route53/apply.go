package route53

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// ApplyError lists the changes that were not applied. Everything else was.
// Nothing is lost: the failed changes are still wanted, so the next plan
// asks for them again, against a freshly listed zone.
type ApplyError struct {
	Total  int      // changes sent or attempted
	Failed []string // one line per failed change: action, set, reason
}

func (e *ApplyError) Error() string {
	const show = 10
	lines := e.Failed[:min(len(e.Failed), show)]
	s := fmt.Sprintf("route53: %d of %d changes failed: %s", len(e.Failed), e.Total, strings.Join(lines, "; "))
	if len(e.Failed) > show {
		s += fmt.Sprintf("; and %d more", len(e.Failed)-show)
	}
	return s
}

// ApplyChanges applies the plan zone by zone. A record and its ownership
// record always share a request; a refused request is split until the
// refused changes are isolated, so the rest still lands. The cache learns
// every accepted change; a zone with a failure is listed afresh next time.
func (p *Provider) ApplyChanges(ctx context.Context, c *plan.Changes) error {
	if !c.HasChanges() {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.ensureZones(ctx, false); err != nil {
		return err
	}
	byZone, stray := p.splitByZone(c)
	for _, ep := range stray {
		p.log.WarnContext(ctx, "route53: skipping record outside every managed zone", "record", ep.Key().String())
	}
	conv := p.converter()
	total := 0
	var failed []string
	names := make([]string, 0, len(byZone))
	for n := range byZone {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, z := range p.zones.byName[name] {
			n, f, err := p.applyZone(ctx, z, conv, byZone[name])
			if err != nil {
				return err
			}
			total += n
			failed = append(failed, f...)
		}
	}
	p.m.changes.WithLabelValues("applied").Add(float64(total - len(failed)))
	p.m.changes.WithLabelValues("failed").Add(float64(len(failed)))
	if len(failed) > 0 {
		return &ApplyError{Total: total, Failed: failed}
	}
	return nil
}

// applyZone sends one zone's changes. It returns how many changes were
// attempted and a line for each that failed.
func (p *Provider) applyZone(ctx context.Context, z *zone, conv converter, c *plan.Changes) (int, []string, error) {
	if err := p.ensureRecords(ctx, z); err != nil {
		return 0, nil, err
	}
	groups, bad := buildGroups(z, conv, c)
	limit := Cost{Changes: p.cfg.BatchChangeSize, Values: p.cfg.BatchChangeSizeValues, Bytes: p.cfg.BatchChangeSizeBytes}
	sub := Submitter[change]{
		Send: func(ctx context.Context, items []change) error {
			batch := make([]types.Change, len(items))
			for i, it := range items {
				batch[i] = it.Change
			}
			_, err := z.acct.api.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
				HostedZoneId: aws.String(z.id), ChangeBatch: &types.ChangeBatch{Changes: batch}})
			return err
		},
		Refused:  refused,
		Suspects: suspects,
		Interval: p.cfg.BatchChangeInterval,
		OnApplied: func(g Group[change]) {
			for _, it := range g.Items {
				z.remember(it.Change)
			}
		},
	}
	failures := append(bad, sub.Submit(ctx, Pack(groups, limit))...)
	total := 0
	for _, g := range groups {
		total += len(g.Items)
	}
	for _, f := range bad {
		total += max(len(f.Group.Items), 1)
	}
	var lines []string
	for _, f := range failures {
		for _, it := range f.Group.Items {
			lines = append(lines, fmt.Sprintf("%s in %s: %v", it.desc, z.name, f.Err))
		}
		if len(f.Group.Items) == 0 {
			lines = append(lines, fmt.Sprintf("in %s: %v", z.name, f.Err))
		}
	}
	if len(failures) > 0 {
		// The zone is no longer known for sure: list it before next use.
		z.stale = true
	}
	p.m.records.WithLabelValues(z.name).Set(float64(len(z.sets)))
	return total, lines, nil
}

// refused tells whether Route 53 refused the content of a request, so a
// part of it may still pass.
func refused(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "InvalidChangeBatch", "InvalidInput", "NoSuchHealthCheck", "InvalidArgument", "InvalidDomainName":
		return true
	}
	return false
}

// splitByZone sorts the plan's changes by zone name. An ownership record
// whose own name is in no zone goes with the record it owns, so that
// record is refused with it rather than created without it.
func (p *Provider) splitByZone(c *plan.Changes) (map[string]*plan.Changes, []*endpoint.Endpoint) {
	out := map[string]*plan.Changes{}
	var stray []*endpoint.Endpoint
	zoneOf := func(ep *endpoint.Endpoint) (*plan.Changes, bool) {
		name, ok := p.zones.matcher.Zone(ep.DNSName)
		if !ok && ep.RecordType == endpoint.RecordTypeTXT && ep.Labels[endpoint.OwnedRecordLabel] != "" {
			name, ok = p.zones.matcher.Zone(ep.Labels[endpoint.OwnedRecordLabel])
		}
		if !ok {
			stray = append(stray, ep)
			return nil, false
		}
		if out[name] == nil {
			out[name] = &plan.Changes{}
		}
		return out[name], true
	}
	for _, ep := range c.Create {
		if zc, ok := zoneOf(ep); ok {
			zc.Create = append(zc.Create, ep)
		}
	}
	for i, ep := range c.UpdateNew {
		if zc, ok := zoneOf(ep); ok {
			zc.UpdateOld = append(zc.UpdateOld, c.UpdateOld[i])
			zc.UpdateNew = append(zc.UpdateNew, ep)
		}
	}
	for _, ep := range c.Delete {
		if zc, ok := zoneOf(ep); ok {
			zc.Delete = append(zc.Delete, ep)
		}
	}
	return out, stray
}
