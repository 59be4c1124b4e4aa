package config

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func parse(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	c := Default()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	BindFlags(fs, &c)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	err := ApplyEnv(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	return c, err
}

func TestFlagsAndEnv(t *testing.T) {
	c, err := parse(t,
		[]string{"--source=manifest", "--manifest-path=a", "--manifest-path=b", "--txt-owner-id=flag-owner", "--interval=30s"},
		map[string]string{
			"EXTERNAL_DNS_TXT_OWNER_ID":   "env-owner", // the flag wins
			"EXTERNAL_DNS_TXT_PREFIX":     "k3s",
			"EXTERNAL_DNS_DOMAIN_FILTER":  "example.com\nexample.org",
			"EXTERNAL_DNS_DRY_RUN":        "true",
			"EXTERNAL_DNS_INMEMORY_ZONE":  "example.com",
			"EXTERNAL_DNS_MIN_EVENT_SYNC": "ignored-unknown-name",
		})
	if err != nil {
		t.Fatal(err)
	}
	if c.TXTOwnerID != "flag-owner" || c.TXTPrefix != "k3s" || !c.DryRun || c.Interval != 30*time.Second {
		t.Errorf("config = %+v", c)
	}
	if strings.Join(c.ManifestPaths, ",") != "a,b" || strings.Join(c.DomainFilter, ",") != "example.com,example.org" {
		t.Errorf("repeatable flags = %v / %v", c.ManifestPaths, c.DomainFilter)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("valid config rejected: %v", err)
	}
	if _, err := parse(t, nil, map[string]string{"EXTERNAL_DNS_INTERVAL": "soon"}); err == nil || !strings.Contains(err.Error(), "EXTERNAL_DNS_INTERVAL") {
		t.Errorf("bad env value error = %v", err)
	}
}

func TestDefaultsMatchUpstream(t *testing.T) {
	c := Default()
	if c.Interval != time.Minute || c.MinEventSyncInterval != 5*time.Second || c.Policy != "sync" ||
		c.TXTOwnerID != "default" || c.MetricsAddress != ":7979" || c.CRDSourceKind != "DNSEndpoint" ||
		c.CRDSourceAPIVersion != "externaldns.k8s.io/v1alpha1" || c.AWS.BatchChangeSize != 1000 ||
		c.AWS.BatchChangeSizeBytes != 32000 || c.AWS.BatchChangeSizeValues != 1000 || c.AWS.APIRetries != 3 || !c.AWS.EvaluateTargetHealth || strings.Join(c.ManagedRecordTypes, ",") != "A,AAAA,CNAME" {
		t.Errorf("defaults drifted from upstream: %+v", c)
	}
}

func TestValidate(t *testing.T) {
	base := []string{"--source=manifest", "--manifest-path=x", "--inmemory-zone=example.com"}
	tests := []struct {
		args []string
		want string // substring of the error; "" means valid
	}{
		{nil, ""},
		{[]string{"--txt-prefix=a", "--txt-suffix=b"}, "mutually exclusive"},
		{[]string{"--policy=yolo"}, "--policy"},
		{[]string{"--full-resync-interval=-1s"}, "--full-resync-interval"},
		{[]string{"--full-resync-interval=0"}, ""},
		{[]string{"--provider=nope"}, "--provider"},
		{[]string{"--registry=nope"}, "--registry"},
		{[]string{"--log-format=xml"}, "--log-format"},
		{[]string{"--source=bogus"}, "--source"},
		{[]string{"--txt-encrypt-enabled"}, "--txt-encrypt-aes-key"},
		{[]string{"--managed-record-types=SPF"}, "SPF"},
		{[]string{"--txt-owner-id="}, "--txt-owner-id"},
		{[]string{"--source=gateway-httproute", "--source=gateway-grpcroute", "--source=gateway-tlsroute",
			"--source=gateway-tcproute", "--source=gateway-udproute", "--gateway-listener-sets"}, ""},
		{[]string{"--source=gateway-xroute"}, "--source"},
	}
	for _, tt := range tests {
		c, err := parse(t, append(append([]string{}, base...), tt.args...), nil)
		if err != nil {
			t.Fatal(err)
		}
		err = c.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%v: unexpected error %v", tt.args, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%v: error %v, want it to mention %q", tt.args, err, tt.want)
		}
	}
	if c, err := parse(t, nil, map[string]string{"EXTERNAL_DNS_GATEWAY_LISTENER_SETS": "true"}); err != nil || !c.GatewayListenerSets {
		t.Errorf("EXTERNAL_DNS_GATEWAY_LISTENER_SETS: %v, %v", c.GatewayListenerSets, err)
	}
	c, _ := parse(t, nil, nil)
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "--source") {
		t.Errorf("no source: %v", err)
	}
}

