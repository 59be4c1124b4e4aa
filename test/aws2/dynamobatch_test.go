//go:build integration

package aws2

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/provider/inmemory"
	"github.com/exodns/exodns/test/dynalite"
)

func manyRecords(n int, resource string) []*endpoint.Endpoint {
	out := make([]*endpoint.Endpoint, n)
	for i := range out {
		out[i] = endpoint.New(fmt.Sprintf("r%03d.example.com", i), "A", "192.0.2.1").WithLabel(endpoint.ResourceLabel, resource)
	}
	return out
}

// TestDynamoDBBatches: claims are one conditional PutItem each; label
// changes and deletes go in BatchWriteItem calls of at most 25 (DynamoDB's
// limit, which dynalite enforces too).
func TestDynamoDBBatches(t *testing.T) {
	dyn := dynalite.Start(t, dynalite.Options{CreateTableMs: 20})
	zone := inmemory.New([]string{"example.com"})
	ctx := context.Background()
	r := newDynamoRegistry(t, zone, dyn.Client(), "c1", tableConfig("batches"))
	if _, err := r.Records(ctx); err != nil {
		t.Fatal(err)
	}
	dyn.Reset()
	if err := r.ApplyChanges(ctx, &plan.Changes{Create: manyRecords(60, "service/default/x")}); err != nil {
		t.Fatal(err)
	}
	if got := dyn.Counts(); got["PutItem"] != 60 || got["BatchWriteItem"] != 0 {
		t.Errorf("creates: %v, want 60 PutItem", got)
	}

	cur, err := r.Records(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dyn.Reset()
	var olds, news []*endpoint.Endpoint
	for _, c := range cur {
		n := c.DeepCopy()
		n.Labels.Set(endpoint.ResourceLabel, "service/default/y")
		n.Targets = endpoint.Targets{"192.0.2.2"}
		olds, news = append(olds, c), append(news, n)
	}
	if err := r.ApplyChanges(ctx, &plan.Changes{UpdateOld: olds, UpdateNew: news}); err != nil {
		t.Fatal(err)
	}
	if got := dyn.Counts(); got["BatchWriteItem"] != 3 || got["PutItem"] != 0 {
		t.Errorf("label changes: %v, want 3 BatchWriteItem", got)
	}
	if items := tableItems(t, dyn.Client(), "batches"); len(items) != 60 || !strings.Contains(items[0], "resource=service/default/y") {
		t.Errorf("items after the label change: %d, first %q", len(items), items[0])
	}

	cur, _ = r.Records(ctx)
	dyn.Reset()
	if err := r.ApplyChanges(ctx, &plan.Changes{Delete: cur}); err != nil {
		t.Fatal(err)
	}
	if got := dyn.Counts(); got["BatchWriteItem"] != 3 {
		t.Errorf("deletes: %v, want 3 BatchWriteItem", got)
	}
	if items := tableItems(t, dyn.Client(), "batches"); len(items) != 0 {
		t.Errorf("items left: %v", items)
	}
}

// unprocessing hands back the last two writes of the first batch of every
// BatchWriteItem call as unprocessed, as DynamoDB does when throttled.
type unprocessing struct {
	*dynamodb.Client
	mu    sync.Mutex
	calls int
}

func (u *unprocessing) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	u.mu.Lock()
	u.calls++
	first := u.calls == 1
	u.mu.Unlock()
	if !first {
		return u.Client.BatchWriteItem(ctx, in, opts...)
	}
	kept := map[string][]dtypes.WriteRequest{}
	left := map[string][]dtypes.WriteRequest{}
	for table, reqs := range in.RequestItems {
		kept[table], left[table] = reqs[:len(reqs)-2], reqs[len(reqs)-2:]
	}
	out, err := u.Client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: kept}, opts...)
	if err != nil {
		return nil, err
	}
	out.UnprocessedItems = left
	return out, nil
}

// TestDynamoDBUnprocessedRetried: writes DynamoDB leaves unprocessed are
// sent again; nothing is lost.
func TestDynamoDBUnprocessedRetried(t *testing.T) {
	dyn := dynalite.Start(t, dynalite.Options{CreateTableMs: 20})
	zone := inmemory.New([]string{"example.com"})
	ctx := context.Background()
	api := &unprocessing{Client: dyn.Client()}
	r := newDynamoRegistry(t, zone, api, "c1", tableConfig("retry"))
	if err := r.ApplyChanges(ctx, &plan.Changes{Create: manyRecords(10, "service/default/x")}); err != nil {
		t.Fatal(err)
	}
	cur, _ := r.Records(ctx)
	if err := r.ApplyChanges(ctx, &plan.Changes{Delete: cur}); err != nil {
		t.Fatal(err)
	}
	if api.calls != 2 {
		t.Errorf("BatchWriteItem calls %d, want 2 (one retry)", api.calls)
	}
	if items := tableItems(t, dyn.Client(), "retry"); len(items) != 0 {
		t.Errorf("unprocessed deletes were lost: %v", items)
	}
}

// TestDynamoDBItemTooLarge: a record whose ownership item would pass
// DynamoDB's 400 KB limit is refused before any call, and is not
// published; the other records of the batch are.
func TestDynamoDBItemTooLarge(t *testing.T) {
	dyn := dynalite.Start(t, dynalite.Options{CreateTableMs: 20})
	zone := inmemory.New([]string{"example.com"})
	ctx := context.Background()
	r := newDynamoRegistry(t, zone, dyn.Client(), "c1", tableConfig("large"))
	big := endpoint.New("big.example.com", "A", "192.0.2.1").WithLabel(endpoint.ResourceLabel, strings.Repeat("x", 410*1024))
	small := endpoint.New("small.example.com", "A", "192.0.2.2").WithLabel(endpoint.ResourceLabel, "service/default/small")
	err := r.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{big, small}})
	var re *provider.RefusedError
	if !errors.As(err, &re) || len(re.Refused) != 1 || re.Refused[0].Endpoint != big || !strings.Contains(err.Error(), "400") {
		t.Fatalf("err = %v", err)
	}
	recs, _ := zone.Records(ctx)
	if len(recs) != 1 || recs[0].DNSName != "small.example.com" {
		t.Errorf("zone %v", recs)
	}
}
