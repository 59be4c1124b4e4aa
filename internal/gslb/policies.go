package gslb

import (
	"math"

	"github.com/exodns/exodns/internal/geo"
)

// weighted picks one up set at random in proportion to its weight. Sets of
// weight 0 are picked (with equal chance) only when no up set has a weight
// above 0, which is also the rule when every weight is 0: Route 53's rules.
func (s *selector) weighted() int {
	total := 0
	for i := range s.sets {
		if s.up[i] {
			total += s.sets[i].Weight
		}
	}
	if total > 0 {
		r := s.intN(total)
		for i := range s.sets {
			if s.up[i] {
				if r -= s.sets[i].Weight; r < 0 {
					return i
				}
			}
		}
	}
	n := 0
	for i := range s.sets {
		if s.up[i] {
			n++
		}
	}
	if n == 0 {
		return -1
	}
	k := s.intN(n)
	for i := range s.sets {
		if s.up[i] {
			if k == 0 {
				return i
			}
			k--
		}
	}
	return -1
}

// failover picks PRIMARY while it is up, else SECONDARY; with both down
// it fails open to PRIMARY, as Route 53 does.
func (s *selector) failover() int {
	primary, secondary := -1, -1
	for i := range s.sets {
		switch s.sets[i].Role {
		case RolePrimary:
			primary = i
		case RoleSecondary:
			secondary = i
		}
	}
	switch {
	case primary >= 0 && s.up[primary]:
		return primary
	case secondary >= 0 && s.up[secondary]:
		return secondary
	case primary >= 0:
		s.failOpen = true
		return primary
	}
	if secondary >= 0 {
		s.failOpen = true
	}
	return secondary
}

// multiValue answers the targets of every up set, at most MaxMultiValue of
// them, a random subset when there are more.
func (s *selector) multiValue() Answer {
	type pick struct {
		set    int
		target string
	}
	var picks []pick
	var a Answer
	for i := range s.sets {
		if !s.up[i] {
			continue
		}
		ts, open := s.targets(i, nil)
		a.FailOpen = a.FailOpen || open
		for _, t := range ts {
			picks = append(picks, pick{i, t})
		}
		if t := s.ttl(i); a.TTL == 0 || t < a.TTL {
			a.TTL = t
		}
	}
	if len(picks) > MaxMultiValue {
		// A partial Fisher-Yates shuffle: the first MaxMultiValue
		// entries become a uniform random subset.
		for k := range MaxMultiValue {
			j := k + s.intN(len(picks)-k)
			picks[k], picks[j] = picks[j], picks[k]
		}
		picks = picks[:MaxMultiValue]
	}
	a.Targets = make([]string, len(picks))
	for k, p := range picks {
		a.Targets[k] = p.target
		if !containsInt(a.Sets, p.set) {
			a.Sets = append(a.Sets, p.set)
		}
	}
	return a
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// nearest picks the up set closest to p. With biased, distances are
// scaled by each set's geoproximity bias (see biasedDistance). Ties go to
// the first set in order.
func (s *selector) nearest(p geo.Point, biased bool) int {
	best, bestD := -1, math.Inf(1)
	for i := range s.sets {
		if !s.up[i] {
			continue
		}
		d := geo.Distance(p, s.sets[i].Point)
		if biased {
			d = biasedDistance(d, s.sets[i].Bias)
		}
		if d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

// biasedDistance applies a geoproximity bias the way Route 53 describes it:
// a positive bias shrinks the distance to a set, d × (1 − bias/100), so
// its area grows; a negative bias stretches it, d ÷ (1 + bias/100), so its
// area shrinks. Bias ±50 halves or doubles the distance; ±99 divides or
// multiplies it by 100.
func biasedDistance(d float64, bias int) float64 {
	switch {
	case bias > 0:
		return d * (1 - float64(bias)/100)
	case bias < 0:
		return d / (1 + float64(bias)/100)
	}
	return d
}

// geolocation picks the most specific set for the client's location:
// subdivision, then country, then continent, then the "*" default. A
// match whose set is down falls back to the next less specific match that
// is up; when every match is down it fails open to the most specific. No
// match at all, and no default, is no answer (NODATA), as on Route 53.
func (s *selector) geolocation(c Client) int {
	loc := c.Location
	if !c.Found {
		loc = geo.Location{}
	}
	var cands [4]int
	n := 0
	for level := range 4 {
		for i := range s.sets {
			if geoMatch(s.sets[i].Geo, loc, level) {
				cands[n] = i
				n++
				break
			}
		}
	}
	for _, i := range cands[:n] {
		if s.up[i] {
			return i
		}
	}
	if n == 0 {
		return -1
	}
	s.failOpen = true
	return cands[0]
}

// geoMatch reports whether g serves loc at one level of specificity: 0
// subdivision, 1 country, 2 continent, 3 default.
func geoMatch(g Geolocation, loc geo.Location, level int) bool {
	switch level {
	case 0:
		return g.Subdivision != "" && loc.Subdivision != "" && g.Country == loc.Country && g.Subdivision == loc.Subdivision
	case 1:
		return g.Subdivision == "" && g.Country != "" && g.Country != "*" && g.Country == loc.Country
	case 2:
		return g.Continent != "" && g.Continent == loc.Continent
	default:
		return g.Country == "*"
	}
}
