package plan

// heldNames gathers the names held by in.Held, canonicalised as keys are.
// Desired endpoints that hold their names add theirs as they are read (see
// addDesired): one look at each endpoint's labels, not two.
func heldNames(in Input) map[string]bool {
	held := make(map[string]bool, len(in.Held))
	for _, n := range in.Held {
		held[canonName(n)] = true
	}
	return held
}

// isHeld reports whether a decided slot touches a held name.
func (p *planner) isHeld(s *slot) bool {
	if s.win.ep != nil && p.held[canonName(s.win.ep.DNSName)] {
		return true
	}
	return s.cur != nil && p.held[canonName(s.cur.DNSName)]
}
