package config

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"
)

// BindFlags declares every flag on fs, writing into c. Defaults come from c,
// so callers pass Default().
func BindFlags(fs *pflag.FlagSet, c *Config) {
	fs.DurationVar(&c.Interval, "interval", c.Interval, "Slow periodic resync interval; changes to watched objects trigger a reconcile sooner")
	fs.DurationVar(&c.MinEventSyncInterval, "min-event-sync-interval", c.MinEventSyncInterval, "Least time between two reconciles triggered by events (100ms with --provider=embedded unless set)")
	fs.BoolVar(&c.Events, "events", c.Events, "Accepted for compatibility; exodns is always event-driven")
	fs.BoolVar(&c.Once, "once", c.Once, "Reconcile once and exit")
	fs.BoolVar(&c.DryRun, "dry-run", c.DryRun, "Log the changes instead of applying them")
	fs.StringVar(&c.Policy, "policy", c.Policy, "How records are synchronised: sync, upsert-only or create-only")
	fs.DurationVar(&c.ProviderCacheTime, "provider-cache-time", c.ProviderCacheTime, "Accepted for compatibility")

	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "Log level: debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "Log format: text or json")
	fs.StringVar(&c.MetricsAddress, "metrics-address", c.MetricsAddress, "Address serving /metrics and /healthz; empty disables")
	fs.BoolVar(&c.ExplainEndpoint, "explain-endpoint", c.ExplainEndpoint, "Serve /explain?name= on the metrics listener, for `exodns explain`; false turns it off")
	fs.BoolVar(&c.EnablePprof, "enable-pprof", c.EnablePprof, "Serve Go's /debug/pprof/ profiles on the metrics listener; off by default, as profiles show the process's internals")
	fs.IntVar(&c.HealthFailureThreshold, "health-failure-threshold", c.HealthFailureThreshold, "Consecutive failed reconciles after which /healthz fails")

	fs.StringVar(&c.Kubeconfig, "kubeconfig", c.Kubeconfig, "Kubeconfig file for the Kubernetes sources")
	fs.StringVar(&c.APIServerURL, "server", c.APIServerURL, "Kubernetes API server address (overrides the kubeconfig)")
	fs.Float32Var(&c.KubeAPIQPS, "kube-api-qps", c.KubeAPIQPS, "Kubernetes API requests per second")
	fs.IntVar(&c.KubeAPIBurst, "kube-api-burst", c.KubeAPIBurst, "Kubernetes API request burst")
	fs.DurationVar(&c.KubeAPIRequestTimeout, "kube-api-request-timeout", c.KubeAPIRequestTimeout, "Kubernetes API request timeout")
	fs.StringVar(&c.Namespace, "namespace", c.Namespace, "Only watch this namespace; empty watches all")

	fs.StringSliceVar(&c.Sources, "source", c.Sources, "Where desired records come from (repeatable): "+describe(sourceChoices))
	fs.StringSliceVar(&c.ManifestPaths, "manifest-path", c.ManifestPaths, "Manifest file or folder for --source=manifest (repeatable)")
	fs.DurationVar(&c.ManifestSettleTime, "manifest-settle-time", c.ManifestSettleTime, "How long a changed manifest file must be left alone before it is used, so a half-written file never deletes records")
	fs.StringVar(&c.LabelFilter, "label-filter", c.LabelFilter, "Only objects whose labels match this selector")
	fs.StringVar(&c.AnnotationFilter, "annotation-filter", c.AnnotationFilter, "Only objects whose annotations match this selector")
	fs.StringVar(&c.AnnotationPrefix, "annotation-prefix", c.AnnotationPrefix, "Read annotations under this prefix only; empty reads both external-dns.alpha.kubernetes.io/ and external-dns.kubernetes.io/")
	fs.StringSliceVar(&c.IngressClassNames, "ingress-class", c.IngressClassNames, "Only Ingresses of these classes (repeatable)")
	fs.StringSliceVar(&c.ServiceTypeFilter, "service-type-filter", c.ServiceTypeFilter, "Only Services of these types (repeatable)")
	fs.BoolVar(&c.PublishInternal, "publish-internal-services", c.PublishInternal, "Publish ClusterIP Services")
	fs.BoolVar(&c.PublishHostIP, "publish-host-ip", c.PublishHostIP, "Publish pod host IPs for headless Services")
	fs.BoolVar(&c.IgnoreHostnameAnnotation, "ignore-hostname-annotation", c.IgnoreHostnameAnnotation, "Ignore the hostname annotation")
	fs.BoolVar(&c.IgnoreIngressTLSSpec, "ignore-ingress-tls-spec", c.IgnoreIngressTLSSpec, "Ignore hosts in Ingress spec.tls")
	fs.BoolVar(&c.IgnoreIngressRulesSpec, "ignore-ingress-rules-spec", c.IgnoreIngressRulesSpec, "Ignore hosts in Ingress spec.rules")
	fs.StringVar(&c.FQDNTemplate, "fqdn-template", c.FQDNTemplate, "Go template naming objects without a hostname, e.g. {{.Name}}.example.com")
	fs.BoolVar(&c.CombineFQDNAnnotation, "combine-fqdn-annotation", c.CombineFQDNAnnotation, "Add --fqdn-template names to annotated ones")
	fs.StringSliceVar(&c.DefaultTargets, "default-targets", c.DefaultTargets, "Targets used instead of those in object status (repeatable)")
	fs.BoolVar(&c.ForceDefaultTargets, "force-default-targets", c.ForceDefaultTargets, "Use --default-targets even over target annotations")
	fs.StringVar(&c.CRDSourceAPIVersion, "crd-source-apiversion", c.CRDSourceAPIVersion, "apiVersion of the DNSEndpoint-shaped objects")
	fs.StringVar(&c.CRDSourceKind, "crd-source-kind", c.CRDSourceKind, "Kind of the DNSEndpoint-shaped objects")
	fs.StringVar(&c.GatewayName, "gateway-name", c.GatewayName, "Only routes attached to Gateways of this name")
	fs.StringVar(&c.GatewayNamespace, "gateway-namespace", c.GatewayNamespace, "Only routes attached to Gateways in this namespace")
	fs.StringVar(&c.GatewayLabelFilter, "gateway-label-filter", c.GatewayLabelFilter, "Only routes attached to Gateways matching this label selector")
	fs.BoolVar(&c.GatewayListenerSets, "gateway-listener-sets", c.GatewayListenerSets, "Let routes attach to ListenerSets (Gateway API v1.5+), published at their Gateway's addresses")

	fs.BoolVar(&c.LeaderElect, "leader-elect", c.LeaderElect, "Run several replicas; only the holder of a Lease applies changes")
	fs.StringVar(&c.LeaderElectionNamespace, "leader-election-namespace", c.LeaderElectionNamespace, "Namespace of the leader Lease; empty means the pod's namespace")
	fs.StringVar(&c.LeaderElectionID, "leader-election-id", c.LeaderElectionID, "Name of the leader Lease; empty means exodns-leader-<txt-owner-id>")
	fs.DurationVar(&c.LeaderElectionLeaseDuration, "leader-election-lease-duration", c.LeaderElectionLeaseDuration, "How long a Lease holds without renewal")
	fs.DurationVar(&c.LeaderElectionRenewDeadline, "leader-election-renew-deadline", c.LeaderElectionRenewDeadline, "How long the leader retries renewing before giving up")
	fs.DurationVar(&c.LeaderElectionRetryPeriod, "leader-election-retry-period", c.LeaderElectionRetryPeriod, "How often candidates try to take the Lease")

	fs.StringSliceVar(&c.ManagedRecordTypes, "managed-record-types", c.ManagedRecordTypes, "Record types to manage (repeatable)")
	fs.StringSliceVar(&c.ExcludeRecordTypes, "exclude-record-types", c.ExcludeRecordTypes, "Record types never to manage (repeatable)")
	fs.StringSliceVar(&c.DomainFilter, "domain-filter", c.DomainFilter, "Only manage names in these domains (repeatable)")
	fs.StringSliceVar(&c.ExcludeDomains, "exclude-domains", c.ExcludeDomains, "Never manage names in these domains (repeatable)")
	fs.StringVar(&c.RegexDomainFilter, "regex-domain-filter", c.RegexDomainFilter, "Only manage names matching this regex (overrides --domain-filter)")
	fs.StringVar(&c.RegexDomainExclusion, "regex-domain-exclusion", c.RegexDomainExclusion, "Never manage names matching this regex")
	fs.StringSliceVar(&c.ZoneIDFilter, "zone-id-filter", c.ZoneIDFilter, "Only manage zones with these IDs (repeatable)")

	fs.StringVar(&c.Registry, "registry", c.Registry, "Ownership registry: "+describe(registryChoices))
	fs.StringVar(&c.TXTOwnerID, "txt-owner-id", c.TXTOwnerID, "Owner written into ownership TXT records; unique per controller")
	fs.StringVar(&c.TXTPrefix, "txt-prefix", c.TXTPrefix, "Prefix of ownership TXT names; %{record_type} is substituted")
	fs.StringVar(&c.TXTSuffix, "txt-suffix", c.TXTSuffix, "Suffix of the first label of ownership TXT names; %{record_type} is substituted")
	fs.StringVar(&c.TXTWildcardReplacement, "txt-wildcard-replacement", c.TXTWildcardReplacement, "Replaces * in ownership TXT names of wildcard records")
	fs.BoolVar(&c.TXTEncryptEnabled, "txt-encrypt-enabled", c.TXTEncryptEnabled, "Encrypt ownership TXT values (AES-256-GCM)")
	fs.StringVar(&c.TXTEncryptAESKey, "txt-encrypt-aes-key", c.TXTEncryptAESKey, "32-byte key, raw or base64, for --txt-encrypt-enabled")
	fs.DurationVar(&c.TXTCacheInterval, "txt-cache-interval", c.TXTCacheInterval, "Accepted for compatibility")

	fs.StringVar(&c.Provider, "provider", c.Provider, "DNS provider: "+describe(providerChoices))
	fs.StringSliceVar(&c.InMemoryZone, "inmemory-zone", c.InMemoryZone, "Zone served by the inmemory provider (repeatable)")

	fs.StringVar(&c.AWSZoneType, "aws-zone-type", c.AWSZoneType, "Only public or private hosted zones; empty means both")
	fs.StringSliceVar(&c.AWSZoneTags, "aws-zone-tags", c.AWSZoneTags, "Only hosted zones with these tags (key=value, repeatable)")
	fs.BoolVar(&c.AWSZoneMatchParent, "aws-zone-match-parent", c.AWSZoneMatchParent, "Also manage zones whose parent domain matches the domain filter")
	fs.DurationVar(&c.AWSZonesCacheDuration, "aws-zones-cache-duration", c.AWSZonesCacheDuration, "How long the list of hosted zones is cached")
	fs.StringSliceVar(&c.AWSProfiles, "aws-profile", c.AWSProfiles, "AWS profile, one per account (repeatable)")
	fs.StringVar(&c.AWSAssumeRole, "aws-assume-role", c.AWSAssumeRole, "IAM role ARN to assume")
	fs.StringVar(&c.AWSAssumeRoleExternalID, "aws-assume-role-external-id", c.AWSAssumeRoleExternalID, "External ID for --aws-assume-role")
	fs.IntVar(&c.AWSAPIRetries, "aws-api-retries", c.AWSAPIRetries, "Retries of a failed AWS API call")
	fs.IntVar(&c.AWSBatchChangeSize, "aws-batch-change-size", c.AWSBatchChangeSize, "Most resource records in one ChangeResourceRecordSets call")
	fs.IntVar(&c.AWSBatchChangeSizeBytes, "aws-batch-change-size-bytes", c.AWSBatchChangeSizeBytes, "Most characters of values in one call")
	fs.IntVar(&c.AWSBatchChangeSizeValues, "aws-batch-change-size-values", c.AWSBatchChangeSizeValues, "Most values in one call (UPSERT counts twice)")
	fs.DurationVar(&c.AWSBatchChangeInterval, "aws-batch-change-interval", c.AWSBatchChangeInterval, "Pause between two change batches")
	fs.BoolVar(&c.AWSEvaluateTargetHealth, "aws-evaluate-target-health", c.AWSEvaluateTargetHealth, "Alias records evaluate their target's health")
	fs.BoolVar(&c.AWSPreferCNAME, "aws-prefer-cname", c.AWSPreferCNAME, "Write CNAMEs instead of automatic alias records")
	fs.DurationVar(&c.AWSZoneResyncInterval, "aws-zone-resync-interval", c.AWSZoneResyncInterval, "Full re-list of a hosted zone at most this often; between, the cache is kept from our own changes")
	fs.Float64Var(&c.AWSRequestsPerSecond, "aws-requests-per-second", c.AWSRequestsPerSecond, "Client-side Route 53 API rate per account")
	fs.StringVar(&c.AWSEndpoint, "aws-endpoint", c.AWSEndpoint, "Route 53 API endpoint override (testing, or an API-compatible service)")

	fs.StringSliceVar(&c.EmbeddedZone, "embedded-zone", c.EmbeddedZone, "Zone the embedded server is authoritative for (repeatable)")
	fs.StringVar(&c.EmbeddedListen, "embedded-listen", c.EmbeddedListen, "UDP and TCP address the embedded server answers on")
	fs.StringVar(&c.EmbeddedDB, "embedded-db", c.EmbeddedDB, "bbolt file holding the embedded server's records; empty means $XDG_DATA_HOME/exodns/embedded.db; :memory: keeps them in memory only")
	fs.StringVar(&c.EmbeddedTSIGKey, "embedded-tsig-key", c.EmbeddedTSIGKey, "TSIG key (name:secret, name:algorithm:secret) allowed to transfer zones (AXFR); without it transfers are refused")
	fs.Uint32Var(&c.EmbeddedNegativeTTL, "embedded-negative-ttl", c.EmbeddedNegativeTTL, "SOA minimum: how long resolvers cache NXDOMAIN and NODATA, in seconds")
	fs.StringSliceVar(&c.EmbeddedNameservers, "embedded-nameserver", c.EmbeddedNameservers, "Apex NS names (repeatable); the first is the SOA MNAME; default ns1.<zone>")
	fs.StringVar(&c.EmbeddedDBOnCorrupt, "embedded-db-on-corrupt", c.EmbeddedDBOnCorrupt, "What to do with a corrupt --embedded-db: move-aside (rename to <file>.corrupt-<time>, log, start empty; records come back from the sources) or fail")
	fs.StringVar(&c.EmbeddedRRsetOrder, "embedded-rrset-order", c.EmbeddedRRsetOrder, "Order of records within an RRset in answers: fixed, cyclic or random")
	fs.StringSliceVar(&c.EmbeddedNotifyAllow, "embedded-notify-allow", c.EmbeddedNotifyAllow, "CIDR allowed to send NOTIFY (repeatable); others are REFUSED")
	fs.StringVar(&c.EmbeddedCookieSecret, "embedded-cookie-secret", c.EmbeddedCookieSecret, "DNS cookie secret, 32 hex digits (share it across an anycast set); empty means random per start")
	fs.IntVar(&c.EmbeddedRRLResponsesPerSecond, "embedded-rrl-responses-per-second", c.EmbeddedRRLResponsesPerSecond, "Response rate limit: identical UDP responses per client prefix per second; 0 disables")
	fs.IntVar(&c.EmbeddedRRLSlip, "embedded-rrl-slip", c.EmbeddedRRLSlip, "Every Nth rate-limited response is sent truncated (TC) instead of dropped; 0 drops all")
	fs.IntVar(&c.EmbeddedRRLIPv4Prefix, "embedded-rrl-ipv4-prefix", c.EmbeddedRRLIPv4Prefix, "IPv4 prefix length that groups clients for rate limiting")
	fs.IntVar(&c.EmbeddedRRLIPv6Prefix, "embedded-rrl-ipv6-prefix", c.EmbeddedRRLIPv6Prefix, "IPv6 prefix length that groups clients for rate limiting")
	fs.IntVar(&c.EmbeddedRRLWindow, "embedded-rrl-window", c.EmbeddedRRLWindow, "Seconds of excess a client prefix is held to account for")
	fs.IntVar(&c.EmbeddedTCPMaxConnections, "embedded-tcp-max-connections", c.EmbeddedTCPMaxConnections, "Open TCP connections at most; when full, the one idle longest is closed for a new one")
	fs.IntVar(&c.EmbeddedTCPMaxConnectionsPerClient, "embedded-tcp-max-connections-per-client", c.EmbeddedTCPMaxConnectionsPerClient, "Open TCP connections per client address (/64 for IPv6)")
	fs.DurationVar(&c.EmbeddedTCPIdleTimeout, "embedded-tcp-idle-timeout", c.EmbeddedTCPIdleTimeout, "How long a TCP connection may wait between queries")
	c.GSLB.BindFlags(fs)
}

// EnvPrefix starts the environment variable of every flag, as upstream's.
const EnvPrefix = "EXTERNAL_DNS_"

// EnvName returns the environment variable for a flag: --txt-owner-id is
// EXTERNAL_DNS_TXT_OWNER_ID.
func EnvName(flag string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// ApplyEnv sets every flag not given on the command line from its
// environment variable. A repeatable flag takes one value per line (and
// comma-separated values, as on the command line).
func ApplyEnv(fs *pflag.FlagSet, lookup func(string) (string, bool)) error {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed {
			return
		}
		v, ok := lookup(EnvName(f.Name))
		if !ok {
			return
		}
		values := []string{v}
		if strings.HasSuffix(f.Value.Type(), "Slice") || strings.HasSuffix(f.Value.Type(), "Array") {
			values = strings.Split(strings.TrimSpace(v), "\n")
		}
		for _, one := range values {
			if e := fs.Set(f.Name, strings.TrimSpace(one)); e != nil {
				err = fmt.Errorf("config: %s=%q: %w", EnvName(f.Name), v, e)
				return
			}
		}
	})
	return err
}
