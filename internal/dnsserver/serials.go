package dnsserver

import (
	"fmt"
)

// ZoneVersion names one content of a zone: its SOA serial and the digest
// of its records.
type ZoneVersion struct {
	Serial uint32
	Digest string
}

// Versions returns the serial and digest of every zone, for a leader to
// share with the other replicas.
func (a *Authority) Versions() map[string]ZoneVersion {
	out := map[string]ZoneVersion{}
	for _, name := range a.store.Zones() {
		z, ok := a.store.Zone(name)
		if !ok {
			continue
		}
		d, _ := a.store.Digest(name)
		out[name] = ZoneVersion{Serial: z.Serial, Digest: d}
	}
	return out
}

// AdoptSerial gives zone the serial v carries when this replica holds the
// same records (same digest), so every replica answers one SOA for one
// content. It reports whether the serial changed. Different records leave
// the serial alone: the replica is ahead or behind, and adopts once it
// catches up.
func (a *Authority) AdoptSerial(zone string, v ZoneVersion) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	z, ok := a.store.Zone(zone)
	if !ok || z.Serial == v.Serial {
		return false, nil
	}
	if d, _ := a.store.Digest(zone); d != v.Digest {
		return false, nil
	}
	if err := a.store.SetSerial(zone, v.Serial); err != nil {
		return false, err
	}
	zs, err := a.build([]string{zone})
	if err != nil {
		return false, fmt.Errorf("dnsserver: serial of %s: %w", zone, err)
	}
	a.swap(a.snap.Load().with(zs...))
	return true, nil
}
