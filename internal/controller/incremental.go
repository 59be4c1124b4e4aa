package controller

import (
	"context"
	"fmt"
	"slices"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/registry"
	"github.com/exodns/exodns/internal/source"
)

// reconcileDelta is an incremental run: the objects the sources say
// changed update the index, and only the names they touched (before or
// after the change) are planned, against the registry's records the index
// keeps. ok is false when it cannot run (no index yet, a source or the
// registry that cannot tell what changed, the zone changed under us, a
// full resync due): then the caller runs a full reconcile. read names the
// objects whose reports this run gave anew (see Reporter.EndRunScoped).
func (c *Controller) reconcileDelta(ctx context.Context, resync bool) (n int, read map[string]bool, ok bool, err error) {
	ix := &c.ix
	ir, incReg := c.Registry.(registry.Incremental)
	if !ix.ready || !incReg || ix.reservable > 0 || c.fullNeeded.Load() {
		return 0, nil, false, nil
	}
	if resync {
		c.resyncs++
		every := c.FullResyncEvery
		if every == 0 {
			every = 60
		}
		if (every > 0 && c.resyncs%every == 0) || len(c.refused) > 0 {
			return 0, nil, false, nil
		}
	}
	// The zone must be what this controller last saw or wrote; a
	// provider without a version is read whole on each resync.
	if v, have := ir.ZoneVersion(); have != ix.haveVersion || v != ix.zoneVersion || (resync && !have) {
		return 0, nil, false, nil
	}
	parts := c.parts()
	for _, s := range parts {
		if _, inc := s.(source.Incremental); !inc && !c.watching {
			return 0, nil, false, nil // nobody would tell us it changed
		}
	}
	type change struct {
		part int
		source.ObjectChange
	}
	var changes []change
	for i, s := range parts {
		inc, isInc := s.(source.Incremental)
		if !isInc {
			continue
		}
		d, ok, err := inc.Changes(ctx)
		if err != nil {
			c.Metrics.sourceErrors.Inc()
			if len(parts) > 1 {
				err = fmt.Errorf("source %d: %w", i, err)
			}
			return 0, nil, true, fmt.Errorf("controller: reading sources: %w", err)
		}
		if !ok {
			return 0, nil, false, nil
		}
		for _, oc := range d.Objects {
			for _, e := range oc.Endpoints {
				if e.Resource() != oc.Key || ir.MayReserve(e) {
					return 0, nil, false, nil
				}
			}
			changes = append(changes, change{i, oc})
		}
	}
	if resync {
		c.retryRefused = false // nothing was refused
	}

	// Update the index and gather the names touched.
	mayReserve := ir.MayReserve
	read = map[string]bool{}
	touched := map[string]bool{}
	ix.mu.Lock()
	for _, ch := range changes {
		read[ch.Ref.Resource()] = true
		k := objKey{ch.part, ch.Key}
		for _, e := range ix.objects[k] {
			touched[canon(e.DNSName)] = true
			ix.removeDesired(e, mayReserve)
		}
		if len(ch.Endpoints) == 0 {
			delete(ix.objects, k)
		} else {
			ix.objects[k] = ch.Endpoints
		}
		for _, e := range ch.Endpoints {
			touched[canon(e.DNSName)] = true
			ix.addDesired(e, mayReserve)
		}
	}
	scope := make([]string, 0, len(touched))
	for name := range touched {
		scope = append(scope, name)
	}
	slices.Sort(scope)
	raw, current := ix.gather(scope)
	ix.mu.Unlock()

	contested := c.clashes.find(nil, nil, c.Registry.OwnerID(), c.now())
	n, err = c.planApply(ctx, raw, current, c.Policy, scope, contested)
	return n, read, true, err
}

// splitHeld takes out the endpoints that only hold a name (invalid input),
// so providers never see them; the plan freezes their names.
func splitHeld(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, []*endpoint.Endpoint) {
	var held []*endpoint.Endpoint
	kept := eps[:0:0]
	for _, e := range eps {
		if e.Held() {
			held = append(held, e)
			continue
		}
		kept = append(kept, e)
	}
	return kept, held
}
