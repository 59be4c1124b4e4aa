// Package config holds every setting of the controller, with upstream
// external-dns's flag names and defaults, and checks them before anything
// starts.
package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/exodns/exodns/internal/provider/awssd"
	"github.com/exodns/exodns/internal/provider/coredns"
	"github.com/exodns/exodns/internal/provider/embedded"
	"github.com/exodns/exodns/internal/provider/inmemory"
	"github.com/exodns/exodns/internal/provider/pdns"
	"github.com/exodns/exodns/internal/provider/rfc2136"
	"github.com/exodns/exodns/internal/provider/route53"
	"github.com/exodns/exodns/internal/provider/webhook"
	"github.com/exodns/exodns/internal/registry/dynamodb"
	"github.com/exodns/exodns/internal/registry/txt"
	webhookserver "github.com/exodns/exodns/internal/webhook"
)

// Config is the controller's whole configuration.
type Config struct {
	// Loop
	Interval             time.Duration
	MinEventSyncInterval time.Duration
	// FullResyncInterval is how often a periodic resync reads every
	// source and the whole zone although nothing says either changed;
	// zero never.
	FullResyncInterval time.Duration
	Events             bool
	Once               bool
	DryRun             bool
	Policy             string
	ProviderCacheTime  time.Duration

	// Logs, metrics, health
	LogLevel               string
	LogFormat              string
	MetricsAddress         string
	ExplainEndpoint        bool
	EnablePprof            bool
	HealthFailureThreshold int

	// Kubernetes connection (used by the Kubernetes sources)
	Kubeconfig            string
	APIServerURL          string
	KubeAPIQPS            float32
	KubeAPIBurst          int
	KubeAPIRequestTimeout time.Duration
	Namespace             string

	// Sources
	Sources                  []string
	ManifestPaths            []string
	ManifestSettleTime       time.Duration
	LabelFilter              string
	AnnotationFilter         string
	AnnotationPrefix         string
	IngressClassNames        []string
	ServiceTypeFilter        []string
	PublishInternal          bool
	PublishHostIP            bool
	IgnoreHostnameAnnotation bool
	IgnoreIngressTLSSpec     bool
	IgnoreIngressRulesSpec   bool
	FQDNTemplate             string
	CombineFQDNAnnotation    bool
	DefaultTargets           []string
	ForceDefaultTargets      bool
	CRDSourceAPIVersion      string
	CRDSourceKind            string
	GatewayName              string
	GatewayNamespace         string
	GatewayLabelFilter       string
	GatewayListenerSets      bool

	// Leader election
	LeaderElect                 bool
	LeaderElectionNamespace     string
	LeaderElectionID            string
	LeaderElectionLeaseDuration time.Duration
	LeaderElectionRenewDeadline time.Duration
	LeaderElectionRetryPeriod   time.Duration

	// Records and domains
	ManagedRecordTypes   []string
	ExcludeRecordTypes   []string
	DomainFilter         []string
	ExcludeDomains       []string
	RegexDomainFilter    string
	RegexDomainExclusion string
	ZoneIDFilter         []string

	// Registry
	Registry               string
	TXTOwnerID             string
	TXTPrefix              string
	TXTSuffix              string
	TXTWildcardReplacement string
	TXTEncryptEnabled      bool
	TXTEncryptAESKey       string
	// TXT holds the TXT registry's migration and cache flags
	// (--txt-new-format-only, --migrate-from-txt-owner, --txt-cache-interval).
	TXT txt.Flags

	// DynamoDB registry (--registry=dynamodb)
	DynamoDB dynamodb.Config

	// AWS Cloud Map (--provider=aws-sd)
	AWSSD awssd.Config

	// Provider: the backend, and one field per backend holding its own
	// settings. Each backend's package declares its flags (BindFlags) and
	// defaults (DefaultConfig), so a flag lives in one place.
	Provider string
	InMemory inmemory.Config
	AWS      route53.Config
	Embedded embedded.Config
	RFC2136  rfc2136.Config
	PDNS     pdns.Config
	CoreDNS  coredns.Config
	Webhook  webhook.Config
	// WebhookServer serves the provider over the webhook protocol.
	WebhookServer webhookserver.Config

	// GSLB: how the embedded server routes, checks health and peers.
	GSLB GSLB
}

