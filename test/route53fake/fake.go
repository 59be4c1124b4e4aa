// Package route53fake is an in-process fake of the Amazon Route 53 REST-XML
// API, served as an http.Handler so that the unmodified aws-sdk-go-v2 Route 53
// client can be pointed at it with BaseEndpoint. It enforces the rules and
// limits collected in shared/recipes/route53-rules.md; see README.md for what
// is faithful and what is not.
package route53fake

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// DefaultRate is the legacy per-account request rate of Route 53 (rules §5).
const DefaultRate = 5

// Options configure a Fake. The zero value gives Route 53's legacy limits.
type Options struct {
	// Rate is the per-account token refill in requests per second. Zero
	// means DefaultRate; a negative value disables throttling.
	Rate float64
	// Burst is the bucket size. Zero means Rate rounded up (at least 1).
	Burst int
	// InSyncAfter is how many GetChange calls report PENDING before a
	// change reports INSYNC. Zero makes the first GetChange report INSYNC.
	InSyncAfter int
	// PriorRequestEvery makes every Nth ChangeResourceRecordSets call of an
	// account fail with PriorRequestNotComplete (0 disables).
	PriorRequestEvery int
	// StrictAccounts rejects requests signed with an access key that was not
	// registered with Account. Otherwise such requests use the default
	// account, so any credentials work against a seeded fake.
	StrictAccounts bool
	// Seed selects the sequence of generated IDs; a fake always produces the
	// same IDs for the same seed and the same calls.
	Seed uint64
	// Now replaces the clock used for throttling and timestamps.
	Now func() time.Time
	// RequestLog, when set, receives one line per API call: operation,
	// account, zone, the changes of a batch, and the result.
	RequestLog io.Writer
	// RefuseDeleteInUse makes DeleteHealthCheck answer 400
	// HealthCheckInUse while a record set of the account names the check,
	// as Route 53 did before the error was retired. Today's Route 53
	// deletes such a check and leaves the records pointing at nothing; a
	// test sets this to catch code that deletes a check before moving its
	// records off it.
	RefuseDeleteInUse bool
}

// Fake is a Route 53 endpoint holding any number of accounts. It is safe
// for concurrent use; requests are served one at a time, which also gives
// change batches Route 53's per-zone serialization for free.
type Fake struct {
	mu       sync.Mutex
	opts     Options
	now      func() time.Time
	rng      *rand.Rand
	def      *Account
	accounts map[string]*Account
	inject   map[string][]APIError
	// logMu keeps request log lines whole; requests are logged outside mu.
	logMu sync.Mutex
}

// Account is one AWS account: its own zones, health checks, tags, change
// history, throttle bucket and call counters.
type Account struct {
	f           *Fake
	accessKey   string
	zones       []*zone
	changes     map[string]*change
	checks      []*healthCheck
	checkRefs   map[string]*healthCheck // includes deleted checks
	tags        map[string]map[string]string
	bucket      bucket
	calls       map[string]int
	throttled   map[string]int
	changeCalls int
	zoneRefs    map[string]bool
}

type change struct {
	id        string
	submitted time.Time
	comment   *string
	polls     int
}

// New returns an empty fake.
func New(opts Options) *Fake {
	if opts.Rate == 0 {
		opts.Rate = DefaultRate
	}
	if opts.Burst <= 0 {
		opts.Burst = max(1, int(opts.Rate+0.999))
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	f := &Fake{
		opts:     opts,
		now:      now,
		rng:      rand.New(rand.NewPCG(opts.Seed, 0x726f75746535)),
		accounts: map[string]*Account{},
		inject:   map[string][]APIError{},
	}
	f.def = f.newAccount("")
	return f
}

func (f *Fake) newAccount(key string) *Account {
	return &Account{
		f:         f,
		accessKey: key,
		changes:   map[string]*change{},
		checkRefs: map[string]*healthCheck{},
		tags:      map[string]map[string]string{},
		bucket:    newBucket(f.opts.Rate, f.opts.Burst, f.now()),
		calls:     map[string]int{},
		throttled: map[string]int{},
		zoneRefs:  map[string]bool{},
	}
}

// Account returns the account that requests signed with accessKeyID use,
// creating it on first use.
func (f *Fake) Account(accessKeyID string) *Account {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a, ok := f.accounts[accessKeyID]; ok {
		return a
	}
	a := f.newAccount(accessKeyID)
	f.accounts[accessKeyID] = a
	return a
}

// Default returns the account serving unregistered access keys.
func (f *Fake) Default() *Account { return f.def }

// accountFor picks the account for an access key; nil means "rejected".
func (f *Fake) accountFor(key string) *Account {
	if a, ok := f.accounts[key]; ok {
		return a
	}
	if f.opts.StrictAccounts {
		return nil
	}
	return f.def
}

func (f *Fake) allAccounts() []*Account {
	out := []*Account{f.def}
	for _, a := range f.accounts {
		out = append(out, a)
	}
	return out
}

// InjectError makes the next n calls of op (e.g. "ChangeResourceRecordSets"),
// from any account, fail with err after they were counted and passed the
// throttle.
func (f *Fake) InjectError(op string, n int, err APIError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.inject[op] = append(f.inject[op], err)
	}
}

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// newID makes IDs shaped like current Route 53 ones (Z0…, C0…, 21 chars).
func (f *Fake) newID(prefix string) string {
	var b strings.Builder
	b.WriteString(prefix + "0")
	for range 19 {
		b.WriteByte(idAlphabet[f.rng.IntN(len(idAlphabet))])
	}
	return b.String()
}

// newUUID draws from the seeded generator, like every ID, so that a test
// sees the same request and health check IDs on every run.
func (f *Fake) newUUID() string {
	hi, lo := f.rng.Uint64(), f.rng.Uint64()
	hi = hi&^0xf000 | 0x4000     // version 4
	lo = lo&^(0xc<<60) | 0x8<<60 // RFC 4122 variant
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x",
		hi>>32, (hi>>16)&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
}

// newChange records a change so GetChange can report on it.
func (a *Account) newChange(comment *string) *change {
	c := &change{id: a.f.newID("C"), submitted: a.f.now(), comment: comment}
	a.changes[c.id] = c
	return c
}

func (c *change) info(status string) xChangeInfo {
	return xChangeInfo{ID: "/change/" + c.id, Status: status,
		SubmittedAt: c.submitted.UTC().Format("2006-01-02T15:04:05.000Z"), Comment: c.comment}
}
