package cli

import (
	"context"
	"log/slog"
	"slices"
	"strings"

	"github.com/exodns/exodns/internal/awsauth"
	"github.com/exodns/exodns/internal/config"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/provider/awssd"
	"github.com/exodns/exodns/internal/registry"
	"github.com/exodns/exodns/internal/registry/dynamodb"
	"github.com/exodns/exodns/internal/registry/txt"
)

// awsAuth is the credentials of the AWS backends beside Route 53: the first
// --aws-profile, --aws-assume-role and --aws-api-retries.
func awsAuth(cfg *config.Config) awsauth.Options {
	o := awsauth.Options{AssumeRole: cfg.AWS.AssumeRole, AssumeRoleExternalID: cfg.AWS.AssumeRoleExternalID, APIRetries: cfg.AWS.APIRetries}
	if len(cfg.AWS.Profiles) > 0 {
		o.Profile = cfg.AWS.Profiles[0]
	}
	return o
}

// newDynamoDB builds --registry=dynamodb. The --txt-* flags say how to
// read the TXT ownership records it migrates into the table.
func newDynamoDB(ctx context.Context, cfg *config.Config, p provider.Provider, log *slog.Logger) (registry.Registry, error) {
	client, err := dynamodb.NewClient(ctx, cfg.DynamoDB, awsAuth(cfg))
	if err != nil {
		return nil, err
	}
	var key []byte
	if cfg.TXTEncryptAESKey != "" {
		key = []byte(cfg.TXTEncryptAESKey)
	}
	reader, err := txt.NewReader(cfg.TXTPrefix, cfg.TXTSuffix, cfg.TXTWildcardReplacement, key)
	if err != nil {
		return nil, err
	}
	managed := func(t string) bool {
		has := func(list []string) bool {
			return slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(strings.TrimSpace(s), t) })
		}
		return has(cfg.ManagedRecordTypes) && !has(cfg.ExcludeRecordTypes)
	}
	return dynamodb.New(p, client, cfg.DynamoDB, dynamodb.Options{
		OwnerID:           cfg.TXTOwnerID,
		OldOwnerID:        cfg.TXT.OldOwnerID,
		DryRun:            cfg.DryRun,
		TXT:               reader,
		DeleteMigratedTXT: managed("TXT"),
		CacheInterval:     cfg.TXT.CacheInterval,
		Log:               log,
	})
}

// newAWSSD builds --provider=aws-sd: Cloud Map in the SDK's region
// (AWS_REGION, the profile's), namespaces filtered by --domain-filter and
// --aws-zone-type.
func newAWSSD(ctx context.Context, cfg *config.Config, filter endpoint.DomainFilter, log *slog.Logger) (provider.Provider, error) {
	client, err := awssd.NewClient(ctx, cfg.AWSSD, awsAuth(cfg))
	if err != nil {
		return nil, err
	}
	return awssd.New(client, cfg.AWSSD, awssd.Options{DomainFilter: filter, ZoneType: cfg.AWS.ZoneType, OwnerID: cfg.TXTOwnerID, Log: log})
}
