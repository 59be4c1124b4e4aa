package route53

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/route53"
)

// API is the part of the Route 53 API the provider uses. *route53.Client
// implements it; tests hand in a fake. It is defined here, by its user,
// so nothing else needs to know which SDK calls exist.
type API interface {
	ListHostedZones(ctx context.Context, in *route53.ListHostedZonesInput, opts ...func(*route53.Options)) (*route53.ListHostedZonesOutput, error)
	ListTagsForResources(ctx context.Context, in *route53.ListTagsForResourcesInput, opts ...func(*route53.Options)) (*route53.ListTagsForResourcesOutput, error)
	ListResourceRecordSets(ctx context.Context, in *route53.ListResourceRecordSetsInput, opts ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error)
	ChangeResourceRecordSets(ctx context.Context, in *route53.ChangeResourceRecordSetsInput, opts ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error)
	// GetHealthCheck checks that a health check named by a record exists
	// before the record is sent (it needs route53:GetHealthCheck; without
	// that permission the check is skipped).
	GetHealthCheck(ctx context.Context, in *route53.GetHealthCheckInput, opts ...func(*route53.Options)) (*route53.GetHealthCheckOutput, error)
	// The health checks exodns manages from the gslb/health-check*
	// properties (see hcowned.go) are listed, created, tagged and deleted
	// with these; ListTagsForResources above reads their tags.
	ListHealthChecks(ctx context.Context, in *route53.ListHealthChecksInput, opts ...func(*route53.Options)) (*route53.ListHealthChecksOutput, error)
	CreateHealthCheck(ctx context.Context, in *route53.CreateHealthCheckInput, opts ...func(*route53.Options)) (*route53.CreateHealthCheckOutput, error)
	DeleteHealthCheck(ctx context.Context, in *route53.DeleteHealthCheckInput, opts ...func(*route53.Options)) (*route53.DeleteHealthCheckOutput, error)
	ChangeTagsForResource(ctx context.Context, in *route53.ChangeTagsForResourceInput, opts ...func(*route53.Options)) (*route53.ChangeTagsForResourceOutput, error)
}

var _ API = (*route53.Client)(nil)

// Account is one set of AWS credentials: one --aws-profile, or the default
// chain when no profile is given. Each account has its own client and its
// own request budget; a zone is served by the first account that lists it.
type Account struct {
	// Name labels the account in logs and metrics: the profile name, or
	// "default".
	Name string
	API  API
}
