package route53fake_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/test/route53fake"
)

func noRetries(o *route53.Options) { o.Retryer = aws.NopRetryer{} }

// patientRetries keeps the standard retryer (its backoff, its classification
// of errors) but allows enough attempts to always get through a 5/s bucket.
func patientRetries(o *route53.Options) {
	o.Retryer = retry.AddWithMaxBackoffDelay(retry.AddWithMaxAttempts(retry.NewStandard(), 20), 400*time.Millisecond)
}

func TestThrottlingRetriedBySDK(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: route53fake.DefaultRate}, patientRetries)
	const n = 15
	start := time.Now()
	for i := range n {
		if _, err := e.c.ListHostedZones(context.Background(), &route53.ListHostedZonesInput{}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	// 5 calls come out of the burst, the other 10 need 2 s of refill.
	if el := time.Since(start); el < 1800*time.Millisecond {
		t.Fatalf("15 calls took only %v at 5/s", el)
	}
	throttled := e.fake.Throttled("ListHostedZones")
	if throttled == 0 {
		t.Fatal("no call was throttled")
	}
	if got := e.fake.Calls("ListHostedZones"); got != n+throttled {
		t.Fatalf("calls %d, want %d successful plus %d throttled", got, n, throttled)
	}
}

func TestThrottlingWithoutRetries(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: 0.001, Burst: 2}, noRetries)
	for range 2 {
		if err := e.change(t, e.zone, upsert(rrset("a.example.com", types.RRTypeA, 60, "192.0.2.1"))); err != nil {
			t.Fatal(err)
		}
	}
	err := e.change(t, e.zone, upsert(rrset("a.example.com", types.RRTypeA, 60, "192.0.2.1")))
	wantAPIError(t, err, "Throttling", "Rate exceeded")
	if !retry.NewStandard().IsErrorRetryable(err) {
		t.Fatal("the standard retryer does not retry Throttling")
	}
	if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) != aws.TrueTernary {
		t.Fatal("the SDK does not classify the error as a throttle")
	}
	if e.fake.Throttled("ChangeResourceRecordSets") != 1 || e.fake.Calls("ChangeResourceRecordSets") != 3 {
		t.Fatalf("throttled %d of %d", e.fake.Throttled("ChangeResourceRecordSets"), e.fake.Calls("ChangeResourceRecordSets"))
	}
}

func TestPriorRequestNotComplete(t *testing.T) {
	t.Run("retried", func(t *testing.T) {
		e := newEnv(t, route53fake.Options{PriorRequestEvery: 2}, patientRetries)
		for range 3 {
			e.mustChange(t, e.zone, upsert(rrset("a.example.com", types.RRTypeA, 60, "192.0.2.1")))
		}
		// Attempts 2 and 4 are refused and retried: 1 ok, 2 refused, 3 ok, 4 refused, 5 ok.
		if got := e.fake.Calls("ChangeResourceRecordSets"); got != 5 {
			t.Fatalf("%d calls, want 5", got)
		}
	})
	t.Run("surfaced", func(t *testing.T) {
		e := newEnv(t, route53fake.Options{PriorRequestEvery: 1}, noRetries)
		err := e.change(t, e.zone, upsert(rrset("a.example.com", types.RRTypeA, 60, "192.0.2.1")))
		wantAPIError(t, err, "PriorRequestNotComplete", "The request was rejected because Route 53 was still processing a prior request.")
		var typed *types.PriorRequestNotComplete
		if !errors.As(err, &typed) {
			t.Fatalf("not the modelled error type: %T", err)
		}
		if len(e.fake.RecordSets(e.zone)) != 2 {
			t.Fatal("a rejected request changed the zone")
		}
	})
}

func TestInjectedErrors(t *testing.T) {
	e := newEnv(t, route53fake.Options{})
	e.fake.InjectError("GetHostedZone", 2, route53fake.APIError{StatusCode: http.StatusInternalServerError, Code: "InternalFailure", Message: "boom"})
	if _, err := e.c.GetHostedZone(context.Background(), &route53.GetHostedZoneInput{Id: aws.String(e.zone)}); err != nil {
		t.Fatalf("the SDK should have retried through two 500s: %v", err)
	}
	if got := e.fake.Calls("GetHostedZone"); got != 3 {
		t.Fatalf("%d calls, want 3", got)
	}
	e.fake.InjectError("ListHostedZones", 1, route53fake.APIError{Code: "AccessDenied", Message: "no"})
	_, err := e.c.ListHostedZones(context.Background(), &route53.ListHostedZonesInput{})
	wantAPIError(t, err, "AccessDenied", "no")
}

func TestCallCounts(t *testing.T) {
	e := newEnv(t, route53fake.Options{})
	ctx := context.Background()
	e.c.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
	e.c.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
	e.c.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(e.zone)})
	e.mustChange(t, e.zone, upsert(rrset("a.example.com", types.RRTypeA, 60, "192.0.2.1")))
	e.change(t, e.zone, create(rrset("a.example.com", types.RRTypeA, 60, "192.0.2.1"))) // rejected, still a call
	want := map[string]int{"ListHostedZones": 2, "ListResourceRecordSets": 1, "ChangeResourceRecordSets": 2, "GetChange": 0}
	for op, n := range want {
		if got := e.fake.Calls(op); got != n {
			t.Errorf("Calls(%s) = %d, want %d", op, got, n)
		}
	}
	if got := e.fake.TotalCalls(); got != 5 {
		t.Errorf("TotalCalls = %d, want 5", got)
	}
	e.fake.ResetCalls()
	if got := e.fake.TotalCalls(); got != 0 {
		t.Errorf("TotalCalls after reset = %d", got)
	}
}

func TestChangeStatus(t *testing.T) {
	e := newEnv(t, route53fake.Options{InSyncAfter: 2})
	ctx := context.Background()
	out, err := e.c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(e.zone),
		ChangeBatch: &types.ChangeBatch{Comment: aws.String("why"), Changes: []types.Change{upsert(rrset("a.example.com", types.RRTypeA, 60, "192.0.2.1"))}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.ChangeInfo.Status != types.ChangeStatusPending || aws.ToString(out.ChangeInfo.Comment) != "why" || out.ChangeInfo.SubmittedAt == nil {
		t.Fatalf("change info %+v", out.ChangeInfo)
	}
	w := route53.NewResourceRecordSetsChangedWaiter(e.c, func(o *route53.ResourceRecordSetsChangedWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 5*time.Millisecond
	})
	if err := w.Wait(ctx, &route53.GetChangeInput{Id: out.ChangeInfo.Id}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := e.fake.Calls("GetChange"); got != 3 {
		t.Fatalf("waiter polled %d times, want 3", got)
	}
	_, err = e.c.GetChange(ctx, &route53.GetChangeInput{Id: aws.String("/change/CNOPE")})
	wantAPIError(t, err, "NoSuchChange", "")
}