// Default returns upstream's defaults.
func Default() Config {
	return Config{
		Interval:                    time.Minute,
		MinEventSyncInterval:        5 * time.Second,
		FullResyncInterval:          time.Hour,
		ManifestSettleTime:          500 * time.Millisecond,
		ExplainEndpoint:             true,
		GSLB:                        GSLB{CheckConcurrency: 64, PeerRefresh: 30 * time.Second},
		Policy:                      "sync",
		LogLevel:                    "info",
		LogFormat:                   "text",
		MetricsAddress:              ":7979",
		HealthFailureThreshold:      3,
		KubeAPIQPS:                  5,
		KubeAPIBurst:                10,
		KubeAPIRequestTimeout:       30 * time.Second,
		CRDSourceAPIVersion:         "externaldns.k8s.io/v1alpha1",
		CRDSourceKind:               "DNSEndpoint",
		ManagedRecordTypes:          []string{"A", "AAAA", "CNAME"},
		Registry:                    "txt",
		TXTOwnerID:                  "default",
		TXT:                         txt.DefaultFlags(),
		DynamoDB:                    dynamodb.DefaultConfig(),
		AWSSD:                       awssd.DefaultConfig(),
		Provider:                    "inmemory",
		AWS:                         route53.DefaultConfig(),
		Embedded:                    embedded.DefaultConfig(),
		RFC2136:                     rfc2136.DefaultConfig(),
		PDNS:                        pdns.DefaultConfig(),
		CoreDNS:                     coredns.DefaultConfig(),
		Webhook:                     webhook.DefaultConfig(),
		WebhookServer:               webhookserver.DefaultConfig(),
		LeaderElectionLeaseDuration: 15 * time.Second,
		LeaderElectionRenewDeadline: 10 * time.Second,
		LeaderElectionRetryPeriod:   2 * time.Second,
	}
}

// choice is one value a flag accepts, with what it means. Validation and
// help text both read these tables, so a name is listed in one place.
type choice struct{ name, help string }

var (
	sourceChoices = []choice{
		{"service", "Services"}, {"ingress", "Ingresses"}, {"crd", "DNSEndpoints"},
		{"gateway-httproute", "Gateway API HTTPRoutes"}, {"gateway-grpcroute", "Gateway API GRPCRoutes"},
		{"gateway-tlsroute", "Gateway API TLSRoutes"}, {"gateway-tcproute", "Gateway API TCPRoutes"},
		{"gateway-udproute", "Gateway API UDPRoutes"}, {"manifest", "YAML/JSON files (--manifest-path)"},
		{"gslb-delegation", "NS and glue delegating --gslb-delegation-zone to every cluster's embedded server"},
	}
	providerChoices = []choice{
		{"embedded", "exodns's own authoritative DNS server"}, {"aws", "Amazon Route 53"},
		{"aws-sd", "AWS Cloud Map: a service per name, an instance per target"},
		{"rfc2136", "any RFC 2136 server: BIND, Knot, PowerDNS, Windows DNS"},
		{"pdns", "PowerDNS Authoritative, through its REST API"},
		{"coredns", "CoreDNS's etcd plugin: SkyDNS records in etcd"},
		{"webhook", "any provider speaking upstream's webhook protocol (--webhook-provider-url)"},
		{"inmemory", "records in process memory, for tests"},
	}
	registryChoices = []choice{{"txt", "ownership TXT records, as upstream writes them"}, {"noop", "no ownership: every record is managed"},
		{"dynamodb", "ownership in a DynamoDB table (--dynamodb-table), upstream's layout"},
		{"aws-sd", "ownership in Cloud Map service descriptions; with --provider=aws-sd only"}}
)

func names(cs []choice) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.name
	}
	return out
}

func describe(cs []choice) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.name + " (" + c.help + ")"
	}
	return strings.Join(parts, ", ")
}

// Known values, for validation and help text.
var (
	knownSources    = names(sourceChoices)
	knownProviders  = names(providerChoices)
	knownRegistries = names(registryChoices)
	knownPolicies   = []string{"sync", "upsert-only", "create-only"}
	knownLogLevels  = []string{"debug", "info", "warn", "warning", "error"}
	knownLogFormats = []string{"text", "json"}
)

