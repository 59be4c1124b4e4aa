package route53

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/registry/txt"
	"github.com/exodns/exodns/test/route53fake"
)

// env is a Route 53 fake served over HTTP and reached through the
// unmodified SDK client, as the provider reaches AWS.
type env struct {
	t    testing.TB
	fake *route53fake.Fake
	url  string
}

func newEnv(t testing.TB, opts route53fake.Options) *env {
	t.Helper()
	f := route53fake.New(opts)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return &env{t: t, fake: f, url: srv.URL}
}

// testConfig is DefaultConfig without the pause between batches.
func testConfig() Config {
	c := DefaultConfig()
	c.BatchChangeInterval = 0
	return c
}

// client returns an SDK client signing with accessKey.
func (e *env) client(accessKey string, cfg Config) *route53.Client {
	cfg.Endpoint = e.url
	awsCfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(accessKey, "secret", "")}
	return NewClient(awsCfg, cfg)
}

// counting counts the calls that reach the API, per operation.
type counting struct {
	API
	calls map[string]*atomic.Int64
}

func newCounting(api API) *counting {
	c := &counting{API: api, calls: map[string]*atomic.Int64{}}
	for _, op := range []string{"ListHostedZones", "ListTagsForResources", "ListResourceRecordSets", "ChangeResourceRecordSets", "GetHealthCheck",
		"ListHealthChecks", "CreateHealthCheck", "DeleteHealthCheck", "ChangeTagsForResource"} {
		c.calls[op] = &atomic.Int64{}
	}
	return c
}

func (c *counting) reset() {
	for _, v := range c.calls {
		v.Store(0)
	}
}

func (c *counting) total() int64 {
	var n int64
	for _, v := range c.calls {
		n += v.Load()
	}
	return n
}

func (c *counting) ListHostedZones(ctx context.Context, in *route53.ListHostedZonesInput, o ...func(*route53.Options)) (*route53.ListHostedZonesOutput, error) {
	c.calls["ListHostedZones"].Add(1)
	return c.API.ListHostedZones(ctx, in, o...)
}

func (c *counting) ListTagsForResources(ctx context.Context, in *route53.ListTagsForResourcesInput, o ...func(*route53.Options)) (*route53.ListTagsForResourcesOutput, error) {
	c.calls["ListTagsForResources"].Add(1)
	return c.API.ListTagsForResources(ctx, in, o...)
}

func (c *counting) ListResourceRecordSets(ctx context.Context, in *route53.ListResourceRecordSetsInput, o ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error) {
	c.calls["ListResourceRecordSets"].Add(1)
	return c.API.ListResourceRecordSets(ctx, in, o...)
}

func (c *counting) ChangeResourceRecordSets(ctx context.Context, in *route53.ChangeResourceRecordSetsInput, o ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error) {
	c.calls["ChangeResourceRecordSets"].Add(1)
	return c.API.ChangeResourceRecordSets(ctx, in, o...)
}

func (c *counting) GetHealthCheck(ctx context.Context, in *route53.GetHealthCheckInput, o ...func(*route53.Options)) (*route53.GetHealthCheckOutput, error) {
	c.calls["GetHealthCheck"].Add(1)
	return c.API.GetHealthCheck(ctx, in, o...)
}

// provider returns a provider on the fake's default account.
func (e *env) provider(cfg Config) (*Provider, *counting) {
	return e.providerWith(cfg, Options{})
}

func (e *env) providerWith(cfg Config, opts Options) (*Provider, *counting) {
	e.t.Helper()
	api := newCounting(e.client("AKIDDEFAULT", cfg))
	p, err := New(cfg, opts, Account{Name: "default", API: api})
	if err != nil {
		e.t.Fatal(err)
	}
	return p, api
}

// cluster is one controller: TXT registry over the provider, planning in
// sync mode, as internal/controller runs it.
type cluster struct {
	t       testing.TB
	p       *Provider
	api     *counting
	reg     *txt.Registry
	policy  plan.Policy // sync unless set
	managed []string    // --managed-record-types; A, AAAA and CNAME when empty
}

func (e *env) cluster(owner, prefix string, cfg Config) *cluster {
	return e.clusterWith(owner, prefix, cfg, Options{})
}

func (e *env) clusterWith(owner, prefix string, cfg Config, opts Options) *cluster {
	return e.clusterTXT(txt.Config{OwnerID: owner, Prefix: prefix}, cfg, opts)
}

// clusterTXT is a cluster with any TXT registry settings.
func (e *env) clusterTXT(tc txt.Config, cfg Config, opts Options) *cluster {
	e.t.Helper()
	if cfg.OwnerID == "" {
		cfg.OwnerID = tc.OwnerID // as internal/cli wires it
	}
	p, api := e.providerWith(cfg, opts)
	reg, err := txt.New(p, tc)
	if err != nil {
		e.t.Fatal(err)
	}
	policy := plan.PolicySync
	if cfg.Policy != "" {
		policy = plan.Policy(cfg.Policy)
	}
	return &cluster{t: e.t, p: p, api: api, reg: reg, policy: policy}
}

