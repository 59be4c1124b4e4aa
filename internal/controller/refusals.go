package controller

import (
	"fmt"
	"slices"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
)

// refusals remembers the names whose changes the provider refused, with
// the desired records at that time. While those stay the same the name is
// held, so the refused change is not sent (and refused) again on every
// reconcile; a changed input, or the next slow resync, tries again.
type refusals map[string]refused

type refused struct {
	name     string // canonical owned name
	sig      string // the desired records at name when refused
	resource string
	err      error
}

func (r *refusals) clear() { *r = nil }

// list returns the refusals remembered, sorted by name.
func (r refusals) list() []refused {
	out := make([]refused, 0, len(r))
	for _, rf := range r {
		out = append(out, rf)
	}
	slices.SortFunc(out, func(a, b refused) int { return strings.Compare(a.name, b.name) })
	return out
}

// remember notes each refusal of re and returns them for reporting.
func (r *refusals) remember(desired []*endpoint.Endpoint, re *provider.RefusedError) []refused {
	if *r == nil {
		*r = refusals{}
	}
	names := map[string]bool{}
	for _, f := range re.Refused {
		names[f.Name()] = true
	}
	sigs := signatures(desired, names)
	var out []refused
	for _, f := range re.Refused {
		rf := refused{name: f.Name(), sig: sigs[f.Name()], resource: f.Endpoint.Resource(),
			err: fmt.Errorf("%s of %s refused by the provider: %w", f.Action, f.Endpoint.Key(), f.Err)}
		(*r)[rf.name] = rf
		out = append(out, rf)
	}
	return out
}

// stillHeld returns the refusals whose desired records are unchanged, and
// forgets the others so their changes are tried again. desired holds every
// desired record at the names inScope accepts (nil: at every name); a
// refusal elsewhere is unchanged by definition.
func (r *refusals) stillHeld(desired []*endpoint.Endpoint, inScope func(string) bool) []refused {
	if len(*r) == 0 {
		return nil
	}
	names := make(map[string]bool, len(*r))
	for n := range *r {
		if inScope == nil || inScope(n) {
			names[n] = true
		}
	}
	sigs := signatures(desired, names)
	var out []refused
	for n, rf := range *r {
		if names[n] && sigs[n] != rf.sig {
			delete(*r, n)
			continue
		}
		out = append(out, rf)
	}
	slices.SortFunc(out, func(a, b refused) int { return strings.Compare(a.name, b.name) })
	return out
}

// signatures describes the desired records at each of names: keys,
// targets, TTL and properties, in a stable order.
func signatures(desired []*endpoint.Endpoint, names map[string]bool) map[string]string {
	parts := map[string][]string{}
	for _, e := range desired {
		n := canon(e.DNSName)
		if !names[n] {
			continue
		}
		t := slices.Clone([]string(e.Targets))
		slices.Sort(t)
		parts[n] = append(parts[n], fmt.Sprintf("%s|%s|%d|%v", e.Key(), strings.Join(t, ","), e.RecordTTL, e.ProviderSpecific))
	}
	out := make(map[string]string, len(parts))
	for n, p := range parts {
		slices.Sort(p)
		out[n] = strings.Join(p, "\n")
	}
	return out
}

func canon(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

// withoutRefused returns the changes of ch that re does not name.
func withoutRefused(ch *plan.Changes, re *provider.RefusedError) *plan.Changes {
	out := &plan.Changes{}
	skip := map[*endpoint.Endpoint]bool{}
	names := map[string]bool{}
	for _, f := range re.Refused {
		skip[f.Endpoint] = true
		names[f.Name()] = true
	}
	// A refusal is reported on a group's record; the group (the record and
	// its ownership records) was refused whole.
	keep := func(e *endpoint.Endpoint) bool { return !skip[e] && !names[provider.OwnedName(e)] }
	for _, e := range ch.Create {
		if keep(e) {
			out.Create = append(out.Create, e)
		}
	}
	for i, e := range ch.UpdateNew {
		if keep(e) {
			out.UpdateOld = append(out.UpdateOld, ch.UpdateOld[i])
			out.UpdateNew = append(out.UpdateNew, e)
		}
	}
	for _, e := range ch.Delete {
		if keep(e) {
			out.Delete = append(out.Delete, e)
		}
	}
	return out
}
