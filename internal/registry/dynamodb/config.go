// Package dynamodb keeps record ownership in an Amazon DynamoDB table
// (--registry=dynamodb), in the item layout upstream external-dns uses, so
// a table either of them wrote is read by the other.
package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/spf13/pflag"

	"github.com/exodns/exodns/internal/awsauth"
)

// Config holds the registry's flags.
type Config struct {
	// Table is --dynamodb-table: the table holding ownership items.
	Table string
	// Region is --dynamodb-region: the table's region when it is not the
	// SDK's (AWS_REGION, the profile's).
	Region string
	// Endpoint is --dynamodb-endpoint (exodns only): an API endpoint
	// override, for a local DynamoDB or a VPC endpoint. The SDK's
	// AWS_ENDPOINT_URL_DYNAMODB works too.
	Endpoint string
	// ResyncInterval is --dynamodb-resync-interval (exodns only): how
	// often the whole table is read again. In between the registry keeps
	// its view current with its own writes; claims are conditional, so a
	// stale view can never take another owner's name. 0 reads the table
	// on every reconcile.
	ResyncInterval time.Duration
}

// DefaultConfig returns the flag defaults (upstream's table name).
func DefaultConfig() Config {
	return Config{Table: "external-dns", ResyncInterval: 10 * time.Minute}
}

// BindFlags declares the flags on fs, with c's values as defaults.
func (c *Config) BindFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.Table, "dynamodb-table", c.Table, "DynamoDB table holding ownership for --registry=dynamodb (created when missing)")
	fs.StringVar(&c.Region, "dynamodb-region", c.Region, "AWS region of the DynamoDB table; empty uses the SDK's region")
	fs.StringVar(&c.Endpoint, "dynamodb-endpoint", c.Endpoint, "DynamoDB API endpoint override (a local DynamoDB, a VPC endpoint)")
	fs.DurationVar(&c.ResyncInterval, "dynamodb-resync-interval", c.ResyncInterval, "Read the whole DynamoDB table again at most this often; 0 reads it on every reconcile")
}

// Validate reports settings that cannot work.
func (c Config) Validate() error {
	var errs []error
	if n := len(c.Table); n < 3 || n > 255 {
		errs = append(errs, fmt.Errorf("--dynamodb-table=%q: a table name has 3 to 255 characters", c.Table))
	}
	for _, r := range c.Table {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			errs = append(errs, fmt.Errorf("--dynamodb-table=%q: only letters, digits, '_', '-' and '.' are allowed", c.Table))
			break
		}
	}
	if c.ResyncInterval < 0 {
		errs = append(errs, errors.New("--dynamodb-resync-interval must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("dynamodb registry: %w", err)
	}
	return nil
}

// NewClient returns a DynamoDB client for the table's region and endpoint,
// with credentials from auth.
func NewClient(ctx context.Context, cfg Config, auth awsauth.Options) (*dynamodb.Client, error) {
	if cfg.Region != "" {
		auth.Region = cfg.Region
	}
	awsCfg, err := awsauth.Load(ctx, auth)
	if err != nil {
		return nil, fmt.Errorf("dynamodb registry: %w", err)
	}
	return dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	}), nil
}
