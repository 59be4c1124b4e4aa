package route53fake_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/test/route53fake"
)

func TestHealthCheckLifecycle(t *testing.T) {
	e := newEnv(t, route53fake.Options{})
	ctx := context.Background()
	cfg := &types.HealthCheckConfig{Type: types.HealthCheckTypeHttps, FullyQualifiedDomainName: aws.String("origin.example.net"),
		ResourcePath: aws.String("/healthz"), Regions: []types.HealthCheckRegion{"us-east-1", "eu-west-1", "ap-southeast-1"}}
	out, err := e.c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("ref"), HealthCheckConfig: cfg})
	if err != nil {
		t.Fatal(err)
	}
	h := out.HealthCheck
	c := h.HealthCheckConfig
	if aws.ToInt64(h.HealthCheckVersion) != 1 || aws.ToInt32(c.Port) != 443 || aws.ToInt32(c.RequestInterval) != 30 ||
		aws.ToInt32(c.FailureThreshold) != 3 || len(c.Regions) != 3 || aws.ToString(out.Location) == "" {
		t.Fatalf("created %+v %+v", h, c)
	}
	id := aws.ToString(h.Id)

	again, err := e.c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("ref"), HealthCheckConfig: cfg})
	if err != nil || aws.ToString(again.HealthCheck.Id) != id {
		t.Fatalf("same reference and settings must return the same check: %v", err)
	}
	_, err = e.c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("ref"),
		HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeTcp, IPAddress: aws.String("192.0.2.1"), Port: aws.Int32(22)}})
	wantAPIError(t, err, "HealthCheckAlreadyExists", "")

	upd, err := e.c.UpdateHealthCheck(ctx, &route53.UpdateHealthCheckInput{HealthCheckId: aws.String(id), HealthCheckVersion: aws.Int64(1),
		FailureThreshold: aws.Int32(5), ResetElements: []types.ResettableElementName{types.ResettableElementNameRegions}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(upd.HealthCheck.HealthCheckVersion) != 2 || aws.ToInt32(upd.HealthCheck.HealthCheckConfig.FailureThreshold) != 5 ||
		upd.HealthCheck.HealthCheckConfig.Regions != nil {
		t.Fatalf("updated v%d %+v", aws.ToInt64(upd.HealthCheck.HealthCheckVersion), *upd.HealthCheck.HealthCheckConfig)
	}
	_, err = e.c.UpdateHealthCheck(ctx, &route53.UpdateHealthCheckInput{HealthCheckId: aws.String(id), HealthCheckVersion: aws.Int64(1), Disabled: aws.Bool(true)})
	wantAPIError(t, err, "HealthCheckVersionMismatch", "")

	list, err := e.c.ListHealthChecks(ctx, &route53.ListHealthChecksInput{})
	if err != nil || len(list.HealthChecks) != 1 || list.IsTruncated {
		t.Fatalf("list %+v %v", list, err)
	}

	// Deleting does not look at records that use the check (rules §4).
	e.mustChange(t, e.zone, create(with(weighted(rrset("w.example.com", types.RRTypeA, 60, "192.0.2.1"), "one", 1),
		func(s *types.ResourceRecordSet) { s.HealthCheckId = &id })))
	if _, err := e.c.DeleteHealthCheck(ctx, &route53.DeleteHealthCheckInput{HealthCheckId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.GetHealthCheck(ctx, &route53.GetHealthCheckInput{HealthCheckId: aws.String(id)})
	wantAPIError(t, err, "NoSuchHealthCheck", "A health check with id "+id+" does not exist.")
	_, err = e.c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("ref"), HealthCheckConfig: cfg})
	wantAPIError(t, err, "HealthCheckAlreadyExists", "")
}

func TestHealthCheckValidation(t *testing.T) {
	e := newEnv(t, route53fake.Options{})
	for _, tc := range []struct {
		name string
		cfg  types.HealthCheckConfig
		msg  string
	}{
		{"no endpoint", types.HealthCheckConfig{Type: types.HealthCheckTypeHttp}, ""},
		{"interval 20", types.HealthCheckConfig{Type: types.HealthCheckTypeHttp, FullyQualifiedDomainName: aws.String("a.example.net"), RequestInterval: aws.Int32(20)}, ""},
		{"threshold 11", types.HealthCheckConfig{Type: types.HealthCheckTypeHttp, FullyQualifiedDomainName: aws.String("a.example.net"), FailureThreshold: aws.Int32(11)},
			"Invalid XML ; cvc-maxInclusive-valid: Value '11' is not facet-valid with respect to maxInclusive '10' for type 'FailureThreshold'."},
		{"tcp with ip and fqdn", types.HealthCheckConfig{Type: types.HealthCheckTypeTcp, IPAddress: aws.String("192.0.2.1"), Port: aws.Int32(22),
			FullyQualifiedDomainName: aws.String("a.example.net")}, ""},
		{"alarm on a basic check", types.HealthCheckConfig{Type: types.HealthCheckTypeHttp, FullyQualifiedDomainName: aws.String("a.example.net"),
			AlarmIdentifier: &types.AlarmIdentifier{Name: aws.String("x"), Region: "us-east-1"}},
			"Invalid parameter : Basic health checks must not have an metric region specified."},
		{"two regions", types.HealthCheckConfig{Type: types.HealthCheckTypeHttp, FullyQualifiedDomainName: aws.String("a.example.net"),
			Regions: []types.HealthCheckRegion{"us-east-1", "us-west-1"}}, ""},
		{"private address", types.HealthCheckConfig{Type: types.HealthCheckTypeHttp, IPAddress: aws.String("10.0.0.1")}, ""},
		{"string match without string", types.HealthCheckConfig{Type: types.HealthCheckTypeHttpStrMatch, FullyQualifiedDomainName: aws.String("a.example.net")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.CreateHealthCheck(context.Background(), &route53.CreateHealthCheckInput{CallerReference: aws.String(tc.name), HealthCheckConfig: &tc.cfg})
			wantAPIError(t, err, "InvalidInput", tc.msg)
		})
	}
}