// Validate reports every problem at once, so a user fixes them in one go.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	oneOf := func(flag, v string, allowed []string) {
		if !slices.Contains(allowed, v) {
			bad("--%s=%q: must be one of %s", flag, v, strings.Join(allowed, ", "))
		}
	}
	oneOf("policy", c.Policy, knownPolicies)
	oneOf("provider", c.Provider, knownProviders)
	oneOf("registry", c.Registry, knownRegistries)
	oneOf("log-level", strings.ToLower(c.LogLevel), knownLogLevels)
	oneOf("log-format", c.LogFormat, knownLogFormats)
	if len(c.Sources) == 0 {
		bad("--source: at least one source is required (one of %s)", strings.Join(knownSources, ", "))
	}
	for _, s := range c.Sources {
		oneOf("source", s, knownSources)
	}
	if slices.Contains(c.Sources, "manifest") && len(c.ManifestPaths) == 0 {
		bad("--source=manifest needs --manifest-path")
	}
	if c.TXTPrefix != "" && c.TXTSuffix != "" {
		bad("--txt-prefix and --txt-suffix are mutually exclusive")
	}
	if c.Registry != "noop" && c.TXTOwnerID == "" {
		bad("--txt-owner-id must not be empty with --registry=%s", c.Registry)
	}
	if c.Registry == "aws-sd" && c.Provider != "aws-sd" {
		bad("--registry=aws-sd keeps ownership in Cloud Map services and needs --provider=aws-sd")
	}
	if c.Registry == "dynamodb" {
		if err := c.DynamoDB.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if c.TXT.CacheInterval < 0 {
		bad("--txt-cache-interval must not be negative")
	}
	if c.TXTEncryptEnabled && c.TXTEncryptAESKey == "" {
		bad("--txt-encrypt-enabled needs --txt-encrypt-aes-key")
	}
	if slices.Contains(knownProviders, c.Provider) {
		if err := c.ValidateProvider(); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Interval <= 0 {
		bad("--interval must be positive")
	}
	if c.ManifestSettleTime <= 0 {
		bad("--manifest-settle-time must be positive")
	}
	if c.MinEventSyncInterval < 0 {
		bad("--min-event-sync-interval must not be negative")
	}
	if c.FullResyncInterval < 0 {
		bad("--full-resync-interval must not be negative")
	}
	if c.HealthFailureThreshold < 1 {
		bad("--health-failure-threshold must be at least 1")
	}
	for _, t := range append(slices.Clone(c.ManagedRecordTypes), c.ExcludeRecordTypes...) {
		if !isRecordType(t) {
			bad("record type %q in --managed-record-types/--exclude-record-types is not supported", t)
		}
	}
	return errors.Join(errs...)
}

// ValidateProvider checks the settings of the chosen provider, and only
// those: a flag of another backend is never an error. `exodns webhook`,
// which has no sources, checks only this.
func (c *Config) ValidateProvider() error {
	var err error
	switch c.Provider {
	case "inmemory":
		if len(c.InMemory.Zones) == 0 && len(c.DomainFilter) == 0 {
			err = errors.New("--provider=inmemory needs --inmemory-zone (or --domain-filter)")
		}
	case "embedded":
		if len(c.Embedded.Zone) == 0 {
			err = errors.New("--provider=embedded needs --embedded-zone")
		}
	case "aws":
		aws := c.AWS
		aws.Policy = c.Policy
		err = aws.Validate()
	case "aws-sd":
		err = c.AWSSD.Validate()
	case "rfc2136":
		err = c.RFC2136.Validate()
	case "pdns":
		err = c.PDNS.Validate()
	case "coredns":
		err = c.CoreDNS.Validate()
	case "webhook":
		err = c.Webhook.Validate()
	default:
		err = fmt.Errorf("--provider=%q: must be one of %s", c.Provider, strings.Join(knownProviders, ", "))
	}
	return err
}

func isRecordType(t string) bool {
	switch strings.ToUpper(t) {
	case "A", "AAAA", "CNAME", "TXT", "SRV", "NS", "MX", "PTR", "NAPTR", "CAA":
		return true
	}
	return false
}
