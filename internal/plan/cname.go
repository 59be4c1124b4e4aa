package plan

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
)

// A CNAME must be alone at its name (RFC 1034 section 3.6.2); a provider
// either rejects the mix or serves something undefined. Weighted CNAMEs
// under different set identifiers are fine: they are all CNAMEs.

// mix summarises one name where desired records include a CNAME.
type mix struct {
	oursCNAME, oursOther bool   // current records we own at the name
	hasOther             bool   // a non-CNAME desired record survives too
	cnameRes, otherRes   string // smallest resource per side, for reports
	cnameSet, otherSet   bool
}

func (m *mix) add(isC bool, res string) {
	switch {
	case isC && (!m.cnameSet || res < m.cnameRes):
		m.cnameRes, m.cnameSet = res, true
	case !isC && (!m.otherSet || res < m.otherRes):
		m.otherRes, m.otherSet = res, true
	}
}

// keepCNAMEsAlone settles names where the desired records themselves mix a
// CNAME with other types. What we already serve, and still want, stays so
// the answer does not flip between runs. Otherwise the other types win: a
// CNAME hides every other type at its name, so it is the bigger claim.
func (p *planner) keepCNAMEsAlone() {
	var names map[string]*mix
	for i := range p.slots {
		if s := &p.slots[i]; s.wanted() && isCNAME(s.win.ep) {
			if names == nil {
				names = map[string]*mix{}
			}
			names[canonName(s.win.ep.DNSName)] = &mix{}
		}
	}
	if names == nil {
		return
	}
	for i := range p.slots {
		s := &p.slots[i]
		m := names[canonName(p.slotName(s))]
		if m == nil {
			continue
		}
		// Only a record that stays counts as what we serve: one this plan
		// deletes would hand the name to a side that may then be blocked,
		// and the next run would decide differently.
		if s.cur != nil && s.ours && s.wanted() {
			if isCNAME(s.cur) {
				m.oursCNAME = true
			} else {
				m.oursOther = true
			}
		}
		if s.wanted() {
			isC := isCNAME(s.win.ep)
			m.hasOther = m.hasOther || !isC
			m.add(isC, s.win.res)
		}
	}
	for i := range p.slots {
		s := &p.slots[i]
		if !s.wanted() {
			continue
		}
		m := names[canonName(s.win.ep.DNSName)]
		if m == nil || !m.hasOther {
			continue
		}
		cnameWins := m.oursCNAME && !m.oursOther
		if isCNAME(s.win.ep) == cnameWins {
			continue
		}
		s.lost = true
		winner := m.otherRes
		if cnameWins {
			winner = m.cnameRes
		}
		p.report(keyOf(s.win.ep), winner, resources(p.claims(i)), ReasonCNAMEExclusive)
	}
}

func (p *planner) slotName(s *slot) string {
	if s.win.ep != nil {
		return s.win.ep.DNSName
	}
	return s.cur.DNSName
}

// blockers are the current records at a name that will still exist after
// the plan: the smallest of each kind, so reports are stable.
type blockers struct{ cname, other *endpoint.Endpoint }

// blockCreatesBesideCNAMEs holds back creates that would put a CNAME next
// to an existing record or the other way round. It reads Current unfiltered:
// a TXT or MX we do not manage blocks a CNAME just the same.
func (p *planner) blockCreatesBesideCNAMEs() {
	if p.creates == 0 {
		return
	}
	names := make(map[string]*blockers, p.creates)
	for i := range p.slots {
		if s := &p.slots[i]; s.act == actCreate {
			names[canonName(s.win.ep.DNSName)] = &blockers{}
		}
	}
	for _, r := range p.in.Current {
		if r == nil {
			continue
		}
		b := names[canonName(r.DNSName)]
		if b == nil || p.deletedHere(r) {
			continue
		}
		if isCNAME(r) {
			b.cname = smaller(b.cname, r)
		} else {
			b.other = smaller(b.other, r)
		}
	}
	for i := range p.slots {
		s := &p.slots[i]
		if s.act != actCreate {
			continue
		}
		b := names[canonName(s.win.ep.DNSName)]
		blocker := b.cname
		if isCNAME(s.win.ep) {
			blocker = b.other
		}
		if blocker == nil {
			continue
		}
		s.act, s.lost = actNone, true
		p.creates--
		p.report(keyOf(s.win.ep), blocker.Resource(), resources(p.claims(i)), p.blockedBy(s.win.ep, blocker))
	}
}

// deletedHere reports whether this plan deletes r, which is then no
// obstacle: delete and create go out in the same batch.
func (p *planner) deletedHere(r *endpoint.Endpoint) bool {
	if !p.scope.contains(r) {
		return false
	}
	i, ok := p.lookup(r)
	return ok && p.slots[i].cur == r && p.slots[i].act == actDelete
}

func (p *planner) blockedBy(want, blocker *endpoint.Endpoint) string {
	whose := "ours"
	if blocker.Labels.Get(endpoint.OwnerLabel) != p.in.OwnerID {
		whose = ownedBy(blocker)
	}
	return fmt.Sprintf("cannot create %s beside the existing %s record (%s)",
		strings.ToUpper(want.RecordType), strings.ToUpper(blocker.RecordType), whose)
}

func smaller(a, b *endpoint.Endpoint) *endpoint.Endpoint {
	if a == nil {
		return b
	}
	c := cmp.Or(compareKeys(keyOf(a), keyOf(b)), strings.Compare(a.Resource(), b.Resource()),
		strings.Compare(a.Labels.Get(endpoint.OwnerLabel), b.Labels.Get(endpoint.OwnerLabel)))
	if c <= 0 {
		return a
	}
	return b
}
