package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
)

// ApplyChanges writes the changes with their ownership, in an order that
// never leaves a name to two owners:
//
//  1. claim the names of new records (and of records migrated from TXT)
//     with conditional writes: a name another owner already holds, or
//     takes first in a race, is refused and never reaches the provider;
//  2. apply the record changes through the provider;
//  3. write the rest in batches of 25: changed labels, the items of
//     deleted records, our items without a record, and the claims of
//     creates the provider refused.
//
// It is called on every reconcile, even with no changes, so migrations
// and the cleaning of orphans happen without a record change.
func (r *Registry) ApplyChanges(ctx context.Context, changes *plan.Changes) error {
	if changes == nil {
		changes = &plan.Changes{}
	}
	if len(changes.UpdateOld) != len(changes.UpdateNew) {
		return fmt.Errorf("dynamodb registry: %d old and %d new records in the updates", len(changes.UpdateOld), len(changes.UpdateNew))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.items == nil {
		if _, err := r.records(ctx); err != nil {
			return err
		}
	}
	if err := r.checkOwned(slices.Concat(changes.UpdateOld, changes.Delete)); err != nil {
		return err
	}

	w := &work{touched: map[endpoint.Key]bool{}, puts: map[endpoint.Key]item{}, dels: map[endpoint.Key]string{}}
	for _, ep := range changes.Create {
		r.plan(w, "create", ep, ep.Labels)
	}
	for i, ep := range changes.UpdateNew {
		if old := canonical(changes.UpdateOld[i].Key()); old != canonical(ep.Key()) {
			w.release(old, r.items[old])
		}
		r.plan(w, "update", ep, ep.Labels)
	}
	var deletedTXT []*endpoint.Endpoint
	for _, ep := range changes.Delete {
		k := canonical(ep.Key())
		w.touched[k] = true
		if m := r.pending[k]; m != nil {
			// Owned through TXT only: its ownership records go with it.
			deletedTXT = append(deletedTXT, m.txt...)
		}
	}
	for k, m := range r.pending {
		if !w.touched[k] {
			r.plan(w, "migrate", m.record, m.labels)
		}
	}
	for _, k := range r.adopted {
		if it := r.items[k]; it != nil && !w.touched[k] && r.adopts(it) {
			w.touched[k] = true
			w.claims = append(w.claims, claimReq{action: "migrate-owner", key: k,
				ep: &endpoint.Endpoint{DNSName: k.DNSName, RecordType: k.RecordType, SetIdentifier: k.SetIdentifier},
				it: item{k: it.k, owner: r.owner, labels: it.labels}, from: it.owner})
		}
	}
	refused := r.claimAll(ctx, w)
	if err := w.abort; err != nil {
		r.invalidate()
		return err
	}

	out := withoutRefused(changes, refused)
	if r.opts.DeleteMigratedTXT {
		out.Delete = append(out.Delete, deletedTXT...)
		out.Delete = append(out.Delete, r.migratedTXT...)
		for _, m := range w.migrated {
			out.Delete = append(out.Delete, m.txt...)
		}
	}
	if out.HasChanges() {
		err := r.provider.ApplyChanges(ctx, out)
		if re, ok := provider.AsRefused(err); ok {
			for _, rf := range re.Refused {
				if rf.Action == "create" {
					k := canonical(rf.Endpoint.Key())
					if w.claimed[k] {
						w.release(k, r.items[k])
					}
				}
			}
			refused = append(refused, re.Refused...)
		} else if err != nil {
			r.invalidate()
			return fmt.Errorf("dynamodb registry: %w", err)
		}
	}

	for _, ep := range changes.Delete {
		k := canonical(ep.Key())
		w.release(k, r.items[k])
	}
	for _, k := range r.orphans {
		if !w.touched[k] {
			w.release(k, r.items[k])
		}
	}
	if err := r.flush(ctx, w); err != nil {
		r.invalidate()
		return errors.Join(err, refusedError(refused))
	}
	r.pending, r.migratedTXT, r.orphans, r.adopted = nil, nil, nil, nil
	return refusedError(refused)
}

// work is what one ApplyChanges writes to the table.
type work struct {
	touched  map[endpoint.Key]bool
	claims   []claimReq
	claimed  map[endpoint.Key]bool
	migrated []*migration
	puts     map[endpoint.Key]item   // label changes of our items
	dels     map[endpoint.Key]string // stored keys of our items to delete
	abort    error
}

type claimReq struct {
	action string
	ep     *endpoint.Endpoint
	key    endpoint.Key
	it     item
	from   string // the owner the item is taken from; "" for a free name
}

// release deletes our item at k, if there is one.
func (w *work) release(k endpoint.Key, it *item) {
	if it != nil {
		w.dels[k] = it.k
		delete(w.puts, k)
	}
}

// plan decides the table write for a record of ours with these labels.
func (r *Registry) plan(w *work, action string, ep *endpoint.Endpoint, labels endpoint.Labels) {
	k := canonical(ep.Key())
	if w.touched[k] {
		return
	}
	w.touched[k] = true
	delete(w.dels, k)
	it := item{k: keyString(k), owner: r.owner, labels: storedLabels(labels)}
	cur := r.items[k]
	switch {
	case cur == nil:
		w.claims = append(w.claims, claimReq{action: action, ep: ep, key: k, it: it})
	case r.adopts(cur):
		it.k = cur.k
		w.claims = append(w.claims, claimReq{action: action, ep: ep, key: k, it: it, from: cur.owner})
	case cur.owner != r.owner:
		// The view says another owner has it: the conditional write
		// decides (and refuses), so a stale view never takes a name.
		w.claims = append(w.claims, claimReq{action: action, ep: ep, key: k, it: it})
	case !sameLabels(cur.labels, it.labels):
		it.k = cur.k
		w.puts[k] = it
	}
}

// claimAll runs the claims, Concurrency at a time, and returns the
// refusals of those another owner won.
func (r *Registry) claimAll(ctx context.Context, w *work) []provider.Refusal {
	w.claimed = map[endpoint.Key]bool{}
	var (
		mu      sync.Mutex
		refused []provider.Refusal
		wg      sync.WaitGroup
		sem     = make(chan struct{}, r.opts.Concurrency)
	)
	for _, c := range w.claims {
		if err := checkItem(c.it); err != nil {
			refused = append(refused, provider.Refusal{Action: c.action, Endpoint: c.ep, Err: fmt.Errorf("dynamodb registry: %s: %w", c.key, err)})
			continue
		}
		if r.opts.DryRun {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			err := r.claim(ctx, c.it, c.from)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				w.claimed[c.key] = true
				it := c.it
				r.items[c.key] = &it
				if c.action == "migrate" {
					w.migrated = append(w.migrated, r.pending[c.key])
				}
			case errors.Is(err, errClaimed):
				refused = append(refused, provider.Refusal{Action: c.action, Endpoint: c.ep,
					Err: fmt.Errorf("dynamodb registry: %s: %w (table %q); it is not published", c.key, err, r.table)})
				// Our view was stale: read the table again next time.
				r.read = r.read.Add(-r.resync - 1)
			default:
				w.abort = errors.Join(w.abort, err)
			}
		}()
	}
	wg.Wait()
	return refused
}