// TestHelpNamesEveryChoice: --help lists every provider, source and
// registry that validation accepts (it once left out aws).
func TestHelpNamesEveryChoice(t *testing.T) {
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	c := Default()
	BindFlags(fs, &c)
	for flag, known := range map[string][]string{"provider": knownProviders, "source": knownSources, "registry": knownRegistries} {
		usage := fs.Lookup(flag).Usage
		for _, name := range known {
			if !strings.Contains(usage, name) {
				t.Errorf("--%s help %q does not name %s", flag, usage, name)
			}
		}
	}
}

// TestEveryProviderIsValidated: each provider --help names has a case in
// ValidateProvider (aws-sd once fell through to "must be one of ...,
// aws-sd, ...").
func TestEveryProviderIsValidated(t *testing.T) {
	for _, p := range knownProviders {
		c := Default()
		c.Provider = p
		if err := c.ValidateProvider(); err != nil && strings.Contains(err.Error(), "must be one of") {
			t.Errorf("--provider=%s: %v", p, err)
		}
	}
}

// TestBackendFlags: each backend's flags reach its own Config, from the
// command line and from the environment, and only the chosen provider's
// settings are checked.
func TestBackendFlags(t *testing.T) {
	c, err := parse(t, []string{"--source=manifest", "--manifest-path=x", "--provider=rfc2136",
		"--rfc2136-host=ns1.example.com", "--rfc2136-zone=example.com", "--rfc2136-zone=example.org",
		"--rfc2136-tsig-keyname=k", "--rfc2136-axfr", "--pdns-server=http://pdns:8081",
		"--embedded-update-key=a:c2VjcmV0:x.example.com,y.example.com", "--embedded-update-key=b:c2VjcmV0:z.example.com",
		"--etcd-endpoints=http://etcd:2379", "--webhook-provider-url=http://sidecar:8888"},
		map[string]string{"EXTERNAL_DNS_RFC2136_TSIG_SECRET": "c2VjcmV0", "EXTERNAL_DNS_PDNS_API_KEY": "k3y"})
	if err != nil {
		t.Fatal(err)
	}
	if c.RFC2136.Host != "ns1.example.com" || len(c.RFC2136.Zones) != 2 || !c.RFC2136.TSIGAXFR || c.RFC2136.TSIGSecret.Reveal() != "c2VjcmV0" ||
		c.PDNS.Server != "http://pdns:8081" || c.PDNS.APIKey.Reveal() != "k3y" || c.CoreDNS.Endpoints[0] != "http://etcd:2379" ||
		c.Webhook.URL != "http://sidecar:8888" || len(c.Embedded.UpdateKeys) != 2 || !strings.Contains(c.Embedded.UpdateKeys[0], ",") {
		t.Errorf("backend settings: %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("valid rfc2136 settings rejected: %v", err)
	}
	// Another backend's bad setting is not an error while it is not chosen.
	c.PDNS.Server = "not a url"
	if err := c.Validate(); err != nil {
		t.Errorf("a pdns flag failed an rfc2136 run: %v", err)
	}
	c.Provider = "pdns"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "--pdns-server") {
		t.Errorf("pdns chosen: %v", err)
	}
	for _, p := range []string{"rfc2136", "pdns", "coredns", "webhook"} {
		if !strings.Contains(describe(providerChoices), p+" (") {
			t.Errorf("%s missing from the provider table", p)
		}
	}
}
