package cloudmapfake

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sd "github.com/aws/aws-sdk-go-v2/service/servicediscovery"
	sdtypes "github.com/aws/aws-sdk-go-v2/service/servicediscovery/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

var ctx = context.Background()

// client is the unmodified SDK client pointed at the fake; DiscoverInstances
// keeps the fake's host (AWS prefixes it with "data-").
func client(t *testing.T, f *Fake, retries int) *sd.Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return sd.New(sd.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDFAKE", "secret", ""),
		RetryMaxAttempts: retries,
		APIOptions: []func(*middleware.Stack) error{func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("noprefix", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
			}), middleware.Before)
		}},
	})
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "other: " + err.Error()
	}
	return ""
}

func dnsConfig(policy sdtypes.RoutingPolicy, types ...sdtypes.RecordType) *sdtypes.DnsConfig {
	c := &sdtypes.DnsConfig{RoutingPolicy: policy}
	for _, t := range types {
		c.DnsRecords = append(c.DnsRecords, sdtypes.DnsRecord{Type: t, TTL: aws.Int64(300)})
	}
	return c
}

func TestCreateServiceRules(t *testing.T) {
	f := New(Options{})
	c := client(t, f, 1)
	ns := f.AddNamespace("example.com", false)
	tests := []struct {
		name, svc string
		dns       *sdtypes.DnsConfig
		want      string
	}{
		{"A multivalue", "a", dnsConfig(sdtypes.RoutingPolicyMultivalue, sdtypes.RecordTypeA), ""},
		{"A and AAAA", "dual", dnsConfig(sdtypes.RoutingPolicyMultivalue, sdtypes.RecordTypeA, sdtypes.RecordTypeAaaa), ""},
		{"CNAME weighted", "c", dnsConfig(sdtypes.RoutingPolicyWeighted, sdtypes.RecordTypeCname), ""},
		{"CNAME multivalue", "c2", dnsConfig(sdtypes.RoutingPolicyMultivalue, sdtypes.RecordTypeCname), "InvalidInput"},
		{"CNAME and A", "c3", dnsConfig(sdtypes.RoutingPolicyWeighted, sdtypes.RecordTypeCname, sdtypes.RecordTypeA), "InvalidInput"},
		{"duplicate name", "a", dnsConfig(sdtypes.RoutingPolicyMultivalue, sdtypes.RecordTypeA), "ServiceAlreadyExists"},
		{"wildcard", "*", dnsConfig(sdtypes.RoutingPolicyMultivalue, sdtypes.RecordTypeA), "InvalidInput"},
		{"label too long", strings.Repeat("x", 64), dnsConfig(sdtypes.RoutingPolicyMultivalue, sdtypes.RecordTypeA), "InvalidInput"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateService(ctx, &sd.CreateServiceInput{Name: aws.String(tc.svc), NamespaceId: aws.String(ns), DnsConfig: tc.dns})
			if got := code(err); got != tc.want {
				t.Errorf("error %q (%v), want %q", got, err, tc.want)
			}
		})
	}
	_, err := c.CreateService(ctx, &sd.CreateServiceInput{Name: aws.String("x"), NamespaceId: aws.String("ns-missing"), DnsConfig: dnsConfig("", sdtypes.RecordTypeA)})
	var nf *sdtypes.NamespaceNotFound
	if !errors.As(err, &nf) {
		t.Errorf("unknown namespace: %v", err)
	}
}

func createService(t *testing.T, c *sd.Client, ns, name string, dns *sdtypes.DnsConfig) string {
	t.Helper()
	out, err := c.CreateService(ctx, &sd.CreateServiceInput{Name: aws.String(name), NamespaceId: aws.String(ns), DnsConfig: dns,
		Description: aws.String("d"), Tags: []sdtypes.Tag{{Key: aws.String("team"), Value: aws.String("dns")}}})
	if err != nil {
		t.Fatal(err)
	}
	return *out.Service.Id
}

