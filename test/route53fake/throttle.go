package route53fake

import "time"

// bucket is a token bucket: Route 53 answers 400 Throttling "Rate exceeded"
// once an account spends its tokens faster than they refill (rules §5).
// A negative rate disables it.
type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func newBucket(rate float64, burst int, now time.Time) bucket {
	return bucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

func (b *bucket) take(now time.Time) bool {
	if b.rate < 0 {
		return true
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(b.burst, b.tokens+el*b.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// SetRate changes this account's bucket, e.g. to give one account of a
// multi-account test a tighter limit. A negative rate disables throttling.
func (a *Account) SetRate(rate float64, burst int) {
	a.f.mu.Lock()
	defer a.f.mu.Unlock()
	a.bucket = newBucket(rate, max(burst, 1), a.f.now())
}

// Calls returns how many requests for op reached the fake from any
// account, throttled ones included; Throttled counts those alone.
func (f *Fake) Calls(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, a := range f.allAccounts() {
		n += a.calls[op]
	}
	return n
}

// Throttled returns how many requests for op were answered with Throttling.
func (f *Fake) Throttled(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, a := range f.allAccounts() {
		n += a.throttled[op]
	}
	return n
}

// TotalCalls returns the number of requests of every operation.
func (f *Fake) TotalCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, a := range f.allAccounts() {
		for _, c := range a.calls {
			n += c
		}
	}
	return n
}

// ResetCalls zeroes the counters of every account.
func (f *Fake) ResetCalls() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range f.allAccounts() {
		clear(a.calls)
		clear(a.throttled)
	}
}

// Calls returns this account's count of requests for op.
func (a *Account) Calls(op string) int {
	a.f.mu.Lock()
	defer a.f.mu.Unlock()
	return a.calls[op]
}

// Throttled returns this account's count of throttled requests for op.
func (a *Account) Throttled(op string) int {
	a.f.mu.Lock()
	defer a.f.mu.Unlock()
	return a.throttled[op]
}