// flush writes the label changes and deletions in batches.
func (r *Registry) flush(ctx context.Context, w *work) error {
	if r.opts.DryRun {
		return nil
	}
	reqs := make([]types.WriteRequest, 0, len(w.puts)+len(w.dels))
	keys := make([]endpoint.Key, 0, len(w.puts)+len(w.dels))
	for k, it := range w.puts {
		reqs = append(reqs, putRequest(it))
		keys = append(keys, k)
	}
	for k, stored := range w.dels {
		reqs = append(reqs, deleteRequest(stored))
		keys = append(keys, k)
	}
	if err := r.writeBatch(ctx, reqs); err != nil {
		return err
	}
	for k, it := range w.puts {
		it := it
		r.items[k] = &it
	}
	for k := range w.dels {
		delete(r.items, k)
	}
	return nil
}

// checkOwned refuses changes to records another owner holds; the plan
// never asks for them, so one means a bug or a race, and nothing is
// written.
func (r *Registry) checkOwned(eps []*endpoint.Endpoint) error {
	for _, ep := range eps {
		owner := ep.Labels.Get(endpoint.OwnerLabel)
		if it := r.items[canonical(ep.Key())]; it != nil {
			owner = it.owner
			if r.adopts(it) {
				owner = r.owner
			}
		}
		if owner != "" && owner != r.owner {
			return fmt.Errorf("dynamodb registry: %s %s is owned by %q, not %q", ep.DNSName, ep.RecordType, owner, r.owner)
		}
	}
	return nil
}

// withoutRefused returns changes without the creates and updates whose
// claim was refused.
func withoutRefused(c *plan.Changes, refused []provider.Refusal) *plan.Changes {
	if len(refused) == 0 {
		return &plan.Changes{Create: slices.Clone(c.Create), UpdateOld: slices.Clone(c.UpdateOld), UpdateNew: slices.Clone(c.UpdateNew), Delete: slices.Clone(c.Delete)}
	}
	out := &plan.Changes{Delete: slices.Clone(c.Delete)}
	gone := map[*endpoint.Endpoint]bool{}
	for _, rf := range refused {
		gone[rf.Endpoint] = true
	}
	for _, ep := range c.Create {
		if !gone[ep] {
			out.Create = append(out.Create, ep)
		}
	}
	for i, ep := range c.UpdateNew {
		if !gone[ep] {
			out.UpdateOld = append(out.UpdateOld, c.UpdateOld[i])
			out.UpdateNew = append(out.UpdateNew, ep)
		}
	}
	return out
}

func refusedError(refused []provider.Refusal) error {
	if len(refused) == 0 {
		return nil
	}
	return &provider.RefusedError{Refused: refused}
}
