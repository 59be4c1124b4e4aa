package route53

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/smithy-go"
	"golang.org/x/time/rate"
)

// throttling answers the first n calls with code, then succeeds.
type throttling struct {
	API
	n     int
	code  string
	calls int
}

func (t *throttling) ListHostedZones(context.Context, *route53.ListHostedZonesInput, ...func(*route53.Options)) (*route53.ListHostedZonesOutput, error) {
	t.calls++
	if t.calls <= t.n {
		return nil, &smithy.GenericAPIError{Code: t.code, Message: "Rate exceeded"}
	}
	return &route53.ListHostedZonesOutput{}, nil
}

func TestLimiterBacksOffAndRecovers(t *testing.T) {
	cases := []struct {
		name      string
		code      string
		throttles int
		wantErr   bool
	}{
		{"throttling", "Throttling", 3, false},
		{"prior request", "PriorRequestNotComplete", 2, false},
		{"gives up", "Throttling", 100, true},
		{"other errors pass through", "InvalidInput", 1, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newLimiter("a", 100, newMetrics(nil), time.Now)
			l.baseBackoff, l.maxBackoff, l.maxThrottleRetries = time.Millisecond, 2*time.Millisecond, 5
			api := &throttling{n: tc.throttles, code: tc.code}
			_, err := limitedAPI{api: api, l: l}.ListHostedZones(context.Background(), nil)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			throttled := isThrottle(&smithy.GenericAPIError{Code: tc.code})
			switch {
			case tc.wantErr && !throttled:
				if api.calls != 1 || l.bucket.Limit() != 100 {
					t.Errorf("calls=%d rate=%v: a non-throttling error must not be retried or slow down", api.calls, l.bucket.Limit())
				}
			case tc.wantErr:
				if api.calls != 6 {
					t.Errorf("%d calls, want 6 (1 + 5 retries)", api.calls)
				}
			default:
				want := rate.Limit(100)
				for range tc.throttles {
					want = max(want/2, 5)
				}
				if l.bucket.Limit() != want {
					t.Errorf("rate = %v after %d throttles, want %v", l.bucket.Limit(), tc.throttles, want)
				}
			}
			// Successes win the rate back, a tenth of it per ten.
			if throttled && !tc.wantErr {
				for range 200 {
					l.succeeded()
				}
				if l.bucket.Limit() != 100 {
					t.Errorf("rate = %v after many successes, want 100", l.bucket.Limit())
				}
			}
		})
	}
	if isThrottle(errors.New("Throttling")) {
		t.Error("a plain error is not an API throttle")
	}
}

// TestLimiterRecoversWhileIdle throttles an account down to its floor and
// then lets it sit idle: the rate must climb back with time alone, since an
// idle account has no successes to earn it back with.
func TestLimiterRecoversWhileIdle(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter("a", 5, newMetrics(nil), func() time.Time { return clock })
	for range 20 {
		l.slowDown()
	}
	if got := l.limit(); got != 0.25 {
		t.Fatalf("rate after throttling = %v, want the floor 0.25", got)
	}
	clock = clock.Add(time.Second)
	if got := l.limit(); got >= 5 {
		t.Fatalf("rate = %v one second after throttling, want still lowered", got)
	}
	clock = clock.Add(time.Minute)
	if got := l.limit(); got != 5 {
		t.Errorf("rate = %v after a quiet minute, want the configured 5", got)
	}
	// A new throttle starts the climb again from half the rate.
	l.slowDown()
	if got := l.limit(); got != 2.5 {
		t.Errorf("rate = %v after one more throttle, want 2.5", got)
	}
}