func TestRegisterInstanceRules(t *testing.T) {
	f := New(Options{})
	c := client(t, f, 1)
	ns := f.AddNamespace("example.com", false)
	a := createService(t, c, ns, "a", dnsConfig(sdtypes.RoutingPolicyMultivalue, sdtypes.RecordTypeA))
	cn := createService(t, c, ns, "c", dnsConfig(sdtypes.RoutingPolicyWeighted, sdtypes.RecordTypeCname))
	alias := createService(t, c, ns, "lb", dnsConfig(sdtypes.RoutingPolicyWeighted, sdtypes.RecordTypeA))
	big := map[string]string{}
	for i := range 31 {
		big[fmt.Sprint("k", i)] = "v"
	}
	tests := []struct {
		name, svc, id string
		attrs         map[string]string
		want          string
	}{
		{"IPv4", a, "192.0.2.1", map[string]string{"AWS_INSTANCE_IPV4": "192.0.2.1"}, ""},
		{"re-register updates", a, "192.0.2.1", map[string]string{"AWS_INSTANCE_IPV4": "192.0.2.1"}, ""},
		{"no IPv4 in an A service", a, "x", map[string]string{"AWS_INSTANCE_CNAME": "x.example.org"}, "InvalidInput"},
		{"bad IPv4", a, "y", map[string]string{"AWS_INSTANCE_IPV4": "300.1.1.1"}, "InvalidInput"},
		{"CNAME", cn, "x.example.org", map[string]string{"AWS_INSTANCE_CNAME": "x.example.org"}, ""},
		{"alias needs weighted", a, "lb", map[string]string{"AWS_ALIAS_DNS_NAME": "lb-1.us-east-1.elb.amazonaws.com"}, "InvalidInput"},
		{"alias", alias, "lb", map[string]string{"AWS_ALIAS_DNS_NAME": "lb-1.us-east-1.elb.amazonaws.com"}, ""},
		{"alias with an IP", alias, "lb2", map[string]string{"AWS_ALIAS_DNS_NAME": "x", "AWS_INSTANCE_IPV4": "192.0.2.1"}, "InvalidInput"},
		{"instance id pattern", a, "a b", map[string]string{"AWS_INSTANCE_IPV4": "192.0.2.1"}, "InvalidInput"},
		{"instance id length", a, strings.Repeat("a", 65), map[string]string{"AWS_INSTANCE_IPV4": "192.0.2.1"}, "InvalidInput"},
		{"31 attributes", cn, "z", big, "InvalidInput"},
		{"unknown service", "srv-missing", "z", map[string]string{"AWS_INSTANCE_IPV4": "192.0.2.1"}, "ServiceNotFound"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.RegisterInstance(ctx, &sd.RegisterInstanceInput{ServiceId: aws.String(tc.svc), InstanceId: aws.String(tc.id), Attributes: tc.attrs})
			if got := code(err); got != tc.want {
				t.Errorf("error %q (%v), want %q", got, err, tc.want)
			}
		})
	}
	if n := len(f.Services(ns)["a"].Instances); n != 1 {
		t.Errorf("service a has %d instances, want 1", n)
	}
}

