package route53

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/gslb"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
)

// How a managed check reaches a record, with no moment at which the record
// has none:
//
//  1. AdjustEndpoints maps the gslb/health-check* properties of each routed
//     set to a check spec and writes the ID of the check serving it into
//     aws/health-check-id: the existing check of ours with that spec for
//     that record, or, when there is none yet, a placeholder ID. The plan
//     then sees a difference exactly when the check must change, and the
//     TXT registry copies the ID onto the ownership record as usual.
//  2. ApplyChanges first creates (and tags) the checks the placeholders
//     stand for, and writes their IDs into the changes. A record whose
//     check cannot be created is not sent, and neither is anything else
//     at its name (see failures below).
//  3. The record sets change: each set moves from its old check to its new
//     one in one UPSERT.
//  4. Then the checks of ours that no record set uses any more, and that
//     the last AdjustEndpoints did not ask for, are deleted.

// healthChecks is the provider's state of the managed checks.
type healthChecks struct {
	accts map[*account]*accountChecks
	// pending are the checks still to create, by placeholder ID.
	pending map[string]*pendingCheck
	// wanted are the check IDs the last AdjustEndpoints gave records, per
	// account, and explicit the IDs records name themselves
	// (aws/health-check-id): they are never deleted.
	wanted   map[*account]map[string]bool
	explicit map[string]bool
	// adjusted is set once AdjustEndpoints ran: before that, nothing is
	// known to be unwanted, so nothing is deleted.
	adjusted bool
	warned   map[string]bool
}

// pendingCheck is a check a record wants and that does not exist yet.
type pendingCheck struct {
	acct *account
	want wantKey
	ref  string // CallerReference, kept for the retries of one creation
}

// placeholderID stands for the check of want in account a until it is
// created. It has the shape of a Route 53 ID, so it passes where IDs go;
// it is a digest of the account and the wanted check, and only IDs of
// the pending map are taken for placeholders. Its version nibble is 0,
// which the random (version 4) UUIDs Route 53 gives do not have, so one
// is easy to tell apart in a dry-run's plan.
func placeholderID(a *account, w wantKey) string {
	sum := sha256.Sum256([]byte(a.name + "\x00" + w.hash() + "\x00" + w.spec.String()))
	h := hex.EncodeToString(sum[:16])
	return h[:8] + "-" + h[8:12] + "-0" + h[13:16] + "-" + h[16:20] + "-" + h[20:32]
}

// knownCheck reports whether id is a check exodns manages in account a
// (or will create), so it needs no GetHealthCheck lookup.
func (p *Provider) knownCheck(a *account, id string) bool {
	if pc := p.hc.pending[id]; pc != nil && pc.acct == a {
		return true
	}
	st := p.hc.accts[a]
	return st != nil && st.owned[id] != nil
}

// wantsManagedChecks reports whether any endpoint asks for a managed check.
func wantsManagedChecks(eps []*endpoint.Endpoint) bool {
	return slices.ContainsFunc(eps, func(e *endpoint.Endpoint) bool { return managedCheckProps(e.ProviderSpecific) })
}

// beginAdjust starts an AdjustEndpoints: the wanted IDs and the pending
// checks are rebuilt from what this call asks for.
func (p *Provider) beginAdjust() (prevPending map[string]*pendingCheck) {
	prevPending = p.hc.pending
	p.hc.pending = map[string]*pendingCheck{}
	p.hc.wanted = map[*account]map[string]bool{}
	p.hc.explicit = map[string]bool{}
	p.hc.adjusted = true
	return prevPending
}

func (p *Provider) want(a *account, id string) {
	if p.hc.wanted[a] == nil {
		p.hc.wanted[a] = map[string]bool{}
	}
	p.hc.wanted[a][id] = true
}

