package gslb

import (
	"math/rand/v2"
)

// Answer is what Select chose.
type Answer struct {
	// Sets are the indexes (into the sets given to Select) of the chosen
	// sets; empty for no answer (NODATA: a geolocation name with no
	// match and no default).
	Sets []int
	// Targets are the chosen sets' targets to answer: the healthy ones,
	// or all of them when failing open. It may share memory with a Set's
	// Targets: read it, never modify it.
	Targets []string
	// TTL in seconds for the answer's records; 0 with no answer.
	TTL uint32
	// Scope is the EDNS Client Subnet scope prefix length to return
	// (RFC 7871 section 7.2.1): the client network length the choice
	// depended on, 0 when it did not depend on the client.
	Scope int
	// FailOpen is set when every candidate was unhealthy, so the answer
	// ignores health, as Route 53 does.
	FailOpen bool
}

// HealthFunc tells the health of one target of a set; see
// healthcheck.Checker.HealthFunc. A nil HealthFunc reports everything
// healthy.
type HealthFunc func(setID, target string) Health

// Select chooses the answer for one query among the record sets of one
// name and type (as SetsFrom returns them: one policy, sorted by ID).
//
// A set is up while at least one of its targets is not Unhealthy (Unknown
// counts as healthy: sets without a check are always up). Each policy
// picks among the up sets; when none is up it fails open and picks as if
// all were up, as Route 53 treats all records healthy when every record
// is unhealthy. Of the chosen sets, only the targets not Unhealthy are
// answered, or all of them when none is.
//
// rnd drives weighted and multivalue choices; nil uses math/rand/v2's
// top-level source, which is safe for concurrent use. Tests pass a seeded
// generator for repeatable results.
func Select(sets []Set, health HealthFunc, client Client, rnd *rand.Rand) Answer {
	if len(sets) == 0 {
		return Answer{}
	}
	sel := selector{sets: sets, rnd: rnd}
	// Small groups (nearly all) work in stack buffers: no allocation
	// besides the answer's.
	var upBuf [32]bool
	var offBuf [33]int
	var healthBuf [64]Health
	sel.up, sel.off = upBuf[:0], offBuf[:0]
	if len(sets) > len(upBuf) {
		sel.up, sel.off = make([]bool, 0, len(sets)), make([]int, 0, len(sets)+1)
	}
	sel.th = healthBuf[:0]
	// Read each target's health once, so one query sees one consistent
	// state even while checks report.
	for i := range sets {
		sel.off = append(sel.off, len(sel.th))
		checked := health != nil && sets[i].Check.Enabled()
		for _, t := range sets[i].Targets {
			h := HealthUnknown
			if checked {
				h = health(sets[i].ID, t)
			}
			sel.th = append(sel.th, h)
		}
	}
	sel.off = append(sel.off, len(sel.th))
	anyUp := false
	for i := range sets {
		sel.up = append(sel.up, sel.setUp(i))
		anyUp = anyUp || sel.up[i]
	}
	if !anyUp {
		// Fail open: every candidate set counts as up. A policy with a
		// narrower candidate list (geolocation) fails open within it.
		sel.failOpen = true
		for i := range sel.up {
			sel.up[i] = true
		}
	}

	var a Answer
	policy := sets[0].Policy
	switch policy {
	case PolicyWeighted:
		a = sel.one(sel.weighted())
	case PolicyFailover:
		a = sel.one(sel.failover())
	case PolicyMultiValue:
		a = sel.multiValue()
	case PolicyLatency, PolicyGeoproximity:
		if client.Found && client.Location.HasPoint {
			a = sel.one(sel.nearest(client.Location.Point, policy == PolicyGeoproximity))
		} else {
			// Nowhere to measure from: every up set answers and the
			// client's resolver spreads the load.
			a = sel.all()
		}
	case PolicyFailoverLatency:
		if client.Found && client.Location.HasPoint {
			a = sel.one(sel.nearest(client.Location.Point, false))
		} else {
			// The stable order (by set identifier) is the failover
			// chain: the first up set answers.
			a = sel.one(sel.firstUp())
		}
	case PolicyGeolocation:
		a = sel.one(sel.geolocation(client))
	default:
		a = sel.all()
	}
	a.FailOpen = (a.FailOpen || sel.failOpen) && len(a.Sets) > 0
	if policy.locationBased() && (len(sets) > 1 || policy == PolicyGeolocation) {
		a.Scope = client.ScopeBits()
	}
	return a
}

type selector struct {
	sets []Set
	rnd  *rand.Rand
	up   []bool
	// th holds the health of every target, set by set: set i's targets
	// are th[off[i]:off[i+1]].
	th       []Health
	off      []int
	failOpen bool
}

func (s *selector) healthOf(set, target int) Health { return s.th[s.off[set]+target] }

// setUp reports whether any target of set i is not Unhealthy. A set
// without targets is up: there is nothing to call down.
func (s *selector) setUp(i int) bool {
	hs := s.th[s.off[i]:s.off[i+1]]
	for _, h := range hs {
		if h != Unhealthy {
			return true
		}
	}
	return len(hs) == 0
}

// intN draws from rnd, or the concurrency-safe top-level source.
func (s *selector) intN(n int) int {
	if s.rnd != nil {
		return s.rnd.IntN(n)
	}
	return rand.IntN(n)
}

// one answers set i (none when i < 0).
func (s *selector) one(i int) Answer {
	if i < 0 {
		return Answer{}
	}
	a := Answer{Sets: []int{i}, TTL: s.ttl(i)}
	a.Targets, a.FailOpen = s.targets(i, nil)
	return a
}

// all answers every up set.
func (s *selector) all() Answer {
	var a Answer
	for i := range s.sets {
		if !s.up[i] {
			continue
		}
		a.Sets = append(a.Sets, i)
		var open bool
		a.Targets, open = s.targets(i, a.Targets)
		a.FailOpen = a.FailOpen || open
		if t := s.ttl(i); a.TTL == 0 || t < a.TTL {
			a.TTL = t
		}
	}
	return a
}

// targets appends set i's targets that are not Unhealthy to dst, or all
// of them when every one is (open reports that). With dst nil and every
// target up, it returns the set's own slice instead of copying it.
func (s *selector) targets(i int, dst []string) (out []string, open bool) {
	set := &s.sets[i]
	down := 0
	for t := range set.Targets {
		if s.healthOf(i, t) == Unhealthy {
			down++
		}
	}
	switch {
	case down == 0 && dst == nil:
		return set.Targets, false
	case down == len(set.Targets):
		return append(dst, set.Targets...), down > 0
	}
	if dst == nil {
		dst = make([]string, 0, len(set.Targets)-down)
	}
	for t, v := range set.Targets {
		if s.healthOf(i, t) != Unhealthy {
			dst = append(dst, v)
		}
	}
	return dst, false
}

// ttl is the TTL of an answer from set i: gslb/ttl when set, else the
// short DefaultTTL, shortened further by a shorter record TTL.
func (s *selector) ttl(i int) uint32 {
	set := &s.sets[i]
	if set.TTL > 0 {
		return set.TTL
	}
	if set.RecordTTL > 0 && set.RecordTTL < DefaultTTL {
		return set.RecordTTL
	}
	return DefaultTTL
}

// firstUp returns the first up set in order.
func (s *selector) firstUp() int {
	for i := range s.sets {
		if s.up[i] {
			return i
		}
	}
	return -1
}
