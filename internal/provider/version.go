package provider

// Versioned is a provider that counts the changes of its zone, so a
// controller can tell without reading the zone that nothing changed since
// it last did. ZoneVersion changes whenever any record changes.
type Versioned interface {
	ZoneVersion() uint64
}

// ZoneVersionOf returns p's zone version, looking through wrappers that
// offer Unwrap (such as DryRun); ok is false when none keeps one.
func ZoneVersionOf(p Provider) (uint64, bool) {
	for p != nil {
		if v, ok := p.(Versioned); ok {
			return v.ZoneVersion(), true
		}
		u, ok := p.(interface{ Unwrap() Provider })
		if !ok {
			return 0, false
		}
		p = u.Unwrap()
	}
	return 0, false
}