// warnOnce logs a setting Route 53 cannot honour exactly, once per record.
func (p *Provider) warnOnce(ep *endpoint.Endpoint, msg string) {
	k := ep.Key().String() + "\x00" + msg
	if p.hc.warned[k] {
		return
	}
	if p.hc.warned == nil {
		p.hc.warned = map[string]bool{}
	}
	p.hc.warned[k] = true
	p.log.Warn("route53: health check annotation not honoured as written", "record", ep.Key().String(), "resource", ep.Resource(), "reason", msg)
}

// attachChecks gives each set adjusted from in the ID of its managed check
// (see the top of this file), or returns why it cannot have one.
func (p *Provider) attachChecks(ctx context.Context, in *endpoint.Endpoint, adjusted []*endpoint.Endpoint, prev map[string]*pendingCheck, zonesKnown bool) *Problem {
	managed := managedCheckProps(in.ProviderSpecific)
	for _, adj := range adjusted {
		if adj.Held() {
			continue
		}
		if id, explicit := adj.ProviderSpecific.Get(propHealthCheck); explicit {
			// An explicit aws/health-check-id wins: that check is used
			// as it is, and no check is made from gslb/health-check*.
			p.hc.explicit[id] = true
			if managed {
				p.warnOnce(adj, fmt.Sprintf("%s names the health check, so %s is not turned into one", annotationFor(propHealthCheck), annotationFor(gslb.PropCheck)))
			}
			continue
		}
		w, ok := checkSpecFor(in, adj)
		if !ok {
			continue
		}
		if w.problem != nil {
			return w.problem
		}
		if adj.SetIdentifier == "" {
			p.warnOnce(adj, fmt.Sprintf("Route 53 answers a record without a routing policy whatever its health, so %s creates no health check for it: give it a set identifier and a policy (aws-weight, aws-failover, aws-multi-value-answer …)", annotationFor(gslb.PropCheck)))
			continue
		}
		for _, msg := range w.warnings {
			p.warnOnce(adj, msg)
		}
		fail := func(format string, args ...any) *Problem {
			pr := newProblem(adj, gslb.PropCheck, format, args...)
			return &pr
		}
		if p.cfg.OwnerID == "" {
			return fail("exodns tags the health checks it manages with its owner ID, and none is set (--txt-owner-id)")
		}
		if !zonesKnown {
			return fail("the hosted zones are not known yet (listing them failed), so the health check cannot be set up")
		}
		zn, ok := p.zones.matcher.Zone(adj.DNSName)
		if !ok {
			continue
		}
		zs := p.zones.byName[zn]
		if slices.ContainsFunc(zs, func(z *zone) bool { return z.acct != zs[0].acct }) {
			return fail("zone %s is hosted in several AWS accounts, and a health check serves the records of one account only: name a check per record with %s", zn, annotationFor(propHealthCheck))
		}
		a := zs[0].acct
		st, err := p.checksOf(ctx, a)
		if err != nil {
			return fail("exodns cannot list the health checks of AWS account %s, which it needs to manage one (route53:ListHealthChecks and route53:ListTagsForResources): %s", a.name, apiMessage(err))
		}
		want := wantKey{rec: setKeyOf(adj), spec: w.spec}
		id := ""
		if c := st.byWant[want]; c != nil {
			id = c.id
		} else {
			id = placeholderID(a, want)
			pc := prev[id]
			if pc == nil {
				pc = &pendingCheck{acct: a, want: want, ref: p.newRef(want)}
			}
			p.hc.pending[id] = pc
		}
		adj.ProviderSpecific.Set(propHealthCheck, id)
		p.want(a, id)
	}
	return nil
}

// checkFailure is a record whose check could not be made: it is not sent,
// and neither is anything else at its name.
type checkFailure struct {
	ep      *endpoint.Endpoint // the record (not its ownership record)
	err     error
	refusal bool // Route 53 refused the check: hold the record
	others  int  // other changes at that name not applied with it
}