func TestQuotas(t *testing.T) {
	f := New(Options{})
	// Retries: 3,000 calls on a busy machine may meet a transient transport
	// error; the quota errors asserted here are not retried by the SDK.
	c := client(t, f, 3)
	ns := f.AddNamespace("example.com", false)
	ids := []string{createService(t, c, ns, "a", dnsConfig("", sdtypes.RecordTypeA)), createService(t, c, ns, "b", dnsConfig("", sdtypes.RecordTypeA)),
		createService(t, c, ns, "c", dnsConfig("", sdtypes.RecordTypeA))}
	reg := func(svc string, i int) error {
		ip := fmt.Sprintf("10.0.%d.%d", i/256, i%256)
		_, err := c.RegisterInstance(ctx, &sd.RegisterInstanceInput{ServiceId: aws.String(svc), InstanceId: aws.String(ip), Attributes: map[string]string{"AWS_INSTANCE_IPV4": ip}})
		return err
	}
	for i := range MaxInstancesPerService {
		if err := reg(ids[0], i); err != nil {
			t.Fatal(err)
		}
	}
	if got := code(reg(ids[0], MaxInstancesPerService)); got != "ResourceLimitExceeded" {
		t.Errorf("instance %d in one service: %q", MaxInstancesPerService+1, got)
	}
	for i := range MaxInstancesPerNamespace - MaxInstancesPerService {
		if err := reg(ids[1], i); err != nil {
			t.Fatal(err)
		}
	}
	if got := code(reg(ids[2], 0)); got != "ResourceLimitExceeded" {
		t.Errorf("instance %d in one namespace: %q", MaxInstancesPerNamespace+1, got)
	}
	// DiscoverInstances returns 100 by default, at most 1,000.
	out, err := c.DiscoverInstances(ctx, &sd.DiscoverInstancesInput{NamespaceName: aws.String("example.com"), ServiceName: aws.String("a")})
	if err != nil {
		t.Fatalf("default DiscoverInstances: %v", err)
	} else if len(out.Instances) != 100 {
		t.Errorf("default DiscoverInstances: %d instances, want 100", len(out.Instances))
	}
	out, err = c.DiscoverInstances(ctx, &sd.DiscoverInstancesInput{NamespaceName: aws.String("example.com"), ServiceName: aws.String("a"), MaxResults: aws.Int32(1000)})
	if err != nil {
		t.Fatalf("DiscoverInstances of 1000: %v", err)
	} else if len(out.Instances) != 1000 {
		t.Errorf("DiscoverInstances of 1000: %d instances, want 1000", len(out.Instances))
	}
	if _, err := c.DiscoverInstances(ctx, &sd.DiscoverInstancesInput{NamespaceName: aws.String("example.com"), ServiceName: aws.String("a"), MaxResults: aws.Int32(1001)}); code(err) != "InvalidInput" {
		t.Errorf("MaxResults 1001: %v", err)
	}
	// 50 namespaces at most.
	for i := len(f.namespaces); i < MaxNamespaces; i++ {
		f.AddNamespace(fmt.Sprintf("n%d.example.org", i), false)
	}
	if _, err := c.CreatePublicDnsNamespace(ctx, &sd.CreatePublicDnsNamespaceInput{Name: aws.String("one-more.example.org")}); code(err) != "ResourceLimitExceeded" {
		t.Errorf("namespace 51: %v", err)
	}
}

// TestListingPages: ListServices and ListNamespaces page by 100 at most,
// and the SDK's paginators follow NextToken.
func TestListingPages(t *testing.T) {
	f := New(Options{})
	c := client(t, f, 1)
	ns := f.AddNamespace("example.com", false)
	f.AddNamespace("corp.internal", true)
	for i := range 250 {
		createService(t, c, ns, fmt.Sprint("s", i), dnsConfig("", sdtypes.RecordTypeA))
	}
	f.ResetCalls()
	n := 0
	for p := sd.NewListServicesPaginator(c, &sd.ListServicesInput{MaxResults: aws.Int32(100), Filters: []sdtypes.ServiceFilter{{Name: sdtypes.ServiceFilterNameNamespaceId, Values: []string{ns}, Condition: sdtypes.FilterConditionEq}}}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Services)
	}
	if n != 250 || f.Calls("ListServices") != 3 {
		t.Errorf("%d services in %d calls, want 250 in 3", n, f.Calls("ListServices"))
	}
	if _, err := c.ListServices(ctx, &sd.ListServicesInput{MaxResults: aws.Int32(101)}); code(err) != "InvalidInput" {
		t.Errorf("MaxResults 101: %v", err)
	}
	out, err := c.ListNamespaces(ctx, &sd.ListNamespacesInput{Filters: []sdtypes.NamespaceFilter{{Name: sdtypes.NamespaceFilterNameType, Values: []string{"DNS_PRIVATE"}, Condition: sdtypes.FilterConditionEq}}})
	if err != nil || len(out.Namespaces) != 1 || *out.Namespaces[0].Name != "corp.internal" {
		t.Errorf("private namespaces: %v %v", out, err)
	}
}

