// Package cloudmapfake is an in-process fake of the AWS Cloud Map
// (servicediscovery, API version 2017-03-14) JSON API, served as an
// http.Handler so that the unmodified aws-sdk-go-v2 servicediscovery client
// can be pointed at it with BaseEndpoint. It serves the calls upstream
// external-dns's aws-sd provider makes, and exodns's, with Cloud Map's
// documented quotas, validation and errors, and counts every call. See
// README.md for what is faithful and what is not.
package cloudmapfake

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// Cloud Map's documented quotas and limits.
const (
	MaxNamespaces            = 50   // namespaces per Region (account)
	MaxInstancesPerNamespace = 2000 // instances per namespace
	MaxInstancesPerService   = 1000 // instances per service
	MaxAttributes            = 30   // custom attributes per instance
	MaxAttributeKey          = 255
	MaxAttributeValue        = 1024
	MaxAttributesSize        = 5000 // all keys and values of one instance
	MaxTagsPerResource       = 50
	MaxDescription           = 1024
	MaxInstanceID            = 64
	// DiscoverInstances is throttled with a token bucket of 2,000 that
	// refills 1,000 a second, per account and Region.
	DiscoverBurst = 2000
	DiscoverRate  = 1000
)

// Options configure a Fake. The zero value gives Cloud Map's behaviour.
type Options struct {
	// SettleAfter is how many later API calls a RegisterInstance or
	// DeregisterInstance stays PENDING: until then a registered instance
	// is not listed, and a deregistered one still is (and keeps its
	// service from being deleted). 0 applies them at once.
	SettleAfter int
	// DiscoverRate and DiscoverBurst replace DiscoverInstances' bucket;
	// a negative rate turns it off.
	DiscoverRate  float64
	DiscoverBurst int
	// ControlRate is a token bucket (per second, burst ControlBurst) for
	// every other operation; 0 means none ([I]: AWS documents no number).
	ControlRate  float64
	ControlBurst int
	// Region and Account shape the ARNs.
	Region, Account string
	// Seed selects the sequence of generated IDs.
	Seed uint64
	// Now replaces the clock.
	Now func() time.Time
	// RequestLog, when set, gets one line per call: operation, target,
	// result.
	RequestLog io.Writer
}

// Fake is one account's Cloud Map in one Region. It is safe for
// concurrent use; requests are served one at a time.
type Fake struct {
	mu         sync.Mutex
	opts       Options
	now        func() time.Time
	rng        *rand.Rand
	namespaces []*namespace
	services   map[string]*service // by ID
	ops        map[string]*operation
	pending    []*operation
	tags       map[string][]Tag // by ARN
	calls      map[string]int
	throttled  map[string]int
	discover   *bucket
	control    *bucket
	inject     map[string][]APIError
}

type namespace struct {
	id, arn, name, typ, description string
	created                         time.Time
}

type service struct {
	id, arn, name, namespaceID, description string
	dns                                     *DnsConfig
	created                                 time.Time
	instances                               map[string]map[string]string // id -> attributes
}

type operation struct {
	id, typ, status   string
	serviceID, instID string
	attrs             map[string]string // nil for a deregistration
	created, updated  time.Time
	remaining         int
}

// New returns an empty fake.
func New(opts Options) *Fake {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Account == "" {
		opts.Account = "123456789012"
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	f := &Fake{
		opts: opts, now: now,
		rng:       rand.New(rand.NewPCG(opts.Seed, 0x636c6f75646d6170)),
		services:  map[string]*service{},
		ops:       map[string]*operation{},
		tags:      map[string][]Tag{},
		calls:     map[string]int{},
		throttled: map[string]int{},
		inject:    map[string][]APIError{},
	}
	rate, burst := opts.DiscoverRate, opts.DiscoverBurst
	if rate == 0 {
		rate = DiscoverRate
	}
	if burst <= 0 {
		burst = DiscoverBurst
	}
	if rate > 0 {
		f.discover = newBucket(rate, burst, now())
	}
	if opts.ControlRate > 0 {
		f.control = newBucket(opts.ControlRate, max(opts.ControlBurst, 1), now())
	}
	return f
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz234567"

func (f *Fake) newID(prefix string, n int) string {
	var b strings.Builder
	b.WriteString(prefix)
	for range n {
		b.WriteByte(idAlphabet[f.rng.IntN(len(idAlphabet))])
	}
	return b.String()
}

func (f *Fake) arn(kind, id string) string {
	return fmt.Sprintf("arn:aws:servicediscovery:%s:%s:%s/%s", f.opts.Region, f.opts.Account, kind, id)
}

// AddNamespace creates a DNS namespace directly, as the console would,
// and returns its ID. private selects DNS_PRIVATE.
func (f *Fake) AddNamespace(name string, private bool) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	typ := "DNS_PUBLIC"
	if private {
		typ = "DNS_PRIVATE"
	}
	ns := &namespace{id: f.newID("ns-", 16), name: strings.TrimSuffix(strings.ToLower(name), "."), typ: typ, created: f.now()}
	ns.arn = f.arn("namespace", ns.id)
	f.namespaces = append(f.namespaces, ns)
	return ns.id
}

// ServiceView is a service as tests inspect it.
type ServiceView struct {
	ID, Name, NamespaceID, Description string
	RoutingPolicy                      string
	Records                            []DnsRecord
	Instances                          map[string]map[string]string
	Tags                               map[string]string
}

// Services returns the services of a namespace, by name.
func (f *Fake) Services(namespaceID string) map[string]ServiceView {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]ServiceView{}
	for _, s := range f.services {
		if s.namespaceID != namespaceID {
			continue
		}
		v := ServiceView{ID: s.id, Name: s.name, NamespaceID: s.namespaceID, Description: s.description,
			Instances: map[string]map[string]string{}, Tags: map[string]string{}}
		if s.dns != nil {
			v.RoutingPolicy = s.dns.RoutingPolicy
			v.Records = append(v.Records, s.dns.DnsRecords...)
		}
		for id, a := range s.instances {
			c := map[string]string{}
			for k, val := range a {
				c[k] = val
			}
			v.Instances[id] = c
		}
		for _, t := range f.tags[s.arn] {
			v.Tags[t.Key] = t.Value
		}
		out[s.name] = v
	}
	return out
}

// Calls returns the calls of op received so far, throttled ones included.
func (f *Fake) Calls(op string) int { f.mu.Lock(); defer f.mu.Unlock(); return f.calls[op] }

// Throttled returns the calls of op refused by throttling.
func (f *Fake) Throttled(op string) int { f.mu.Lock(); defer f.mu.Unlock(); return f.throttled[op] }

// TotalCalls returns every call received.
func (f *Fake) TotalCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

// ResetCalls zeroes the counters.
func (f *Fake) ResetCalls() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.calls)
	clear(f.throttled)
}

// Counts returns every counter, as CountsHandler serves it.
func (f *Fake) Counts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.calls {
		out[k] = v
	}
	return out
}

// InjectError makes the next n calls of op fail with err.
func (f *Fake) InjectError(op string, n int, err APIError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.inject[op] = append(f.inject[op], err)
	}
}
