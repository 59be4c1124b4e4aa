package awssd

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sd "github.com/aws/aws-sdk-go-v2/service/servicediscovery"
	"github.com/aws/smithy-go/middleware"
	"github.com/spf13/pflag"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/test/cloudmapfake"
)

var ctx = context.Background()

func newFake(t *testing.T, opts cloudmapfake.Options) (*cloudmapfake.Fake, *sd.Client) {
	t.Helper()
	f := cloudmapfake.New(opts)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c := sd.New(sd.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 3,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""), APIOptions: []func(*middleware.Stack) error{noHostPrefix}})
	return f, c
}

func newProvider(t *testing.T, api API, cfg Config, owner string) *Provider {
	t.Helper()
	p, err := New(api, cfg, Options{OwnerID: owner})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ep(name, rtype string, targets ...string) *endpoint.Endpoint {
	return endpoint.New(name, rtype, targets...).WithLabel(DescriptionLabel, "heritage=external-dns,external-dns/owner=me")
}

func TestAdjustEndpoints(t *testing.T) {
	tests := []struct {
		ep   *endpoint.Endpoint
		hold string // "" means kept, with TTL 300
	}{
		{endpoint.New("app.example.com", "A", "192.0.2.1"), ""},
		{endpoint.New("app.example.com", "CNAME", "x.example.org"), ""},
		{endpoint.New("app.example.com", "TXT", "v"), "A, AAAA and CNAME records only"},
		{endpoint.New("app.example.com", "A", "192.0.2.1").WithSetIdentifier("blue"), "no set identifiers"},
		{endpoint.New("*.example.com", "A", "192.0.2.1"), "not a valid Cloud Map service name"},
		{endpoint.New("example", "A", "192.0.2.1"), "needs a namespace"},
		{endpoint.New("app.example.com", "CNAME", "a.example.org", "b.example.org"), "one target"},
	}
	p := newProvider(t, nil, Config{}, "me")
	for _, tc := range tests {
		t.Run(tc.ep.Key().String(), func(t *testing.T) {
			out, err := p.AdjustEndpoints([]*endpoint.Endpoint{tc.ep})
			if err != nil {
				t.Fatal(err)
			}
			got := out[0].Labels.Get(endpoint.HoldLabel)
			if tc.hold == "" && (got != "" || out[0].RecordTTL != 300) || tc.hold != "" && !strings.Contains(got, tc.hold) {
				t.Errorf("hold %q ttl %d, want %q", got, out[0].RecordTTL, tc.hold)
			}
		})
	}
}

func TestInstanceID(t *testing.T) {
	long := strings.Repeat("a", 60) + ".Example.com"
	tests := map[string]string{
		"192.0.2.1":       "192.0.2.1",
		"Web.Example.org": "web.example.org",
		long:              "", // over 64: checked below
	}
	for in, want := range tests {
		got := instanceID(in)
		if len(in) > 64 {
			if len(got) != 64 || got != instanceID(strings.ToLower(in)) {
				t.Errorf("instanceID(%q) = %q: want the SHA-256 of the lower-case target", in, got)
			}
			continue
		}
		if got != want {
			t.Errorf("instanceID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMapping(t *testing.T) {
	tests := []struct {
		ep      *endpoint.Endpoint
		svcType string
		policy  string
		attr    string
	}{
		{endpoint.New("a.example.com", "A", "192.0.2.1"), "A", "MULTIVALUE", attrIPv4},
		{endpoint.New("a.example.com", "AAAA", "2001:db8::1"), "AAAA", "MULTIVALUE", attrIPv6},
		{endpoint.New("a.example.com", "CNAME", "x.example.org"), "CNAME", "WEIGHTED", attrCNAME},
		{endpoint.New("a.example.com", "CNAME", "lb-1.us-east-1.elb.amazonaws.com"), "A", "WEIGHTED", attrAlias},
		{endpoint.New("a.example.com", "CNAME", "nlb-1.elb.eu-west-1.amazonaws.com"), "A", "WEIGHTED", attrAlias},
	}
	for _, tc := range tests {
		if got := string(serviceType(tc.ep)); got != tc.svcType {
			t.Errorf("%s: service type %s, want %s", tc.ep, got, tc.svcType)
		}
		if got := string(routingPolicy(tc.ep)); got != tc.policy {
			t.Errorf("%s: routing %s, want %s", tc.ep, got, tc.policy)
		}
		attrs := attributes(tc.ep, tc.ep.Targets[0])
		if attrs[tc.attr] != tc.ep.Targets[0] || len(attrs) != 1 {
			t.Errorf("%s: attributes %v, want %s", tc.ep, attrs, tc.attr)
		}
		rt, target, ok := recordOf(attrs, serviceType(tc.ep))
		if !ok || rt != tc.ep.RecordType || target != tc.ep.Targets[0] {
			t.Errorf("%s: read back as %s %s", tc.ep, rt, target)
		}
	}
}

func TestTags(t *testing.T) {
	tests := []struct {
		args []string
		want map[string]string
		err  string
	}{
		{nil, map[string]string{}, ""},
		{[]string{"--aws-sd-create-tag=team=dns", "--aws-sd-create-tag=env=a=b"}, map[string]string{"team": "dns", "env": "a=b"}, ""},
		{[]string{"--aws-sd-create-tag=novalue"}, nil, "want key=value"},
		{[]string{"--aws-sd-create-tag==x"}, nil, "want key=value"},
	}
	for _, tc := range tests {
		cfg := DefaultConfig()
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		cfg.BindFlags(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		got, err := cfg.Tags()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: err %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%v: %v %v, want %v", tc.args, got, err, tc.want)
		}
	}
}

func FuzzTags(f *testing.F) {
	for _, s := range []string{"a=b", "=", "a==", "k=" + strings.Repeat("v", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tags, err := Config{CreateTags: []string{s}}.Tags()
		if err != nil {
			return
		}
		for k, v := range tags {
			if k == "" || len(k) > 128 || len(v) > 256 || k+"="+v != strings.TrimSpace(k)+"="+v {
				t.Fatalf("%q gave the tag %q=%q", s, k, v)
			}
		}
	})
}

// TestRefusedAndApplied: a record whose name holds a service of another
// record type is refused with the reason; the rest of the batch lands.
func TestRefusedAndApplied(t *testing.T) {
	f, c := newFake(t, cloudmapfake.Options{})
	ns := f.AddNamespace("example.com", false)
	p := newProvider(t, c, Config{}, "me")
	if err := p.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{ep("a.example.com", "A", "192.0.2.1")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Records(ctx); err != nil {
		t.Fatal(err)
	}
	err := p.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{
		ep("a.example.com", "CNAME", "x.example.org"), ep("b.example.com", "A", "192.0.2.2"), ep("c.other.org", "A", "192.0.2.3")}})
	re, ok := provider.AsRefused(err)
	if !ok || len(re.Refused) != 2 || re.Applied != 1 {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(re.Refused[0].Err.Error(), "record types can't change") || !strings.Contains(re.Refused[1].Err.Error(), "no managed Cloud Map namespace") {
		t.Errorf("reasons: %v", err)
	}
	if s := f.Services(ns)["b"]; len(s.Instances) != 1 {
		t.Errorf("b not published: %+v", s)
	}
}

// TestThrottlingStops: throttling the SDK could not retry away is no
// refusal: the run stops with the error, to be retried whole.
func TestThrottlingStops(t *testing.T) {
	f, c := newFake(t, cloudmapfake.Options{})
	f.AddNamespace("example.com", false)
	p := newProvider(t, c, Config{}, "me")
	f.InjectError("RegisterInstance", 5, cloudmapfake.APIError{Code: "ThrottlingException", Message: "Rate exceeded"})
	err := p.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{ep("a.example.com", "A", "192.0.2.1"), ep("b.example.com", "A", "192.0.2.2")}})
	if _, refused := provider.AsRefused(err); err == nil || refused {
		t.Fatalf("err = %v, want a plain error", err)
	}
	if f.Calls("RegisterInstance") != 3 {
		t.Errorf("RegisterInstance calls %d, want 3 (the SDK's attempts for the first record, none for the second)", f.Calls("RegisterInstance"))
	}
}

// counted counts the provider's API calls by operation (the SDK's own
// retries of a call are not counted).
type counted struct {
	API
	mu    sync.Mutex
	calls map[string]int
}

func (c *counted) note(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[op]++
}

func (c *counted) ListNamespaces(ctx context.Context, in *sd.ListNamespacesInput, o ...func(*sd.Options)) (*sd.ListNamespacesOutput, error) {
	c.note("ListNamespaces")
	return c.API.ListNamespaces(ctx, in, o...)
}

func (c *counted) ListServices(ctx context.Context, in *sd.ListServicesInput, o ...func(*sd.Options)) (*sd.ListServicesOutput, error) {
	c.note("ListServices")
	return c.API.ListServices(ctx, in, o...)
}

func (c *counted) DiscoverInstances(ctx context.Context, in *sd.DiscoverInstancesInput, o ...func(*sd.Options)) (*sd.DiscoverInstancesOutput, error) {
	c.note("DiscoverInstances")
	return c.API.DiscoverInstances(ctx, in, o...)
}

// TestRecordsCalls: a reconcile costs one ListNamespaces, a ListServices
// per 100 services, and a DiscoverInstances per non-empty service.
func TestRecordsCalls(t *testing.T) {
	f, client := newFake(t, cloudmapfake.Options{})
	f.AddNamespace("example.com", false)
	c := &counted{API: client, calls: map[string]int{}}
	p := newProvider(t, c, Config{}, "me")
	var creates []*endpoint.Endpoint
	for i := range 150 {
		creates = append(creates, ep(fmt.Sprintf("s%03d.example.com", i), "A", "192.0.2.1"))
	}
	if err := p.ApplyChanges(ctx, &plan.Changes{Create: creates}); err != nil {
		t.Fatal(err)
	}
	clear(c.calls)
	recs, err := p.Records(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 150 || c.calls["ListNamespaces"] != 1 || c.calls["ListServices"] != 2 || c.calls["DiscoverInstances"] != 150 {
		t.Errorf("%d records with calls %v", len(recs), c.calls)
	}
	if recs[0].Labels.Get(DescriptionLabel) != "heritage=external-dns,external-dns/owner=me" || recs[0].RecordTTL != 300 {
		t.Errorf("record %v", recs[0])
	}
}

func TestOtherOwnersServiceRefused(t *testing.T) {
	f, c := newFake(t, cloudmapfake.Options{})
	ns := f.AddNamespace("example.com", false)
	other := newProvider(t, c, Config{}, "other")
	theirs := endpoint.New("a.example.com", "A", "192.0.2.1").WithLabel(DescriptionLabel, "heritage=external-dns,external-dns/owner=other")
	if err := other.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{theirs}}); err != nil {
		t.Fatal(err)
	}
	if err := other.ApplyChanges(ctx, &plan.Changes{Delete: []*endpoint.Endpoint{theirs}}); err != nil {
		t.Fatal(err)
	}
	p := newProvider(t, c, Config{ServiceCleanup: true}, "me")
	if _, err := p.Records(ctx); err != nil {
		t.Fatal(err)
	}
	err := p.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{ep("a.example.com", "A", "192.0.2.9")}})
	if re, ok := provider.AsRefused(err); !ok || !errors.Is(re.Refused[0].Err, errRefused) || !strings.Contains(err.Error(), `owner "other"`) {
		t.Fatalf("err = %v", err)
	}
	if s := f.Services(ns)["a"]; len(s.Instances) != 0 || !strings.Contains(s.Description, "owner=other") {
		t.Errorf("their empty service was taken or deleted: %+v", s)
	}
}
