package coredns

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/zone"
)

// ApplyChanges reads the tree again, checks each change against it with
// the shared batch rules, and applies each record with its ownership
// records in one etcd transaction that requires every key it deletes or
// rewrites to be as read, and every key it creates to be absent. A change
// that fails its rules or its comparisons is refused (reported, held);
// the rest lands.
func (p *Provider) ApplyChanges(ctx context.Context, c *plan.Changes) error {
	if !c.HasChanges() {
		return nil
	}
	st, err := p.read(ctx)
	if err != nil {
		return err
	}
	current := zone.NewSet()
	for _, e := range st.eps {
		current.Put(e)
	}
	rules := zone.Rules{Current: current}
	out := &provider.RefusedError{}
	var errs []error
	for _, g := range provider.GroupChanges(c) {
		gc := provider.ChangesOf(g)
		if err := rules.Check(gc); err != nil {
			out.Refused = append(out.Refused, provider.Refusal{Action: g[0].Action, Endpoint: g.Primary(), Err: err})
			continue
		}
		conds, ops, err := p.txn(st, gc)
		if err == nil {
			var ok bool
			if ok, err = p.client.Txn(ctx, conds, ops); err == nil && !ok {
				err = fmt.Errorf("%s: a key changed since it was read: %w", g.Primary().Key(), provider.ErrMismatch)
			}
		}
		switch {
		case err == nil:
			out.Applied += len(g)
		case errors.Is(err, provider.ErrMismatch) || errors.Is(err, provider.ErrInvalid):
			out.Refused = append(out.Refused, provider.Refusal{Action: g[0].Action, Endpoint: g.Primary(), Err: err})
		default:
			// etcd is unreachable: the rest would fail the same way.
			errs = append(errs, err)
			p.log.Debug("coredns: transaction failed", "err", err)
			if len(out.Refused) > 0 {
				errs = append(errs, out)
			}
			return fmt.Errorf("coredns: %w", errors.Join(errs...))
		}
	}
	if len(out.Refused) > 0 {
		return fmt.Errorf("coredns: %w", out)
	}
	return nil
}

// txn builds the transaction of one group: deletes of the old keys, puts
// of the new ones; a key both deleted and put is only put.
func (p *Provider) txn(st *state, c *plan.Changes) ([]Cond, []Op, error) {
	puts := map[string][]byte{}
	var order []string
	put := func(e *endpoint.Endpoint) error {
		ttl := uint32(defaultTTL)
		if e.RecordTTL.IsConfigured() {
			ttl = uint32(min(e.RecordTTL, endpoint.MaxTTL))
		}
		for _, t := range e.Targets {
			v, err := encode(e, t, ttl)
			if err != nil {
				return fmt.Errorf("%w: %w", provider.ErrInvalid, err)
			}
			k := targetKey(p.cfg.Prefix, e, t)
			if _, dup := puts[k]; !dup {
				order = append(order, k)
			}
			puts[k] = v
		}
		return nil
	}
	var olds []record
	for _, e := range c.Delete {
		olds = append(olds, st.keys[e.Key()]...)
	}
	for _, e := range c.UpdateOld {
		olds = append(olds, st.keys[e.Key()]...)
	}
	for _, e := range append(slices.Clone(c.UpdateNew), c.Create...) {
		if err := put(e); err != nil {
			return nil, nil, err
		}
	}
	var conds []Cond
	var ops []Op
	seen := map[string]bool{}
	for _, r := range olds {
		if seen[r.kv.Key] {
			continue
		}
		seen[r.kv.Key] = true
		conds = append(conds, Cond{Key: r.kv.Key, ModRevision: r.kv.ModRevision})
		if _, rewritten := puts[r.kv.Key]; !rewritten {
			ops = append(ops, Op{Key: r.kv.Key, Delete: true})
		}
	}
	for _, k := range order {
		if !seen[k] {
			conds = append(conds, Cond{Key: k}) // must not exist yet
		}
		ops = append(ops, Op{Key: k, Value: puts[k]})
	}
	return conds, ops, nil
}
