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
	"github.com/exodns/exodns/internal/provider"
)

// ApplyError lists the changes that were not applied. Everything else was.
// Nothing is lost: the failed changes are still wanted, so the next plan
// asks for them again, against a freshly listed zone; one that Route 53
// refused is held meanwhile (see holdRefused).
type ApplyError struct {
	Total int // changes sent or attempted
	// Failed has one line per refused change, naming it, its resource and
	// Route 53's reason. Changes that failed only because they go with a
	// refused one (a record and its ownership record) are counted on that
	// line, not listed as if they had been refused themselves.
	Failed []string
	// refused is set when every failure was a refusal and everything else
	// landed: the controller then reports and holds them instead of
	// failing the reconcile.
	refused *provider.RefusedError
}

// Unwrap gives the refusals, when they are all that failed.
func (e *ApplyError) Unwrap() error {
	if e.refused == nil {
		return nil
	}
	return e.refused
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
	refusals := &provider.RefusedError{}
	orig := c
	lettingGo := p.accountsLettingGo(c)
	// The managed health checks the records now want exist before the
	// records name them (see hcattach.go).
	c, checkFailures := p.createPending(ctx, c)
	failed, nfailed, allRefused := p.reportCheckFailures(orig, checkFailures, refusals)
	total := nfailed
	byZone, stray := p.splitByZone(c)
	conv := p.converter()
	for _, ep := range stray {
		err := fmt.Errorf("%s is in no hosted zone exodns manages (check --domain-filter, --zone-id-filter, --aws-zone-type)", ep.DNSName)
		refusals.Refused = append(refusals.Refused, provider.Refusal{Action: provider.ActionOf(c, ep), Endpoint: ep, Err: err})
		failed = append(failed, fmt.Sprintf("%s %s: %v", provider.ActionOf(c, ep), ep.Key(), err))
		total++
		nfailed++
	}
	names := make([]string, 0, len(byZone))
	for n := range byZone {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, z := range p.zones.byName[name] {
			n, f, lines, err := p.applyZone(ctx, z, conv, byZone[name], refusals)
			if err != nil {
				return err
			}
			total += n
			nfailed += f
			failed = append(failed, lines.text...)
			allRefused = allRefused && lines.allRefused
		}
	}
	p.m.changes.WithLabelValues("applied").Add(float64(total - nfailed))
	p.m.changes.WithLabelValues("failed").Add(float64(nfailed))
	// The checks the records no longer use go only now, after the
	// changes that stopped using them.
	p.deleteUnusedChecks(ctx, lettingGo)
	if len(failed) == 0 {
		return nil
	}
	ae := &ApplyError{Total: total, Failed: failed}
	if allRefused {
		// Only refusals: everything else landed. The controller reports
		// each on its object and holds it. Otherwise something was not
		// sent (throttling that outlasted its retries, the network): a
		// real failure, retried with backoff.
		refusals.Applied = total - nfailed
		ae.refused = refusals
	}
	return ae
}

// failures is what applyZone says of the changes that did not land.
type failures struct {
	text       []string
	allRefused bool // every failure was a refusal, nothing was left unsent
}

// applyZone sends one zone's changes. It returns how many changes were
// attempted and how many failed, with a line for each refused one.
func (p *Provider) applyZone(ctx context.Context, z *zone, conv converter, c *plan.Changes, refusals *provider.RefusedError) (int, int, failures, error) {
	// Only a zone never listed, or left uncertain, is listed here. A zone
	// merely due for its periodic re-list is re-listed by Records: a
	// re-list here would take in someone else's changes that the caller,
	// who read the records before this batch, never sees, while the zone
	// version (ZoneVersion) it reads after the batch says it has.
	if z.sets == nil || z.stale {
		if err := p.ensureRecords(ctx, z); err != nil {
			return 0, 0, failures{}, err
		}
	}
	groups, bad := buildGroups(z, conv, p.cfg.Policy, c)
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
			p.gen++
		},
	}
	failed := append(bad, sub.Submit(ctx, Pack(groups, limit))...)
	total := 0
	for _, g := range groups {
		total += len(g.Items)
	}
	nfailed := 0
	for _, f := range bad {
		total += max(len(f.Group.Items), 1)
	}
	out := failures{allRefused: true}
	for _, f := range failed {
		nfailed += max(len(f.Group.Items), 1)
		out.text = append(out.text, failureLines(z.name, f)...)
		if isRefusal(f.Err) {
			p.holdRefused(f)
			refusals.Refused = append(refusals.Refused, refusalsOf(z.name, f)...)
		} else {
			out.allRefused = false
		}
	}
	if len(failed) > 0 {
		// The zone is no longer known for sure: list it before next use.
		z.stale = true
		p.gen++
	}
	p.m.records.WithLabelValues(z.name).Set(float64(len(z.sets)))
	return total, nfailed, out, nil
}

