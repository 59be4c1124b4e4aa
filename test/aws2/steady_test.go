//go:build integration

package aws2

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/provider/route53"
	"github.com/exodns/exodns/internal/registry"
	ddbreg "github.com/exodns/exodns/internal/registry/dynamodb"
	"github.com/exodns/exodns/internal/registry/txt"
	"github.com/exodns/exodns/test/dynalite"
	"github.com/exodns/exodns/test/route53fake"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func steadyDesired(n int) []*endpoint.Endpoint {
	out := make([]*endpoint.Endpoint, n)
	for i := range out {
		out[i] = endpoint.New(fmt.Sprintf("app-%05d.example.com", i), "A", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)).
			WithLabel(endpoint.ResourceLabel, fmt.Sprintf("service/default/app-%05d", i))
	}
	return out
}

func syncOnce(reg registry.Registry, desired []*endpoint.Endpoint) (*plan.Changes, error) {
	ctx := context.Background()
	in := make([]*endpoint.Endpoint, len(desired))
	for i, d := range desired {
		in[i] = d.DeepCopy()
	}
	adjusted, err := reg.AdjustEndpoints(in)
	if err != nil {
		return nil, err
	}
	current, err := reg.Records(ctx)
	if err != nil {
		return nil, err
	}
	res := plan.Calculate(plan.Input{Desired: adjusted, Current: current, OwnerID: reg.OwnerID(), Policy: plan.PolicySync,
		ManagedTypes: []string{"A", "AAAA", "CNAME"}})
	return res.Changes, reg.ApplyChanges(ctx, res.Changes)
}

// TestSteadyStateCalls counts the API calls of reconciles of a converged
// zone: the TXT registry (each record with its ownership TXT in the zone)
// against the DynamoDB registry (ownership in dynalite), on the Route 53
// fake. Loops are a minute apart (upstream's --interval). "fulllist" lists
// the whole zone every loop, as upstream's aws provider does; "cached" is
// exodns's provider with its zone cache (10-minute resync).
// "dynamodb-rescan" reads the table on every loop
// (--dynamodb-resync-interval=0). 1,000 records by default;
// EXODNS_SCALE=1 runs the 10,000 of the issue (about two minutes).
func TestSteadyStateCalls(t *testing.T) {
	n := 1000
	if os.Getenv("EXODNS_SCALE") == "1" {
		n = 10000
	}
	desired := steadyDesired(n)
	const loops = 10
	type result struct{ route53, dynamo float64 }
	results := map[string]result{}
	for _, reg := range []string{"txt", "dynamodb", "dynamodb-rescan"} {
		for _, mode := range []struct {
			name string
			full bool
		}{{"fulllist", true}, {"cached", false}} {
			name := reg + "/" + mode.name
			t.Run(name, func(t *testing.T) {
				awsEnv(t)
				fake := route53fake.New(route53fake.Options{Rate: -1})
				srv := newServer(t, fake)
				fake.AddZone("example.com", false, nil)
				clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
				rc := route53.DefaultConfig()
				rc.BatchChangeInterval, rc.APIRateLimit, rc.Endpoint = 0, 0, srv
				awsCfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDSTEADY", "secret", "")}
				newProvider := func() provider.Provider {
					p, err := route53.New(rc, route53.Options{Now: clk.now}, route53.Account{Name: "default", API: route53.NewClient(awsCfg, rc)})
					if err != nil {
						t.Fatal(err)
					}
					return p
				}
				var p provider.Provider = newProvider()
				if mode.full {
					p = &freshProvider{Provider: p, make: newProvider}
				}
				var err error
				var r registry.Registry
				var dyn *dynalite.Server
				switch reg {
				case "txt":
					r, err = txt.New(p, txt.Config{OwnerID: "c1"})
				default:
					dyn = dynalite.Start(t, dynalite.Options{CreateTableMs: 20})
					cfg := ddbreg.DefaultConfig()
					if reg == "dynamodb-rescan" {
						cfg.ResyncInterval = 0
					}
					r, err = ddbreg.New(p, dyn.Client(), cfg, ddbreg.Options{OwnerID: "c1", Now: clk.now})
				}
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				if _, err := syncOnce(r, desired); err != nil {
					t.Fatal(err)
				}
				seed := time.Since(start)
				if ch, err := syncOnce(r, desired); err != nil || ch.HasChanges() {
					t.Fatalf("not converged: %v, %d changes", err, ch.Len())
				}
				fake.ResetCalls()
				if dyn != nil {
					dyn.Reset()
				}
				for range loops {
					clk.advance(time.Minute)
					if ch, err := syncOnce(r, desired); err != nil || ch.HasChanges() {
						t.Fatalf("loop: %v, %d changes", err, ch.Len())
					}
				}
				res := result{route53: float64(fake.TotalCalls()) / loops}
				if dyn != nil {
					res.dynamo = float64(dyn.Total()) / loops
				}
				results[name] = res
				t.Logf("%d records, %s: %.1f Route 53 + %.1f DynamoDB calls per reconcile (first sync %s)", n, name, res.route53, res.dynamo, seed.Round(time.Millisecond))
			})
		}
	}
	// What the DynamoDB registry is for: a zone without ownership TXT
	// records lists in half the pages, and a converged table costs one
	// read per resync (10 minutes: once in these ten loops).
	txtFull, dynFull := results["txt/fulllist"], results["dynamodb/fulllist"]
	if !(dynFull.route53+dynFull.dynamo < 0.7*txtFull.route53) {
		t.Errorf("full lists: dynamodb %.1f+%.1f calls, txt %.1f; want the dynamodb registry well under the TXT registry", dynFull.route53, dynFull.dynamo, txtFull.route53)
	}
	pages := float64(n/4000 + 1) // Scan pages of 1 MB, at about 250 bytes an item
	if d := results["dynamodb/cached"].dynamo; d > pages/loops {
		t.Errorf("a converged table cost %.2f DynamoDB calls per reconcile, want at most one scan (%.0f pages) per 10 minutes", d, pages)
	}
}

// freshProvider lists the zone with a new provider on every Records, as
// upstream's aws provider does (no cache between reconciles).
type freshProvider struct {
	provider.Provider
	make func() provider.Provider
}

func (f *freshProvider) Records(ctx context.Context) ([]*endpoint.Endpoint, error) {
	f.Provider = f.make()
	return f.Provider.Records(ctx)
}
