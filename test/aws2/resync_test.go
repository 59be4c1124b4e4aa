//go:build integration

package aws2

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsr53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/controller"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider/route53"
	"github.com/exodns/exodns/internal/registry/txt"
	"github.com/exodns/exodns/test/route53fake"
)

// fixedSource yields the same endpoints on every read and never has an
// event, like a cluster where nothing changes.
type fixedSource []*endpoint.Endpoint

func (s fixedSource) Endpoints(context.Context) ([]*endpoint.Endpoint, error) {
	out := make([]*endpoint.Endpoint, len(s))
	for i, e := range s {
		out[i] = e.DeepCopy()
	}
	return out, nil
}

func (fixedSource) AddEventHandler(context.Context, func()) {}

// TestResyncsOverRoute53 runs the controller's loop over the Route 53
// provider (its zone cache, its zone version) on the fake, through the
// SDK, for 45 simulated minutes of one-minute resyncs of a converged
// zone. Someone deletes one of our records at minute 15.
//
// Before the provider kept a zone version, every resync was a full run:
// 45 of 45. Now a resync is incremental unless the zone's re-list
// (--aws-zone-resync-interval, 10 minutes) falls due, and the deleted
// record must still be back within that interval, as it was.
func TestResyncsOverRoute53(t *testing.T) {
	e := newRoute53(t, route53fake.Options{Rate: -1})
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	rc := route53.DefaultConfig()
	rc.BatchChangeInterval, rc.APIRateLimit, rc.Endpoint = 0, 0, e.url
	awsCfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDRESYNC", "secret", "")}
	p, err := route53.New(rc, route53.Options{Now: clk.now}, route53.Account{Name: "default", API: route53.NewClient(awsCfg, rc)})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := txt.New(p, txt.Config{OwnerID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	desired := steadyDesired(100)
	victim := "app-00042.example.com A " + desired[42].Targets[0]

	const minutes, deleteAt = 45, 15
	type run struct {
		full    bool
		present bool
	}
	var runs []run
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ctl := &controller.Controller{Source: fixedSource(desired), Registry: reg, Policy: plan.PolicySync,
		Interval: 10 * time.Millisecond, Log: slog.New(slog.DiscardHandler), Metrics: controller.NewMetrics(prometheus.NewRegistry()),
		Health: controller.NewHealth(3), Now: clk.now}
	ctl.AfterRun = func(full bool) {
		runs = append(runs, run{full: full, present: slices.Contains(e.sets("A"), victim)})
		if len(runs) == deleteAt {
			_, err := awsr53.NewFromConfig(awsCfg, func(o *awsr53.Options) { o.BaseEndpoint = aws.String(e.url) }).ChangeResourceRecordSets(ctx,
				&awsr53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(e.zoneID), ChangeBatch: &types.ChangeBatch{Changes: []types.Change{{
					Action: types.ChangeActionDelete, ResourceRecordSet: &types.ResourceRecordSet{Name: aws.String("app-00042.example.com."),
						Type: types.RRTypeA, TTL: aws.Int64(300), ResourceRecords: []types.ResourceRecord{{Value: aws.String(desired[42].Targets[0])}}}}}}})
			if err != nil {
				t.Errorf("someone else's delete: %v", err)
			}
		}
		if len(runs) == minutes {
			cancel()
		}
		clk.advance(time.Minute)
	}
	done := make(chan error, 1)
	go func() { done <- ctl.Run(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute):
		cancel()
		<-done
		t.Fatalf("only %d runs in 2 minutes", len(runs))
	}

	fulls, restoredAt := 0, 0
	for i, r := range runs {
		if r.full {
			fulls++
		}
		if i >= deleteAt && r.present && restoredAt == 0 {
			restoredAt = i + 1
		}
	}
	t.Logf("%d runs: %d full; deleted at run %d, back at run %d", len(runs), fulls, deleteAt, restoredAt)
	if !runs[deleteAt-1].present {
		t.Fatal("the record was not there before the delete")
	}
	if runs[deleteAt].present {
		t.Fatal("the delete did not take")
	}
	// The zone re-list is due every 10 minutes; each costs the run that
	// re-lists and the one after, which reads the fresh cache.
	if fulls > 1+2*(minutes/10+1)+2 {
		t.Errorf("%d of %d resyncs were full runs: a converged zone's resyncs should not read it", fulls, len(runs))
	}
	if restoredAt == 0 || restoredAt > deleteAt+11 {
		t.Errorf("the deleted record came back at run %d (0: never), want within the 10-minute re-list of run %d", restoredAt, deleteAt)
	}
}
