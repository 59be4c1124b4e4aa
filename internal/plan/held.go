package plan

import "github.com/exodns/exodns/internal/endpoint"

// splitHeld moves held desired endpoints out of Desired and gathers every
// held name, canonicalised as keys are. Without any hold it returns in
// unchanged and allocates nothing.
func splitHeld(in Input) (Input, map[string]bool) {
	held := map[string]bool{}
	for _, n := range in.Held {
		held[canonName(n)] = true
	}
	n := 0
	for _, e := range in.Desired {
		if e.Held() {
			held[canonName(e.DNSName)] = true
			n++
		}
	}
	if n > 0 {
		kept := make([]*endpoint.Endpoint, 0, len(in.Desired)-n)
		for _, e := range in.Desired {
			if !e.Held() {
				kept = append(kept, e)
			}
		}
		in.Desired = kept
	}
	return in, held
}

// isHeld reports whether a decided slot touches a held name.
func (p *planner) isHeld(s *slot) bool {
	if s.win.ep != nil && p.held[canonName(s.win.ep.DNSName)] {
		return true
	}
	return s.cur != nil && p.held[canonName(s.cur.DNSName)]
}
