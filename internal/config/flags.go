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
	fs.DurationVar(&c.FullResyncInterval, "full-resync-interval", c.FullResyncInterval, "How often a periodic resync reads every source and the whole zone even when no event or zone change asks for it, a multiple of --interval (rounded up); 0 never")
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
	c.TXT.BindFlags(fs)
	c.DynamoDB.BindFlags(fs)
	c.AWSSD.BindFlags(fs)

	fs.StringVar(&c.Provider, "provider", c.Provider, "DNS provider: "+describe(providerChoices))
	// Each backend declares its own flags.
	c.InMemory.BindFlags(fs)
	c.AWS.BindFlags(fs)
	c.Embedded.BindFlags(fs)
	c.RFC2136.BindFlags(fs)
	c.PDNS.BindFlags(fs)
	c.CoreDNS.BindFlags(fs)
	c.Webhook.BindFlags(fs)
	c.WebhookServer.BindFlags(fs)
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
