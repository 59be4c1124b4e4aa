package route53

import "github.com/spf13/pflag"

// BindFlags declares the --aws-* flags on fs, writing into c; the defaults
// are c's values, so callers pass DefaultConfig(). The domain filter,
// --zone-id-filter and --policy are the controller's flags, set by the
// caller.
func (c *Config) BindFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.ZoneType, "aws-zone-type", c.ZoneType, "Only public or private hosted zones; empty means both")
	fs.StringSliceVar(&c.ZoneTags, "aws-zone-tags", c.ZoneTags, "Only hosted zones with these tags (key=value, repeatable)")
	fs.BoolVar(&c.ZoneMatchParent, "aws-zone-match-parent", c.ZoneMatchParent, "Also manage zones whose parent domain matches the domain filter")
	fs.DurationVar(&c.ZonesCacheDuration, "aws-zones-cache-duration", c.ZonesCacheDuration, "How long the list of hosted zones is cached")
	fs.StringSliceVar(&c.Profiles, "aws-profile", c.Profiles, "AWS profile, one per account (repeatable)")
	fs.StringVar(&c.AssumeRole, "aws-assume-role", c.AssumeRole, "IAM role ARN to assume")
	fs.StringVar(&c.AssumeRoleExternalID, "aws-assume-role-external-id", c.AssumeRoleExternalID, "External ID for --aws-assume-role")
	fs.IntVar(&c.APIRetries, "aws-api-retries", c.APIRetries, "Retries of a failed AWS API call")
	fs.IntVar(&c.BatchChangeSize, "aws-batch-change-size", c.BatchChangeSize, "Most resource records in one ChangeResourceRecordSets call")
	fs.IntVar(&c.BatchChangeSizeBytes, "aws-batch-change-size-bytes", c.BatchChangeSizeBytes, "Most characters of values in one call")
	fs.IntVar(&c.BatchChangeSizeValues, "aws-batch-change-size-values", c.BatchChangeSizeValues, "Most values in one call (UPSERT counts twice)")
	fs.DurationVar(&c.BatchChangeInterval, "aws-batch-change-interval", c.BatchChangeInterval, "Pause between two change batches")
	fs.BoolVar(&c.EvaluateTargetHealth, "aws-evaluate-target-health", c.EvaluateTargetHealth, "Alias records evaluate their target's health")
	fs.BoolVar(&c.PreferCNAME, "aws-prefer-cname", c.PreferCNAME, "Write CNAMEs instead of automatic alias records")
	fs.DurationVar(&c.ZoneResyncInterval, "aws-zone-resync-interval", c.ZoneResyncInterval, "Full re-list of a hosted zone at most this often; between, the cache is kept from our own changes")
	fs.Float64Var(&c.APIRateLimit, "aws-requests-per-second", c.APIRateLimit, "Client-side Route 53 API rate per account")
	fs.StringVar(&c.Endpoint, "aws-endpoint", c.Endpoint, "Route 53 API endpoint override (testing, or an API-compatible service)")
}