// createPending creates the checks the plan's placeholders stand for and
// returns the plan with their IDs in place of the placeholders, without the
// names whose check could not be made.
func (p *Provider) createPending(ctx context.Context, c *plan.Changes) (*plan.Changes, []checkFailure) {
	users := map[string][]*endpoint.Endpoint{}
	for _, ep := range slices.Concat(c.Create, c.UpdateNew) {
		if id, ok := ep.ProviderSpecific.Get(propHealthCheck); ok && p.hc.pending[id] != nil {
			users[id] = append(users[id], ep)
		}
	}
	if len(users) == 0 {
		return c, nil
	}
	ids := make([]string, 0, len(users))
	for id := range users {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		return strings.Compare(p.hc.pending[a].want.rec.String(), p.hc.pending[b].want.rec.String())
	})

	resolved := map[string]string{}
	failedAt := map[string]error{} // by group (record name)
	refusedAt := map[string]bool{}
	blamed := map[string][]*endpoint.Endpoint{}
	for _, ph := range ids {
		pc := p.hc.pending[ph]
		st, err := p.checksOf(ctx, pc.acct)
		refusal := false
		if err == nil {
			var id string
			if id, err = p.createCheck(ctx, st, pc); err == nil {
				resolved[ph] = id
				continue
			}
			refusal = !errors.Is(err, errTagging) && isAPICode(err, "InvalidInput", "TooManyHealthChecks")
			err = fmt.Errorf("CreateHealthCheck (%s): %w", pc.want.spec, err)
		}
		for _, ep := range users[ph] {
			g := groupOf(ep)
			if failedAt[g] == nil {
				failedAt[g] = err
				refusedAt[g] = refusal
			}
			if ep.Labels.Get(endpoint.OwnedRecordLabel) == "" {
				blamed[g] = append(blamed[g], ep)
			}
		}
	}

	out := &plan.Changes{}
	dropped := map[string]int{}
	keep := func(ep *endpoint.Endpoint) (*endpoint.Endpoint, bool) {
		if g := groupOf(ep); failedAt[g] != nil {
			dropped[g]++
			return nil, false
		}
		if id, ok := ep.ProviderSpecific.Get(propHealthCheck); ok && resolved[id] != "" {
			ep = ep.DeepCopy()
			ep.ProviderSpecific.Set(propHealthCheck, resolved[id])
		}
		return ep, true
	}
	for _, ep := range c.Create {
		if k, ok := keep(ep); ok {
			out.Create = append(out.Create, k)
		}
	}
	for i, ep := range c.UpdateNew {
		if k, ok := keep(ep); ok {
			out.UpdateOld = append(out.UpdateOld, c.UpdateOld[i])
			out.UpdateNew = append(out.UpdateNew, k)
		}
	}
	for _, ep := range c.Delete {
		if k, ok := keep(ep); ok {
			out.Delete = append(out.Delete, k)
		}
	}
	var failures []checkFailure
	groups := make([]string, 0, len(failedAt))
	for g := range failedAt {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	for _, g := range groups {
		eps := blamed[g]
		if len(eps) == 0 { // only ownership records carried it
			continue
		}
		for i, ep := range eps {
			f := checkFailure{ep: ep, err: failedAt[g], refusal: refusedAt[g]}
			if i == len(eps)-1 {
				f.others = dropped[g] - len(eps)
			}
			failures = append(failures, f)
		}
	}
	return out, failures
}

