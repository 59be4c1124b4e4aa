package route53

import (
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
)

// A record Route 53 refused (or that was refused before the call) would be
// sent again on every run and fail every run, and its failure would make
// each reconcile fail. Instead the provider remembers it: until the next
// zone resync, or until the desired record changes, AdjustEndpoints hands
// it back held, with Route 53's reason, like any other refused input. Its
// name stays as it is, and it is reported with its object.

// refusal is a remembered refused record.
type refusal struct {
	fingerprint string // the desired record when it was refused
	reason      string
	until       time.Time
}

// holdRefused remembers the records of a refused group: the records it
// creates or updates (its ownership records go with them).
func (p *Provider) holdRefused(f Failure[change]) {
	reason := apiMessage(f.Err)
	var blamed []string
	for _, i := range culprits(f.Err, f.Group.Items) {
		blamed = append(blamed, f.Group.Items[i].desc)
	}
	for _, it := range f.Group.Items {
		ep := it.ep
		if ep == nil || it.Action == types.ChangeActionDelete || ep.Labels.Get(endpoint.OwnedRecordLabel) != "" {
			continue
		}
		if p.refusals == nil {
			p.refusals = map[endpoint.Key]refusal{}
		}
		p.refusals[refusalKey(ep)] = refusal{
			fingerprint: fingerprint(ep),
			reason:      "Route 53 refused " + strings.Join(blamed, ", ") + ": " + reason,
			until:       p.now().Add(p.cfg.ZoneResyncInterval),
		}
	}
}

// heldForRefusal returns why ep is held, or "" when it may be sent: it was
// refused as it is now, and the retry time has not come.
func (p *Provider) heldForRefusal(ep *endpoint.Endpoint) string {
	k := refusalKey(ep)
	r, ok := p.refusals[k]
	switch {
	case !ok:
		return ""
	case !p.now().Before(r.until) || r.fingerprint != fingerprint(ep):
		delete(p.refusals, k)
		return ""
	}
	return r.reason + "; not sent again before " + r.until.UTC().Format(time.RFC3339) + " unless the record changes"
}

// pruneRefusals forgets refusals whose retry time has come, so records no
// longer desired do not stay remembered.
func (p *Provider) pruneRefusals() {
	now := p.now()
	for k, r := range p.refusals {
		if !now.Before(r.until) {
			delete(p.refusals, k)
		}
	}
}

func refusalKey(ep *endpoint.Endpoint) endpoint.Key {
	return endpoint.Key{DNSName: canonicalName(ep.DNSName), RecordType: ep.RecordType, SetIdentifier: ep.SetIdentifier}
}

// fingerprint is what a record asks for: targets and properties, in a
// canonical order. The TTL is left out: the plan keeps the current one
// when none is desired, so it differs between the two sides.
func fingerprint(ep *endpoint.Endpoint) string {
	targets := make([]string, len(ep.Targets))
	for i, t := range ep.Targets {
		targets[i] = strings.ToLower(strings.TrimSuffix(t, "."))
	}
	slices.Sort(targets)
	props := make([]string, 0, len(ep.ProviderSpecific))
	for _, p := range ep.ProviderSpecific {
		props = append(props, p.Name+"="+p.Value)
	}
	slices.Sort(props)
	return strings.Join(targets, ",") + "|" + strings.Join(props, ",")
}
