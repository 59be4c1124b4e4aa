package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/registry"
	"github.com/exodns/exodns/internal/registry/txt"
)

// Options are the registry's collaborators and the controller-wide
// settings it needs; none is one of its flags.
type Options struct {
	// OwnerID is --txt-owner-id, the owner written into items.
	OwnerID string
	// OldOwnerID is --migrate-from-txt-owner: items of this owner are
	// read as ours and rewritten with OwnerID (a conditional write) on
	// the next ApplyChanges.
	OldOwnerID string
	// DryRun is --dry-run: the table is read but never written (nor
	// created); the provider is expected to be wrapped for dry-run too.
	DryRun bool
	// TXT reads the ownership TXT records of the TXT registry, which are
	// migrated into the table (the --txt-* flags they were written with);
	// nil migrates nothing.
	TXT *txt.Reader
	// DeleteMigratedTXT deletes our ownership TXT records once their
	// items are in the table; upstream does so only when TXT is among
	// --managed-record-types, which keeps a way back otherwise.
	DeleteMigratedTXT bool
	// CacheInterval is --txt-cache-interval: the provider's records are
	// read at most this often (see txt.CacheRecords).
	CacheInterval time.Duration
	// Concurrency is how many conditional writes (claims) are in flight;
	// 0 means 8.
	Concurrency int
	// Log receives the registry's logs; nil discards them.
	Log *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Registry keeps ownership in a DynamoDB table. Records reads the table's
// items (all owners) and attaches their labels to the provider's records;
// ApplyChanges claims new names with a conditional write before the
// provider creates them, so two controllers never both take a name.
type Registry struct {
	provider provider.Provider
	api      API
	table    string
	owner    string
	resync   time.Duration
	opts     Options
	log      *slog.Logger
	now      func() time.Time

	// mu serialises Records and ApplyChanges, which share the view.
	mu sync.Mutex
	// items is the table as last read and since kept current with our
	// own writes, by canonical key; nil until read.
	items map[endpoint.Key]*item
	read  time.Time
	// exists is false while a dry run found no table.
	exists bool
	// pending are records of ours owned through a TXT ownership record
	// only: the next ApplyChanges writes their items.
	pending map[endpoint.Key]*migration
	// migratedTXT are our ownership TXT records whose items are in the
	// table; deleted by the next ApplyChanges when DeleteMigratedTXT.
	migratedTXT []*endpoint.Endpoint
	// orphans are keys of our items with no record, as Records saw them.
	orphans []endpoint.Key
	// adopted are keys of the old owner's items (--migrate-from-txt-owner)
	// with a record, rewritten with our owner by the next ApplyChanges.
	adopted []endpoint.Key
}

// adopts reports an item of the owner we migrate from.
func (r *Registry) adopts(it *item) bool {
	return r.opts.OldOwnerID != "" && r.opts.OldOwnerID != r.owner && it.owner == r.opts.OldOwnerID
}

// migration is a record of ours found through a TXT ownership record.
type migration struct {
	record *endpoint.Endpoint
	labels endpoint.Labels
	txt    []*endpoint.Endpoint // the ownership records it was found through
}

var _ registry.Registry = (*Registry)(nil)

// New returns a registry over p keeping ownership in cfg.Table through api.
func New(p provider.Provider, api API, cfg Config, opts Options) (*Registry, error) {
	if opts.OwnerID == "" {
		return nil, errors.New("dynamodb registry: the owner id (--txt-owner-id) must not be empty")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Registry{
		provider: txt.CacheRecords(p, opts.CacheInterval, now),
		api:      api,
		table:    cfg.Table,
		owner:    opts.OwnerID,
		resync:   cfg.ResyncInterval,
		opts:     opts,
		log:      log.With("registry", "dynamodb"),
		now:      now,
	}, nil
}

// OwnerID returns the owner this registry writes.
func (r *Registry) OwnerID() string { return r.owner }

// AdjustEndpoints delegates to the provider.
func (r *Registry) AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	return r.provider.AdjustEndpoints(eps)
}

// refresh reads the table when it was never read or is older than the
// resync interval.
func (r *Registry) refresh(ctx context.Context) error {
	if r.items != nil && r.now().Sub(r.read) < r.resync {
		return nil
	}
	started := r.now()
	if r.items == nil {
		exists, err := r.ensureTable(ctx)
		if err != nil {
			return err
		}
		r.exists = exists
	}
	if !r.exists {
		r.items, r.read = map[endpoint.Key]*item{}, started
		return nil
	}
	items, err := r.scan(ctx)
	if err != nil {
		return err
	}
	r.items, r.read = items, started
	return nil
}

// invalidate makes the next Records read the table again.
func (r *Registry) invalidate() { r.items = nil }

// Records returns the provider's records with the labels of their items,
// hiding TXT ownership records. A record with no item but a TXT ownership
// record of ours is shown as ours and its item is written by the next
// ApplyChanges.
func (r *Registry) Records(ctx context.Context) ([]*endpoint.Endpoint, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.records(ctx)
}

func (r *Registry) records(ctx context.Context) ([]*endpoint.Endpoint, error) {
	if err := r.refresh(ctx); err != nil {
		r.invalidate()
		return nil, err
	}
	recs, err := r.provider.Records(ctx)
	if err != nil {
		return nil, fmt.Errorf("dynamodb registry: %w", err)
	}
	owned := r.readTXT(recs)
	out := make([]*endpoint.Endpoint, 0, len(recs))
	seen := make(map[endpoint.Key]bool, len(recs))
	r.pending = map[endpoint.Key]*migration{}
	r.migratedTXT = nil
	r.adopted = r.adopted[:0]
	for _, rec := range recs {
		if owned.hides(rec) {
			continue
		}
		c := rec.DeepCopy()
		k := canonical(rec.Key())
		seen[k] = true
		switch it, o := r.items[k], owned.find(k, rec); {
		case it != nil:
			c.Labels = it.labels
			c.Labels.Set(endpoint.OwnerLabel, it.owner)
			if r.adopts(it) {
				c.Labels.Set(endpoint.OwnerLabel, r.owner)
				r.adopted = append(r.adopted, k)
			}
			if o != nil && it.owner == r.owner && o.owner() == r.owner {
				r.migratedTXT = append(r.migratedTXT, o.records...)
			}
		case o != nil:
			c.Labels = o.labels
			if o.owner() == r.owner {
				r.pending[k] = &migration{record: c.DeepCopy(), labels: o.labels, txt: o.records}
			}
		default:
			c.Labels = endpoint.Labels{}
		}
		out = append(out, c)
	}
	r.orphans = r.orphans[:0]
	for k, it := range r.items {
		if it.owner == r.owner && !seen[k] {
			r.orphans = append(r.orphans, k)
		}
	}
	return out, nil
}
