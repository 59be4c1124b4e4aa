// Package awssd is the AWS Cloud Map provider (--provider=aws-sd): each DNS
// name is a Cloud Map service in the namespace of its parent domain, each
// target an instance of that service, as upstream external-dns maps them,
// so either controller manages what the other created.
package awssd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	sd "github.com/aws/aws-sdk-go-v2/service/servicediscovery"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/spf13/pflag"

	"github.com/exodns/exodns/internal/awsauth"
)

// Config holds the provider's own flags.
type Config struct {
	// ServiceCleanup is --aws-sd-service-cleanup: delete services of ours
	// (by the owner in their description) once their last instance is
	// gone.
	ServiceCleanup bool
	// CreateTags is --aws-sd-create-tag key=value (repeatable): tags put
	// on the services exodns creates, for IAM conditions (ABAC).
	CreateTags []string
	// Endpoint is --aws-sd-endpoint (exodns only): a Cloud Map API
	// endpoint override. DiscoverInstances then goes to the same host,
	// without the "data-" prefix AWS puts on it.
	Endpoint string
}

// DefaultConfig returns the flag defaults.
func DefaultConfig() Config { return Config{} }

// BindFlags declares the flags on fs, with c's values as defaults.
func (c *Config) BindFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&c.ServiceCleanup, "aws-sd-service-cleanup", c.ServiceCleanup, "With --provider=aws-sd, delete our Cloud Map services once they have no instance left")
	fs.StringArrayVar(&c.CreateTags, "aws-sd-create-tag", c.CreateTags, "With --provider=aws-sd, a key=value tag put on created services (repeatable)")
	fs.StringVar(&c.Endpoint, "aws-sd-endpoint", c.Endpoint, "Cloud Map API endpoint override (a local fake, a VPC endpoint)")
}

// Tags parses CreateTags.
func (c Config) Tags() (map[string]string, error) {
	out := map[string]string{}
	var errs []error
	for _, t := range c.CreateTags {
		k, v, ok := strings.Cut(t, "=")
		k = strings.TrimSpace(k)
		switch {
		case !ok || k == "":
			errs = append(errs, fmt.Errorf("--aws-sd-create-tag=%q: want key=value", t))
		case len(k) > 128 || len(v) > 256:
			errs = append(errs, fmt.Errorf("--aws-sd-create-tag=%q: a key has at most 128 characters and a value at most 256", t))
		default:
			out[k] = v
		}
	}
	if len(out) > 50 {
		errs = append(errs, fmt.Errorf("--aws-sd-create-tag: %d tags; Cloud Map allows 50 per service", len(out)))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("aws-sd: %w", err)
	}
	return out, nil
}

// Validate reports settings that cannot work.
func (c Config) Validate() error {
	_, err := c.Tags()
	return err
}

// NewClient returns a Cloud Map client with credentials from auth and the
// endpoint override.
func NewClient(ctx context.Context, cfg Config, auth awsauth.Options) (*sd.Client, error) {
	awsCfg, err := awsauth.Load(ctx, auth)
	if err != nil {
		return nil, fmt.Errorf("aws-sd: %w", err)
	}
	return sd.NewFromConfig(awsCfg, func(o *sd.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
			o.APIOptions = append(o.APIOptions, noHostPrefix)
		}
	}), nil
}

// noHostPrefix keeps DiscoverInstances on the overridden endpoint's host:
// AWS serves it from "data-servicediscovery...", a fake or a proxy from
// one address.
func noHostPrefix(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("exodnsNoHostPrefix",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
}
