// Package awsauth loads the AWS SDK configuration the AWS backends other
// than Route 53 share (the DynamoDB registry, the Cloud Map provider): the
// SDK's standard credential chain, an optional profile, region and
// assumed role, and a retry budget.
package awsauth

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Options select the credentials and region.
type Options struct {
	// Profile is a shared-config profile; empty uses AWS_PROFILE or the
	// default chain (environment, shared files, web identity, IMDS).
	Profile string
	// Region overrides the chain's region (AWS_REGION, the profile's).
	Region string
	// AssumeRole is a role ARN assumed on top of the chain's credentials,
	// with AssumeRoleExternalID when set.
	AssumeRole, AssumeRoleExternalID string
	// APIRetries is the SDK's attempts for a failed call (5xx, network,
	// throttling); below 1 means 1.
	APIRetries int
}

// Load returns the SDK configuration for o. Credentials are resolved on
// first use, so a missing one shows up as an error of the first call.
func Load(ctx context.Context, o Options) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(so *retry.StandardOptions) { so.MaxAttempts = max(o.APIRetries, 1) })
		}),
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("awsauth: loading AWS configuration (profile %q): %w", o.Profile, err)
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("awsauth: no AWS region: set AWS_REGION, a region in the profile, or the backend's region flag")
	}
	if o.AssumeRole != "" {
		assume := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), o.AssumeRole, func(ao *stscreds.AssumeRoleOptions) {
			ao.RoleSessionName = "exodns"
			if o.AssumeRoleExternalID != "" {
				ao.ExternalID = aws.String(o.AssumeRoleExternalID)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(assume)
	}
	return cfg, nil
}
