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
)

// Config is the controller's whole configuration.
type Config struct {
	// Loop
	Interval             time.Duration
	MinEventSyncInterval time.Duration
	Events               bool
	Once                 bool
	DryRun               bool
	Policy               string
	ProviderCacheTime    time.Duration

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
	TXTCacheInterval       time.Duration

	// Provider
	Provider     string
	InMemoryZone []string

	// AWS Route 53 (--provider=aws)
	AWSZoneType              string
	AWSZoneTags              []string
	AWSZoneMatchParent       bool
	AWSZonesCacheDuration    time.Duration
	AWSProfiles              []string
	AWSAssumeRole            string
	AWSAssumeRoleExternalID  string
	AWSAPIRetries            int
	AWSBatchChangeSize       int
	AWSBatchChangeSizeBytes  int
	AWSBatchChangeSizeValues int
	AWSBatchChangeInterval   time.Duration
	AWSEvaluateTargetHealth  bool
	AWSPreferCNAME           bool
	AWSZoneResyncInterval    time.Duration
	AWSRequestsPerSecond     float64
	AWSEndpoint              string

	// Embedded authoritative server (--provider=embedded)
	EmbeddedZone        []string
	EmbeddedListen      string
	EmbeddedDB          string
	EmbeddedTSIGKey     string
	EmbeddedNegativeTTL uint32
	EmbeddedNameservers []string
	GSLB                GSLB
	// The embedded server's defences and answer order; the CLI parses and
	// checks them with the dnsserver package's parsers.
	EmbeddedDBOnCorrupt                string
	EmbeddedRRsetOrder                 string
	EmbeddedNotifyAllow                []string
	EmbeddedCookieSecret               string
	EmbeddedRRLResponsesPerSecond      int
	EmbeddedRRLSlip                    int
	EmbeddedRRLIPv4Prefix              int
	EmbeddedRRLIPv6Prefix              int
	EmbeddedRRLWindow                  int
	EmbeddedTCPMaxConnections          int
	EmbeddedTCPMaxConnectionsPerClient int
	EmbeddedTCPIdleTimeout             time.Duration
}

// Default returns upstream's defaults.
func Default() Config {
	return Config{
		Interval:                    time.Minute,
		MinEventSyncInterval:        5 * time.Second,
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
		Provider:                    "inmemory",
		EmbeddedListen:              "127.0.0.1:5353",
		AWSAPIRetries:               3,
		AWSBatchChangeSize:          1000,
		AWSBatchChangeSizeBytes:     32000,
		AWSBatchChangeSizeValues:    1000,
		AWSBatchChangeInterval:      time.Second,
		AWSEvaluateTargetHealth:     true,
		AWSZoneResyncInterval:       10 * time.Minute,
		AWSRequestsPerSecond:        5,
		LeaderElectionLeaseDuration: 15 * time.Second,
		LeaderElectionRenewDeadline: 10 * time.Second,
		LeaderElectionRetryPeriod:   2 * time.Second,
		EmbeddedNegativeTTL:         60,
		EmbeddedDBOnCorrupt:         "move-aside",
		EmbeddedRRsetOrder:          "cyclic",
		// RRL on, with BIND's usual settings; 0 responses/s turns it off.
		EmbeddedRRLResponsesPerSecond:      5,
		EmbeddedRRLSlip:                    2,
		EmbeddedRRLIPv4Prefix:              24,
		EmbeddedRRLIPv6Prefix:              56,
		EmbeddedRRLWindow:                  15,
		EmbeddedTCPMaxConnections:          256,
		EmbeddedTCPMaxConnectionsPerClient: 16,
		EmbeddedTCPIdleTimeout:             8 * time.Second,
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
		{"inmemory", "records in process memory, for tests"},
	}
	registryChoices = []choice{{"txt", "ownership TXT records, as upstream writes them"}, {"noop", "no ownership: every record is managed"}}
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
	if c.Registry == "txt" && c.TXTOwnerID == "" {
		bad("--txt-owner-id must not be empty with --registry=txt")
	}
	if c.TXTEncryptEnabled && c.TXTEncryptAESKey == "" {
		bad("--txt-encrypt-enabled needs --txt-encrypt-aes-key")
	}
	if c.Provider == "inmemory" && len(c.InMemoryZone) == 0 && len(c.DomainFilter) == 0 {
		bad("--provider=inmemory needs --inmemory-zone (or --domain-filter)")
	}
	if c.Provider == "embedded" && len(c.EmbeddedZone) == 0 {
		bad("--provider=embedded needs --embedded-zone")
	}
	if c.AWSZoneType != "" && c.AWSZoneType != "public" && c.AWSZoneType != "private" {
		bad("--aws-zone-type=%q: must be public, private or empty", c.AWSZoneType)
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

func isRecordType(t string) bool {
	switch strings.ToUpper(t) {
	case "A", "AAAA", "CNAME", "TXT", "SRV", "NS", "MX", "PTR", "NAPTR", "CAA":
		return true
	}
	return false
}
