//go:build integration

package aws2

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/provider/inmemory"
	ddbreg "github.com/exodns/exodns/internal/registry/dynamodb"
	"github.com/exodns/exodns/test/dynalite"
)

func newDynamoRegistry(t *testing.T, p provider.Provider, api ddbreg.API, owner string, cfg ddbreg.Config) *ddbreg.Registry {
	t.Helper()
	r, err := ddbreg.New(p, api, cfg, ddbreg.Options{OwnerID: owner})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func tableConfig(table string) ddbreg.Config {
	cfg := ddbreg.DefaultConfig()
	cfg.Table = table
	return cfg
}

// TestDynamoDBRace: two controllers see the same name free and create it at
// the same moment, each with its own address, 100 times. Every time exactly
// one wins: its claim lands, its record is published, the loser's
// ApplyChanges reports the name as refused and its address never reaches
// the zone.
func TestDynamoDBRace(t *testing.T) {
	dyn := dynalite.Start(t, dynalite.Options{CreateTableMs: 20})
	zone := inmemory.New([]string{"example.com"})
	ctx := context.Background()
	a := newDynamoRegistry(t, zone, dyn.Client(), "a", tableConfig("race"))
	b := newDynamoRegistry(t, zone, dyn.Client(), "b", tableConfig("race"))
	wins := map[string]int{}
	for i := range 100 {
		name := fmt.Sprintf("race-%03d.example.com", i)
		regs := map[string]*ddbreg.Registry{"a": a, "b": b}
		ips := map[string]string{"a": "192.0.2.1", "b": "192.0.2.2"}
		for _, r := range regs {
			if _, err := r.Records(ctx); err != nil {
				t.Fatal(err)
			}
		}
		start := make(chan struct{})
		errs := map[string]error{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for owner, r := range regs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ep := endpoint.New(name, "A", ips[owner]).WithLabel(endpoint.ResourceLabel, "service/default/"+owner)
				<-start
				err := r.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{ep}})
				mu.Lock()
				errs[owner] = err
				mu.Unlock()
			}()
		}
		close(start)
		wg.Wait()
		var winner, loser string
		for owner, err := range errs {
			var re *provider.RefusedError
			switch {
			case err == nil:
				if winner != "" {
					t.Fatalf("try %d: both won", i)
				}
				winner = owner
			case errors.As(err, &re) && len(re.Refused) == 1:
				loser = owner
			default:
				t.Fatalf("try %d: %s: %v", i, owner, err)
			}
		}
		if winner == "" || loser == "" {
			t.Fatalf("try %d: winner %q loser %q (%v)", i, winner, loser, errs)
		}
		wins[winner]++
		recs, _ := zone.Records(ctx)
		var got []string
		for _, r := range recs {
			if r.DNSName == name {
				got = append(got, r.Targets...)
			}
		}
		if len(got) != 1 || got[0] != ips[winner] {
			t.Fatalf("try %d: zone has %v, want only the winner's %s", i, got, ips[winner])
		}
		owner := itemOwner(t, dyn.Client(), "race", name+"#A#")
		if owner != winner {
			t.Fatalf("try %d: item owner %q, winner %q", i, owner, winner)
		}
	}
	t.Logf("wins over 100 tries: %v", wins)
}

func itemOwner(t *testing.T, c *dynamodb.Client, table, k string) string {
	t.Helper()
	for _, line := range tableItems(t, c, table) {
		key, rest, _ := cutSpace(line)
		if key == k {
			for _, f := range splitFields(rest) {
				if o, ok := cutPrefix(f, "o="); ok {
					return o
				}
			}
		}
	}
	return ""
}