// sync runs one reconcile of desired and returns the changes it applied.
func (c *cluster) sync(desired ...*endpoint.Endpoint) (*plan.Changes, error) {
	ctx := context.Background()
	in := make([]*endpoint.Endpoint, len(desired))
	for i, d := range desired {
		in[i] = d.DeepCopy()
	}
	adjusted, err := c.reg.AdjustEndpoints(in)
	if err != nil {
		return nil, err
	}
	current, err := c.reg.Records(ctx)
	if err != nil {
		return nil, err
	}
	res := plan.Calculate(plan.Input{Desired: adjusted, Current: current, OwnerID: c.reg.OwnerID(), Policy: c.policy, ManagedTypes: c.managed})
	return res.Changes, c.reg.ApplyChanges(ctx, res.Changes)
}

// mustConverge syncs twice: the first run applies, the second must find
// nothing to do and call ChangeResourceRecordSets not at all.
func (c *cluster) mustConverge(desired ...*endpoint.Endpoint) {
	c.t.Helper()
	if _, err := c.sync(desired...); err != nil {
		c.t.Fatalf("first sync: %v", err)
	}
	before := c.api.calls["ChangeResourceRecordSets"].Load()
	ch, err := c.sync(desired...)
	if err != nil {
		c.t.Fatalf("second sync: %v", err)
	}
	if ch.HasChanges() || c.api.calls["ChangeResourceRecordSets"].Load() != before {
		c.t.Fatalf("second sync not idle: create %v update %v delete %v", ch.Create, ch.UpdateNew, ch.Delete)
	}
}

// render prints a record set on one line, for exact comparisons.
func render(s types.ResourceRecordSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", aws.ToString(s.Name), s.Type)
	if s.SetIdentifier != nil {
		fmt.Fprintf(&b, " set=%s", *s.SetIdentifier)
	}
	r := routingOf(s)
	for _, p := range r.properties() {
		fmt.Fprintf(&b, " %s=%s", strings.TrimPrefix(p.Name, "aws/"), p.Value)
	}
	if a := s.AliasTarget; a != nil {
		fmt.Fprintf(&b, " alias=%s zone=%s eth=%t", aws.ToString(a.DNSName), aws.ToString(a.HostedZoneId), a.EvaluateTargetHealth)
	} else {
		fmt.Fprintf(&b, " ttl=%d", aws.ToInt64(s.TTL))
		var vals []string
		for _, v := range s.ResourceRecords {
			vals = append(vals, aws.ToString(v.Value))
		}
		fmt.Fprintf(&b, " %s", strings.Join(vals, " | "))
	}
	return b.String()
}

// zoneContent renders the fake's sets of a zone, without SOA and NS.
func (e *env) zoneContent(zoneID string) []string {
	var out []string
	for _, s := range e.fake.RecordSets(zoneID) {
		if s.Type == types.RRTypeSoa || s.Type == types.RRTypeNs {
			continue
		}
		out = append(out, render(s))
	}
	slices.Sort(out)
	return out
}

func (e *env) wantZone(zoneID string, want ...string) {
	e.t.Helper()
	got := e.zoneContent(zoneID)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		e.t.Errorf("zone content:\n  got:\n    %s\n  want:\n    %s", strings.Join(got, "\n    "), strings.Join(want, "\n    "))
	}
}

// healthCheck creates an HTTP health check in the fake and returns its ID.
func (e *env) healthCheck(ref string) string {
	e.t.Helper()
	out, err := e.client("AKIDDEFAULT", testConfig()).CreateHealthCheck(context.Background(), &route53.CreateHealthCheckInput{
		CallerReference: aws.String(ref),
		HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeHttp, IPAddress: aws.String("192.0.2.1"),
			Port: aws.Int32(80), ResourcePath: aws.String("/healthz")},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(out.HealthCheck.Id)
}

// owned returns an endpoint from a Kubernetes object, as a source builds it.
func owned(name, typ, resource string, targets ...string) *endpoint.Endpoint {
	return endpoint.New(name, typ, targets...).WithLabel(endpoint.ResourceLabel, resource)
}

func (c *counting) ListHealthChecks(ctx context.Context, in *route53.ListHealthChecksInput, o ...func(*route53.Options)) (*route53.ListHealthChecksOutput, error) {
	c.calls["ListHealthChecks"].Add(1)
	return c.API.ListHealthChecks(ctx, in, o...)
}

func (c *counting) CreateHealthCheck(ctx context.Context, in *route53.CreateHealthCheckInput, o ...func(*route53.Options)) (*route53.CreateHealthCheckOutput, error) {
	c.calls["CreateHealthCheck"].Add(1)
	return c.API.CreateHealthCheck(ctx, in, o...)
}

func (c *counting) DeleteHealthCheck(ctx context.Context, in *route53.DeleteHealthCheckInput, o ...func(*route53.Options)) (*route53.DeleteHealthCheckOutput, error) {
	c.calls["DeleteHealthCheck"].Add(1)
	return c.API.DeleteHealthCheck(ctx, in, o...)
}

func (c *counting) ChangeTagsForResource(ctx context.Context, in *route53.ChangeTagsForResourceInput, o ...func(*route53.Options)) (*route53.ChangeTagsForResourceOutput, error) {
	c.calls["ChangeTagsForResource"].Add(1)
	return c.API.ChangeTagsForResource(ctx, in, o...)
}
