package txt

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
)

// CacheRecords wraps p so that Records asks p at most once per interval
// (--txt-cache-interval): in between it answers from the last answer,
// patched with every change applied through the wrapper. A failed or
// partly refused ApplyChanges drops the cache, so the next Records asks p.
// Changes made to the zone by anyone else are seen only when the interval
// has passed, which is the trade upstream's flag makes too.
//
// interval <= 0 returns p itself. now nil means time.Now. The wrapper
// offers Unwrap, so the registry still finds the provider's
// OwnershipFormer behind it.
func CacheRecords(p provider.Provider, interval time.Duration, now func() time.Time) provider.Provider {
	if interval <= 0 {
		return p
	}
	if now == nil {
		now = time.Now
	}
	c := &recordCache{Provider: p, interval: interval, now: now}
	if _, ok := provider.ZoneVersionOf(p); ok {
		return versionedCache{c}
	}
	return c
}

type recordCache struct {
	provider.Provider
	interval time.Duration
	now      func() time.Time

	mu      sync.Mutex
	records map[cacheKey]*endpoint.Endpoint // nil: nothing cached
	order   []cacheKey                      // first-seen order, so answers are stable
	read    time.Time
	reads   uint64 // of the provider, for ZoneVersion
}

// cacheKey is a record set's key with the name in canonical form.
type cacheKey endpoint.Key

func keyOf(e *endpoint.Endpoint) cacheKey {
	return cacheKey{DNSName: strings.ToLower(strings.TrimSuffix(e.DNSName, ".")), RecordType: e.RecordType, SetIdentifier: e.SetIdentifier}
}

// Unwrap returns the cached provider.
func (c *recordCache) Unwrap() provider.Provider { return c.Provider }

// Records answers from the cache while it is younger than the interval.
// Callers get copies: nothing they do to them reaches the cache.
func (c *recordCache) Records(ctx context.Context) ([]*endpoint.Endpoint, error) {
	c.mu.Lock()
	if c.records != nil && c.now().Sub(c.read) < c.interval {
		out := c.copies()
		c.mu.Unlock()
		return out, nil
	}
	c.mu.Unlock()

	started := c.now()
	recs, err := c.Provider.Records(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.records = make(map[cacheKey]*endpoint.Endpoint, len(recs))
	c.order = c.order[:0]
	for _, r := range recs {
		c.put(r.DeepCopy())
	}
	c.read = started
	c.reads++
	return c.copies(), nil
}

// versionedCache is the cache over a provider that keeps a zone version.
// The provider's version alone would not do: a read that the cache
// answers may be older than the version read before it, and once the
// interval passes the cache's answer changes with no write at all. A
// controller that took the unchanged version as "nothing changed" would
// then keep a stale view until its next full resync, instead of for at
// most the interval.
type versionedCache struct{ *recordCache }

// ZoneVersion changes whenever Records may answer differently: when the
// provider's version moves, when the cache is read anew, and when it
// goes stale (so the next Records reads the provider).
func (c versionedCache) ZoneVersion() uint64 {
	u, _ := provider.ZoneVersionOf(c.Provider)
	c.mu.Lock()
	defer c.mu.Unlock()
	stale := uint64(0)
	if c.records == nil || c.now().Sub(c.read) >= c.interval {
		stale = 1
	}
	// Any change of one part changes the sum; the parts are counters far
	// from wrapping into each other's bits.
	return u<<33 ^ c.reads<<1 ^ stale
}

// ApplyChanges applies through the provider and patches the cache with
// what it applied.
func (c *recordCache) ApplyChanges(ctx context.Context, changes *plan.Changes) error {
	err := c.Provider.ApplyChanges(ctx, changes)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil || c.records == nil {
		c.records = nil
		return err
	}
	for _, r := range changes.Delete {
		delete(c.records, keyOf(r))
	}
	for _, r := range changes.UpdateOld {
		delete(c.records, keyOf(r))
	}
	for _, r := range changes.UpdateNew {
		c.put(stored(r))
	}
	for _, r := range changes.Create {
		c.put(stored(r))
	}
	return nil
}

// stored is what a provider gives back for a record it was handed:
// providers keep no labels.
func stored(r *endpoint.Endpoint) *endpoint.Endpoint {
	c := r.DeepCopy()
	c.Labels = endpoint.Labels{}
	return c
}

func (c *recordCache) put(r *endpoint.Endpoint) {
	k := keyOf(r)
	if _, ok := c.records[k]; !ok {
		c.order = append(c.order, k)
	}
	c.records[k] = r
}

// copies returns the cached records in first-seen order, compacting the
// order of keys deleted since.
func (c *recordCache) copies() []*endpoint.Endpoint {
	out := make([]*endpoint.Endpoint, 0, len(c.records))
	kept := c.order[:0]
	seen := make(map[cacheKey]bool, len(c.records))
	for _, k := range c.order {
		r, ok := c.records[k]
		if !ok || seen[k] {
			continue
		}
		seen[k] = true
		kept = append(kept, k)
		out = append(out, r.DeepCopy())
	}
	c.order = kept
	return out
}