// reportCheckFailures turns the failures of createPending into the
// report's lines and refusals, and holds the refused records like any
// record Route 53 refused (see refusals.go). It returns the lines, the
// number of changes not applied, and whether all were refusals.
func (p *Provider) reportCheckFailures(orig *plan.Changes, fs []checkFailure, refusals *provider.RefusedError) ([]string, int, bool) {
	var lines []string
	n, allRefused := 0, true
	for _, f := range fs {
		action := provider.ActionOf(orig, f.ep)
		line := fmt.Sprintf("%s %s", strings.ToUpper(action), f.ep.Key())
		if res := f.ep.Resource(); res != "" {
			line += " (" + res + ")"
		}
		line += ": health check: " + apiMessage(f.err)
		if f.others > 0 {
			line += fmt.Sprintf(" (with it, %d other change(s) at that name not applied)", f.others)
		}
		lines = append(lines, line)
		n += 1 + max(f.others, 0)
		if !f.refusal {
			allRefused = false
			continue
		}
		reason := "Route 53 refused the health check of " + f.ep.Key().String() + ": " + apiMessage(f.err)
		refusals.Refused = append(refusals.Refused, provider.Refusal{Action: action, Endpoint: f.ep, Err: errors.New(reason)})
		if p.refusals == nil {
			p.refusals = map[endpoint.Key]refusal{}
		}
		p.refusals[refusalKey(f.ep)] = refusal{fingerprint: fingerprint(f.ep), reason: reason, until: p.now().Add(p.cfg.ZoneResyncInterval)}
	}
	return lines, n, allRefused
}

// accountsLettingGo returns the accounts where the plan deletes or
// replaces record sets that name a health check: their checks are listed
// (if they were not) so that ours among them can go after the change.
func (p *Provider) accountsLettingGo(c *plan.Changes) map[*account]bool {
	out := map[*account]bool{}
	if p.zones == nil {
		return out
	}
	for _, ep := range slices.Concat(c.Delete, c.UpdateOld) {
		if _, ok := ep.ProviderSpecific.Get(propHealthCheck); ok {
			if z := p.zoneFor(ep.DNSName); z != nil {
				out[z.acct] = true
			}
		}
	}
	return out
}

// deleteUnusedChecks deletes the checks of ours that no record set of the
// account uses and that the last AdjustEndpoints did not ask for, once the
// changes that stopped using them have landed. A check whose record is in
// no zone exodns manages (the domain filter changed) is left alone: a
// record exodns cannot see may still use it. Failures are logged and the
// check is tried again after the next change. The checks of an account are
// listed for this only when the plan let go of some check there.
func (p *Provider) deleteUnusedChecks(ctx context.Context, lettingGo map[*account]bool) {
	if !p.hc.adjusted || p.zones == nil {
		return
	}
	for _, a := range p.accounts {
		st := p.hc.accts[a]
		if lettingGo[a] {
			st, _ = p.checksOf(ctx, a) // a failure is logged there
		}
		if st == nil || st.err != nil {
			continue
		}
		var cands []*ownedCheck
		for _, c := range st.owned {
			if _, managed := p.zones.matcher.Zone(c.rec.name); managed && !p.hc.wanted[a][c.id] && !p.hc.explicit[c.id] {
				cands = append(cands, c)
			}
		}
		if len(cands) == 0 {
			continue
		}
		used, err := p.checksInUse(ctx, a)
		if err != nil {
			p.log.Warn("route53: unused health checks not deleted: the zones could not be read", "account", a.name, "err", err)
			continue
		}
		slices.SortFunc(cands, func(x, y *ownedCheck) int { return strings.Compare(x.id, y.id) })
		for _, c := range cands {
			if used[c.id] {
				continue
			}
			if err := p.deleteCheck(ctx, a, st, c); err != nil {
				p.log.Warn("route53: cannot delete an unused health check; tried again after the next change", "account", a.name,
					"health_check", c.id, "record", c.rec.String(), "err", err)
			}
		}
	}
}

// checksInUse returns the check IDs the record sets of a's zones name.
func (p *Provider) checksInUse(ctx context.Context, a *account) (map[string]bool, error) {
	used := map[string]bool{}
	for _, z := range p.zones.all {
		if z.acct != a {
			continue
		}
		if z.sets == nil || z.stale {
			if err := p.ensureRecords(ctx, z); err != nil {
				return nil, err
			}
		}
		for _, s := range z.sets {
			if s.HealthCheckId != nil {
				used[*s.HealthCheckId] = true
			}
		}
	}
	return used, nil
}
