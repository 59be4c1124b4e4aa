package route53

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/route53"
)

// The health check calls, through the account's token bucket like every
// other call.

func (a limitedAPI) ListHealthChecks(ctx context.Context, in *route53.ListHealthChecksInput, opts ...func(*route53.Options)) (*route53.ListHealthChecksOutput, error) {
	return limited(ctx, a.l, "ListHealthChecks", in, opts, a.api.ListHealthChecks)
}

func (a limitedAPI) CreateHealthCheck(ctx context.Context, in *route53.CreateHealthCheckInput, opts ...func(*route53.Options)) (*route53.CreateHealthCheckOutput, error) {
	return limited(ctx, a.l, "CreateHealthCheck", in, opts, a.api.CreateHealthCheck)
}

func (a limitedAPI) DeleteHealthCheck(ctx context.Context, in *route53.DeleteHealthCheckInput, opts ...func(*route53.Options)) (*route53.DeleteHealthCheckOutput, error) {
	return limited(ctx, a.l, "DeleteHealthCheck", in, opts, a.api.DeleteHealthCheck)
}

func (a limitedAPI) ChangeTagsForResource(ctx context.Context, in *route53.ChangeTagsForResourceInput, opts ...func(*route53.Options)) (*route53.ChangeTagsForResourceOutput, error) {
	return limited(ctx, a.l, "ChangeTagsForResource", in, opts, a.api.ChangeTagsForResource)
}
