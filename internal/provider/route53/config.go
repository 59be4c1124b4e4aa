package route53

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/endpoint"
)

// Config holds the provider's settings. Each field is one command-line flag
// (named in its comment); DefaultConfig gives the flag defaults.
type Config struct {
	// Profiles is --aws-profile (repeatable). Each profile is one account
	// with its own zones, client and rate limiter. Empty means the default
	// credential chain (environment, shared files, web identity, IMDS).
	Profiles []string
	// AssumeRole is --aws-assume-role: a role ARN assumed on top of each
	// account's credentials.
	AssumeRole string
	// AssumeRoleExternalID is --aws-assume-role-external-id.
	AssumeRoleExternalID string
	// APIRetries is --aws-api-retries: attempts the SDK makes for an
	// errored call (5xx, network). Throttling is retried separately, by
	// the rate limiter, so a busy account does not burn this budget.
	APIRetries int
	// Endpoint overrides the Route 53 API endpoint (a fake, a proxy, a
	// FIPS endpoint). Empty uses the SDK's resolution, which also honours
	// AWS_ENDPOINT_URL_ROUTE_53. Flag: --aws-endpoint.
	Endpoint string
	// Region is the SDK region used for signing; no flag (AWS_REGION).
	// Empty takes the chain's region, then us-east-1 (Route 53 is global).
	Region string

	// DomainFilter is --domain-filter, --exclude-domains,
	// --regex-domain-filter and --regex-domain-exclusion: zones whose name
	// it rejects are not managed.
	DomainFilter endpoint.DomainFilter
	// ZoneIDFilter is --zone-id-filter (repeatable): only these zones.
	ZoneIDFilter []string
	// ZoneType is --aws-zone-type: "public", "private" or "" for both.
	ZoneType string
	// ZoneTags is --aws-zone-tags: "key=value" (or "key" for any value);
	// a zone must carry all of them.
	ZoneTags []string
	// ZoneMatchParent is --aws-zone-match-parent: a zone is also kept when
	// a domain filter names a name below it.
	ZoneMatchParent bool
	// ZonesCacheDuration is --aws-zones-cache-duration: how long the zone
	// list (and its tags) is reused. 0 reuses it until the next zone
	// resync (ZoneResyncInterval).
	ZonesCacheDuration time.Duration
	// ZoneResyncInterval is --aws-zone-resync-interval: how often a zone's
	// records are listed in full. In between, the provider answers from
	// its cache, kept current with its own successful changes.
	ZoneResyncInterval time.Duration

	// BatchChangeSize is --aws-batch-change-size: changes per request.
	BatchChangeSize int
	// BatchChangeSizeBytes is --aws-batch-change-size-bytes: value
	// characters per request (an UPSERT counts twice).
	BatchChangeSizeBytes int
	// BatchChangeSizeValues is --aws-batch-change-size-values: record
	// values per request (an UPSERT counts twice).
	BatchChangeSizeValues int
	// BatchChangeInterval is --aws-batch-change-interval: pause between
	// two change requests to the same zone.
	BatchChangeInterval time.Duration

	// EvaluateTargetHealth is --aws-evaluate-target-health: the default of
	// aws/evaluate-target-health on alias records.
	EvaluateTargetHealth bool
	// PreferCNAME is --aws-prefer-cname: never turn a CNAME into an alias
	// on our own; only the alias property does.
	PreferCNAME bool
	// APIRateLimit is the steady request rate per account, in requests per
	// second; 0 means no client-side limit. Flag: --aws-requests-per-second
	// (exodns only).
	APIRateLimit float64
	// Policy is the controller's --policy (sync, upsert-only, create-only;
	// "" means sync). Under a policy that never deletes, a change Route 53
	// allows only after a delete is refused before the call, saying so.
	Policy string
	// OwnerID is the controller's --txt-owner-id. The health checks exodns
	// makes from the gslb/health-check* properties are tagged with it, and
	// only checks with this tag are ever changed or deleted.
	OwnerID string
}

// DefaultConfig returns the flag defaults.
func DefaultConfig() Config {
	return Config{
		APIRetries:            3,
		ZoneResyncInterval:    10 * time.Minute,
		BatchChangeSize:       1000,
		BatchChangeSizeBytes:  32000,
		BatchChangeSizeValues: 1000,
		BatchChangeInterval:   time.Second,
		EvaluateTargetHealth:  true,
		APIRateLimit:          5,
	}
}

// Validate reports settings that cannot work.
func (c Config) Validate() error {
	var errs []error
	switch c.ZoneType {
	case "", "public", "private":
	default:
		errs = append(errs, fmt.Errorf("--aws-zone-type must be public, private or empty, not %q", c.ZoneType))
	}
	for _, t := range c.ZoneTags {
		if k, _, _ := strings.Cut(t, "="); strings.TrimSpace(k) == "" {
			errs = append(errs, fmt.Errorf("--aws-zone-tags: %q has no key", t))
		}
	}
	if c.BatchChangeSize < 1 || c.BatchChangeSizeBytes < 1 || c.BatchChangeSizeValues < 1 {
		errs = append(errs, errors.New("--aws-batch-change-size, -bytes and -values must be at least 1"))
	}
	if c.APIRetries < 0 {
		errs = append(errs, errors.New("--aws-api-retries must not be negative"))
	}
	if c.APIRateLimit < 0 {
		errs = append(errs, errors.New("the API rate limit must not be negative"))
	}
	switch c.Policy {
	case "", "sync", "upsert-only", "create-only":
	default:
		errs = append(errs, fmt.Errorf("--policy must be sync, upsert-only or create-only, not %q", c.Policy))
	}
	if c.AssumeRoleExternalID != "" && c.AssumeRole == "" {
		errs = append(errs, errors.New("--aws-assume-role-external-id needs --aws-assume-role"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("route53: %w", err)
	}
	return nil
}

// Options are the provider's collaborators; none is a flag.
type Options struct {
	// Log receives the provider's own logs; nil discards them.
	Log *slog.Logger
	// Registerer receives the provider's metrics; nil registers none.
	Registerer prometheus.Registerer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}