// refusalsOf turns a refused group into the shared report: the changes the
// error is about, each with Route 53's own reason.
func refusalsOf(zone string, f Failure[change]) []provider.Refusal {
	reason := fmt.Errorf("route53 (zone %s): %s", zone, apiMessage(f.Err))
	var out []provider.Refusal
	for _, i := range culprits(f.Err, f.Group.Items) {
		it := f.Group.Items[i]
		ep := it.ep
		if ep == nil {
			k := keyOf(it.ResourceRecordSet)
			ep = endpoint.New(k.name, k.typ).WithSetIdentifier(k.set)
		}
		action := map[types.ChangeAction]string{types.ChangeActionCreate: "create", types.ChangeActionDelete: "delete"}[it.Action]
		if action == "" {
			action = "update"
		}
		out = append(out, provider.Refusal{Action: action, Endpoint: ep, Err: reason})
	}
	return out
}

// failureLines reports a failed group: a line for each change the error is
// about, with the record's resource and the API's own code and message.
// The group's other changes were not refused, only not applied with it,
// and are counted on the last line rather than blamed.
func failureLines(zone string, f Failure[change]) []string {
	reason := apiMessage(f.Err)
	if len(f.Group.Items) == 0 {
		return []string{fmt.Sprintf("in %s: %s", zone, reason)}
	}
	var lines []string
	idx := culprits(f.Err, f.Group.Items)
	for _, i := range idx {
		it := f.Group.Items[i]
		line := it.desc
		if res := resourceOf(it); res != "" {
			line += " (" + res + ")"
		}
		lines = append(lines, fmt.Sprintf("%s in %s: %s", line, zone, reason))
	}
	if rest := len(f.Group.Items) - len(idx); rest > 0 {
		lines[len(lines)-1] += fmt.Sprintf(" (with it, %d other change(s) at that name not applied)", rest)
	}
	return lines
}

// resourceOf names the Kubernetes object behind a change, so the report
// can be acted on.
func resourceOf(c change) string {
	if c.ep == nil {
		return ""
	}
	return c.ep.Resource()
}

// apiMessage is an error as the API put it, "Code: message", without the
// SDK's wrapping (operation, status, request id); other errors as they are.
func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) && !errors.Is(err, errNotSent) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return err.Error()
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

// isRefusal tells whether a failure means the changes themselves were
// refused, by Route 53 or before the call, rather than not sent (network,
// throttling, an earlier failure); only those are held.
func isRefusal(err error) bool {
	if errors.Is(err, errNotSent) {
		return false
	}
	var re *refusedError
	return refused(err) || errors.As(err, &re) || errors.Is(err, errBuild)
}

// splitByZone sorts the plan's changes by zone name. An ownership record
// whose own name is in no zone goes with the record it owns, so that
// record is refused with it rather than created without it.
func (p *Provider) splitByZone(c *plan.Changes) (map[string]*plan.Changes, []*endpoint.Endpoint) {
	out := map[string]*plan.Changes{}
	var stray []*endpoint.Endpoint
	zoneOf := func(ep *endpoint.Endpoint) (*plan.Changes, bool) {
		name, ok := p.zones.matcher.Zone(ep.DNSName)
		if !ok && ep.RecordType == endpoint.RecordTypeTXT && ep.Labels.Get(endpoint.OwnedRecordLabel) != "" {
			name, ok = p.zones.matcher.Zone(ep.Labels.Get(endpoint.OwnedRecordLabel))
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
