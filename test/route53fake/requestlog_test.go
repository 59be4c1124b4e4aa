package route53fake_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/test/route53fake"
)

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRequestLog checks the optional request log writes one line per API
// call naming the operation, the zone, the changes and the result, so an
// operator can see what a controller did.
func TestRequestLog(t *testing.T) {
	var log lockedBuffer
	e := newEnv(t, route53fake.Options{RequestLog: &log})
	a := types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{Name: aws.String("app.example.com"),
		Type: types.RRTypeA, TTL: aws.Int64(60), ResourceRecords: []types.ResourceRecord{{Value: aws.String("192.0.2.1")}}}}
	if err := e.change(t, e.zone, a); err != nil {
		t.Fatal(err)
	}
	if err := e.change(t, e.zone, a); err == nil {
		t.Fatal("second CREATE succeeded")
	}
	if _, err := e.c.ListHostedZones(context.Background(), &route53.ListHostedZonesInput{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	want := []string{
		"ChangeResourceRecordSets account=AKIDDEFAULT zone=" + e.zone + " changes=[CREATE app.example.com A] result=ok",
		"ChangeResourceRecordSets account=AKIDDEFAULT zone=" + e.zone + " changes=[CREATE app.example.com A] result=InvalidChangeBatch: [Tried to create resource record set [name='app.example.com.', type='A'] but it already exists]",
		"ListHostedZones account=AKIDDEFAULT result=ok",
	}
	if len(lines) != len(want) {
		t.Fatalf("log:\n%s\nwant %d lines", log.String(), len(want))
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got  %s\n want %s", i, lines[i], want[i])
		}
	}
}

// TestCountsHandler checks the counters are served as JSON by operation,
// with the throttled calls apart.
func TestCountsHandler(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: 1, Burst: 1})
	// The SDK retries throttled calls on its own, so the second call is
	// throttled at least once before it passes or gives up.
	for range 2 {
		_, _ = e.c.ListHostedZones(context.Background(), &route53.ListHostedZonesInput{})
	}
	srv := httptest.NewServer(e.fake.CountsHandler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var got route53fake.Counts
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	op := got.Operations["ListHostedZones"]
	if op.Calls != e.fake.Calls("ListHostedZones") || op.Throttled != e.fake.Throttled("ListHostedZones") || op.Throttled == 0 {
		t.Errorf("counts %+v, fake says calls %d throttled %d", op, e.fake.Calls("ListHostedZones"), e.fake.Throttled("ListHostedZones"))
	}
	if got.Total != e.fake.TotalCalls() {
		t.Errorf("total %d, want %d", got.Total, e.fake.TotalCalls())
	}
}
