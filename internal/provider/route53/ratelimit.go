package route53

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/smithy-go"
	"golang.org/x/time/rate"
)

// throttleCodes are the error codes that mean "slow down" rather than
// "wrong request". PriorRequestNotComplete is Route 53's per-zone form.
var throttleCodes = []string{"Throttling", "ThrottlingException", "PriorRequestNotComplete",
	"RequestLimitExceeded", "TooManyRequestsException", "RequestThrottled"}

// isThrottle reports whether err is a throttling answer.
func isThrottle(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && slices.Contains(throttleCodes, ae.ErrorCode())
}

// recoverEvery is how long an account must go without a throttling answer
// to win back a tenth of its configured rate. From the floor (a twentieth)
// the full rate returns after about half a minute of quiet.
const recoverEvery = 3 * time.Second

// limiter shares one request budget between all zones of an account. Each
// call waits for a token; a throttling answer halves the rate and retries
// after a jittered backoff. The rate climbs back by a tenth of the
// configured rate for every run of successes and for every recoverEvery
// without throttling (additive increase, multiplicative decrease). The
// time-based climb matters for an idle account: without calls there are
// no successes, and the rate would otherwise stay at its floor.
type limiter struct {
	account string
	bucket  *rate.Limiter
	max     rate.Limit
	min     rate.Limit
	m       *metrics
	// maxThrottleRetries bounds the retries of one call; the context
	// bounds their time.
	maxThrottleRetries int
	baseBackoff        time.Duration
	maxBackoff         time.Duration

	// now is the clock that times recovery.
	now func() time.Time

	mu        sync.Mutex
	successes int
	// changedAt is when the rate last went down or up; recovery counts
	// quiet time from there.
	changedAt time.Time
}

func newLimiter(account string, perSecond float64, m *metrics, now func() time.Time) *limiter {
	max := rate.Limit(perSecond)
	if perSecond <= 0 {
		max = rate.Inf
	}
	l := &limiter{account: account, bucket: rate.NewLimiter(max, 1), max: max, min: max / 20, m: m,
		maxThrottleRetries: 12, baseBackoff: 200 * time.Millisecond, maxBackoff: 20 * time.Second, now: now}
	m.rate.WithLabelValues(account).Set(float64(max))
	return l
}

// do runs call under the budget, retrying throttled attempts.
func (l *limiter) do(ctx context.Context, op string, call func() error) error {
	for attempt := 0; ; attempt++ {
		l.limit() // apply the recovery earned while idle before waiting
		if err := l.bucket.Wait(ctx); err != nil {
			return err
		}
		err := call()
		switch {
		case err == nil:
			l.m.calls.WithLabelValues(l.account, op, "ok").Inc()
			l.succeeded()
			return nil
		case !isThrottle(err):
			l.m.calls.WithLabelValues(l.account, op, "error").Inc()
			return err
		}
		l.m.calls.WithLabelValues(l.account, op, "throttled").Inc()
		l.m.throttled.WithLabelValues(l.account).Inc()
		l.slowDown()
		if attempt >= l.maxThrottleRetries {
			return err
		}
		if !sleep(ctx, l.backoff(attempt)) {
			return ctx.Err()
		}
	}
}

// limit returns the rate the account currently allows itself, after the
// recovery its quiet time has earned.
func (l *limiter) limit() rate.Limit {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recoverLocked()
	return l.bucket.Limit()
}

// recoverLocked raises a lowered rate by a tenth of the configured rate for
// each recoverEvery since the last change. It runs lazily, before each
// call, so an idle account needs no timer.
func (l *limiter) recoverLocked() {
	if l.max == rate.Inf || l.bucket.Limit() >= l.max {
		return
	}
	now := l.now()
	steps := now.Sub(l.changedAt) / recoverEvery
	if steps <= 0 {
		return
	}
	l.setLocked(min(l.bucket.Limit()+rate.Limit(steps)*l.max/10, l.max), l.changedAt.Add(steps*recoverEvery))
}

// setLocked changes the rate, noting when, and publishes it.
func (l *limiter) setLocked(r rate.Limit, at time.Time) {
	l.bucket.SetLimit(r)
	l.changedAt = at
	l.m.rate.WithLabelValues(l.account).Set(float64(r))
}

func (l *limiter) backoff(attempt int) time.Duration {
	d := l.baseBackoff << min(attempt, 10)
	d = min(d, l.maxBackoff)
	return d/2 + rand.N(d/2+1) // full jitter in the upper half
}

func (l *limiter) slowDown() {
	if l.max == rate.Inf {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.successes = 0
	l.setLocked(max(l.bucket.Limit()/2, l.min), l.now())
}

func (l *limiter) succeeded() {
	if l.max == rate.Inf {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.bucket.Limit() >= l.max {
		return
	}
	if l.successes++; l.successes < 10 {
		return
	}
	l.successes = 0
	l.setLocked(min(l.bucket.Limit()+l.max/10, l.max), l.now())
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// limitedAPI is an account's API behind its limiter.
type limitedAPI struct {
	api API
	l   *limiter
}

var _ API = limitedAPI{}

func limited[I, O any](ctx context.Context, l *limiter, op string, in I, opts []func(*route53.Options),
	f func(context.Context, I, ...func(*route53.Options)) (O, error)) (O, error) {
	var out O
	err := l.do(ctx, op, func() error {
		var err error
		out, err = f(ctx, in, opts...)
		return err
	})
	return out, err
}

func (a limitedAPI) ListHostedZones(ctx context.Context, in *route53.ListHostedZonesInput, opts ...func(*route53.Options)) (*route53.ListHostedZonesOutput, error) {
	return limited(ctx, a.l, "ListHostedZones", in, opts, a.api.ListHostedZones)
}

func (a limitedAPI) ListTagsForResources(ctx context.Context, in *route53.ListTagsForResourcesInput, opts ...func(*route53.Options)) (*route53.ListTagsForResourcesOutput, error) {
	return limited(ctx, a.l, "ListTagsForResources", in, opts, a.api.ListTagsForResources)
}

func (a limitedAPI) ListResourceRecordSets(ctx context.Context, in *route53.ListResourceRecordSetsInput, opts ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error) {
	return limited(ctx, a.l, "ListResourceRecordSets", in, opts, a.api.ListResourceRecordSets)
}

func (a limitedAPI) ChangeResourceRecordSets(ctx context.Context, in *route53.ChangeResourceRecordSetsInput, opts ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error) {
	return limited(ctx, a.l, "ChangeResourceRecordSets", in, opts, a.api.ChangeResourceRecordSets)
}

func (a limitedAPI) GetHealthCheck(ctx context.Context, in *route53.GetHealthCheckInput, opts ...func(*route53.Options)) (*route53.GetHealthCheckOutput, error) {
	return limited(ctx, a.l, "GetHealthCheck", in, opts, a.api.GetHealthCheck)
}