// TestDeleteServiceInUse: a service with instances cannot be deleted; with
// SettleAfter, a deregistered instance keeps it in use until it settles.
func TestDeleteServiceInUse(t *testing.T) {
	f := New(Options{SettleAfter: 3})
	c := client(t, f, 1)
	ns := f.AddNamespace("example.com", false)
	id := createService(t, c, ns, "a", dnsConfig("", sdtypes.RecordTypeA))
	out, err := c.RegisterInstance(ctx, &sd.RegisterInstanceInput{ServiceId: aws.String(id), InstanceId: aws.String("i"), Attributes: map[string]string{"AWS_INSTANCE_IPV4": "192.0.2.1"}})
	if err != nil {
		t.Fatal(err)
	}
	op, err := c.GetOperation(ctx, &sd.GetOperationInput{OperationId: out.OperationId})
	if err != nil || op.Operation.Status != sdtypes.OperationStatusPending {
		t.Fatalf("operation %v, %v; want PENDING", op, err)
	}
	if _, err := c.DeregisterInstance(ctx, &sd.DeregisterInstanceInput{ServiceId: aws.String(id), InstanceId: aws.String("i")}); code(err) != "DuplicateRequest" {
		t.Errorf("deregistering a pending registration: %v", err)
	}
	if _, err := c.DeleteService(ctx, &sd.DeleteServiceInput{Id: aws.String(id)}); code(err) != "ResourceInUse" {
		t.Errorf("delete with a pending instance: %v", err)
	}
	op, _ = c.GetOperation(ctx, &sd.GetOperationInput{OperationId: out.OperationId})
	if op.Operation.Status != sdtypes.OperationStatusSuccess {
		t.Errorf("operation still %s", op.Operation.Status)
	}
	if _, err := c.DeregisterInstance(ctx, &sd.DeregisterInstanceInput{ServiceId: aws.String(id), InstanceId: aws.String("i")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteService(ctx, &sd.DeleteServiceInput{Id: aws.String(id)}); code(err) != "ResourceInUse" {
		t.Errorf("delete during deregistration: %v", err)
	}
	c.ListServices(ctx, &sd.ListServicesInput{})
	if _, err := c.DeleteService(ctx, &sd.DeleteServiceInput{Id: aws.String(id)}); err != nil {
		t.Errorf("delete once settled: %v", err)
	}
}

// TestThrottling: DiscoverInstances' bucket answers RequestLimitExceeded,
// which the SDK retries as a throttle; calls are counted, throttled ones
// apart.
func TestThrottling(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	f := New(Options{DiscoverRate: 1, DiscoverBurst: 2, Now: func() time.Time { return now }})
	c := client(t, f, 1)
	ns := f.AddNamespace("example.com", false)
	createService(t, c, ns, "a", dnsConfig("", sdtypes.RecordTypeA))
	in := &sd.DiscoverInstancesInput{NamespaceName: aws.String("example.com"), ServiceName: aws.String("a")}
	for range 2 {
		if _, err := c.DiscoverInstances(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DiscoverInstances(ctx, in); code(err) != "RequestLimitExceeded" {
		t.Errorf("third call: %v", err)
	}
	if f.Calls("DiscoverInstances") != 3 || f.Throttled("DiscoverInstances") != 1 {
		t.Errorf("calls %d throttled %d", f.Calls("DiscoverInstances"), f.Throttled("DiscoverInstances"))
	}
	now = now.Add(time.Second)
	if _, err := c.DiscoverInstances(ctx, in); err != nil {
		t.Errorf("after a second: %v", err)
	}
}

// TestUpdateService: the TTL changes in place; the record types cannot.
func TestUpdateService(t *testing.T) {
	f := New(Options{})
	c := client(t, f, 1)
	ns := f.AddNamespace("example.com", false)
	id := createService(t, c, ns, "a", dnsConfig("", sdtypes.RecordTypeA))
	if _, err := c.UpdateService(ctx, &sd.UpdateServiceInput{Id: aws.String(id), Service: &sdtypes.ServiceChange{Description: aws.String("new"),
		DnsConfig: &sdtypes.DnsConfigChange{DnsRecords: []sdtypes.DnsRecord{{Type: sdtypes.RecordTypeA, TTL: aws.Int64(60)}}}}}); err != nil {
		t.Fatal(err)
	}
	v := f.Services(ns)["a"]
	if v.Description != "new" || *v.Records[0].TTL != 60 || v.Tags["team"] != "dns" {
		t.Errorf("service %+v", v)
	}
	if _, err := c.UpdateService(ctx, &sd.UpdateServiceInput{Id: aws.String(id), Service: &sdtypes.ServiceChange{
		DnsConfig: &sdtypes.DnsConfigChange{DnsRecords: []sdtypes.DnsRecord{{Type: sdtypes.RecordTypeCname, TTL: aws.Int64(60)}}}}}); code(err) != "InvalidInput" {
		t.Errorf("type change: %v", err)
	}
}
