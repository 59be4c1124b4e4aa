package route53fake_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"

	"github.com/exodns/exodns/test/route53fake"
)

// env is one fake behind an httptest server plus an unmodified SDK client
// configured the way the provider will be: static credentials, us-east-1,
// BaseEndpoint.
type env struct {
	fake *route53fake.Fake
	url  string
	c    *route53.Client
	zone string // bare ID of example.com.
}

func newEnv(t *testing.T, opts route53fake.Options, optFns ...func(*route53.Options)) *env {
	t.Helper()
	if opts.Rate == 0 {
		opts.Rate = -1 // most tests are not about throttling
	}
	f := route53fake.New(opts)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	e := &env{fake: f, url: srv.URL}
	e.c = e.client(t, "AKIDDEFAULT", optFns...)
	e.zone = f.AddZone("example.com", false, nil)
	return e
}

func (e *env) client(t *testing.T, accessKey string, optFns ...func(*route53.Options)) *route53.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(accessKey, "secret", "")))
	if err != nil {
		t.Fatal(err)
	}
	return route53.NewFromConfig(cfg, append([]func(*route53.Options){func(o *route53.Options) {
		o.BaseEndpoint = aws.String(e.url)
	}}, optFns...)...)
}

func (e *env) change(t *testing.T, zone string, changes ...types.Change) error {
	t.Helper()
	_, err := e.c.ChangeResourceRecordSets(context.Background(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String("/hostedzone/" + zone),
		ChangeBatch:  &types.ChangeBatch{Changes: changes},
	})
	return err
}

func (e *env) mustChange(t *testing.T, zone string, changes ...types.Change) {
	t.Helper()
	if err := e.change(t, zone, changes...); err != nil {
		t.Fatalf("change: %v", err)
	}
}

// wantAPIError asserts the error code and, unless msg is empty, the exact
// message the SDK surfaced.
func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want API error %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("code = %s, want %s (message %q)", ae.ErrorCode(), code, ae.ErrorMessage())
	}
	if msg == "" {
		t.Logf("%s: %s", code, ae.ErrorMessage())
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("message mismatch\n got: %s\nwant: %s", ae.ErrorMessage(), msg)
	}
}

func rrset(name string, typ types.RRType, ttl int64, values ...string) *types.ResourceRecordSet {
	s := &types.ResourceRecordSet{Name: aws.String(name), Type: typ, TTL: aws.Int64(ttl)}
	for _, v := range values {
		s.ResourceRecords = append(s.ResourceRecords, types.ResourceRecord{Value: aws.String(v)})
	}
	return s
}

func alias(name string, typ types.RRType, zone, target string) *types.ResourceRecordSet {
	return &types.ResourceRecordSet{Name: aws.String(name), Type: typ,
		AliasTarget: &types.AliasTarget{HostedZoneId: aws.String(zone), DNSName: aws.String(target)}}
}

func with(s *types.ResourceRecordSet, fn func(*types.ResourceRecordSet)) *types.ResourceRecordSet {
	fn(s)
	return s
}

func weighted(s *types.ResourceRecordSet, id string, w int64) *types.ResourceRecordSet {
	return with(s, func(s *types.ResourceRecordSet) { s.SetIdentifier, s.Weight = aws.String(id), aws.Int64(w) })
}

func latency(s *types.ResourceRecordSet, id, region string) *types.ResourceRecordSet {
	return with(s, func(s *types.ResourceRecordSet) {
		s.SetIdentifier, s.Region = aws.String(id), types.ResourceRecordSetRegion(region)
	})
}

func create(s *types.ResourceRecordSet) types.Change {
	return types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: s}
}

func upsert(s *types.ResourceRecordSet) types.Change {
	return types.Change{Action: types.ChangeActionUpsert, ResourceRecordSet: s}
}

func del(s *types.ResourceRecordSet) types.Change {
	return types.Change{Action: types.ChangeActionDelete, ResourceRecordSet: s}
}
