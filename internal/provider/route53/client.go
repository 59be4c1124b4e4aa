package route53

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// defaultRegion signs requests when no region is configured: Route 53 is
// global, but SigV4 needs a region.
const defaultRegion = "us-east-1"

// Clients builds one Account per --aws-profile, or a single "default"
// account without profiles. Credentials come from the SDK's standard
// chain: environment variables, the shared credentials and config files
// (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE), web identity (IRSA:
// AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE), then ECS and EC2
// instance roles. With --aws-assume-role each account assumes that role
// on top of its own credentials.
func Clients(ctx context.Context, cfg Config) ([]Account, error) {
	profiles := cfg.Profiles
	if len(profiles) == 0 {
		profiles = []string{""}
	}
	out := make([]Account, 0, len(profiles))
	for _, profile := range profiles {
		awsCfg, err := loadAWSConfig(ctx, cfg, profile)
		if err != nil {
			return nil, err
		}
		name := profile
		if name == "" {
			name = "default"
		}
		out = append(out, Account{Name: name, API: NewClient(awsCfg, cfg)})
	}
	return out, nil
}

func loadAWSConfig(ctx context.Context, cfg Config, profile string) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer { return newRetryer(cfg.APIRetries) }),
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, explainLoadError(profile, err)
	}
	if awsCfg.Credentials != nil {
		// Credentials are resolved on first use; when none are found,
		// say where the chain looked.
		awsCfg.Credentials = explainedCredentials{inner: awsCfg.Credentials, profile: profile}
	}
	if awsCfg.Region == "" {
		awsCfg.Region = defaultRegion
	}
	if cfg.AssumeRole != "" {
		assume := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(awsCfg), cfg.AssumeRole, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "exodns"
			if cfg.AssumeRoleExternalID != "" {
				o.ExternalID = aws.String(cfg.AssumeRoleExternalID)
			}
		})
		awsCfg.Credentials = aws.NewCredentialsCache(assume)
	}
	return awsCfg, nil
}

// NewClient returns a Route 53 client for awsCfg with the provider's
// endpoint override and retry policy. Tests and the fake's command use it
// with static credentials.
func NewClient(awsCfg aws.Config, cfg Config) *route53.Client {
	return route53.NewFromConfig(awsCfg, func(o *route53.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.Retryer = newRetryer(cfg.APIRetries)
	})
}

// newRetryer is the SDK's standard retryer with --aws-api-retries
// attempts, minus throttling: the account's limiter retries those, so
// retries share the account's request budget instead of bypassing it.
func newRetryer(attempts int) aws.Retryer {
	return throttleAware{retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = max(attempts, 1)
		o.RateLimiter = ratelimit.None
	})}
}

type throttleAware struct{ *retry.Standard }

func (r throttleAware) IsErrorRetryable(err error) bool {
	return !isThrottle(err) && r.Standard.IsErrorRetryable(err)
}
