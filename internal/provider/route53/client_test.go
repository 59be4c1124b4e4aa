package route53

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/exodns/exodns/test/route53fake"
)

// isolateAWSEnv points every AWS setting at test-owned files, so no test
// reads the machine's credentials or reaches an instance metadata service.
func isolateAWSEnv(t *testing.T) string {
	dir := t.TempDir()
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	return dir
}

// fakeSTS answers AssumeRole and AssumeRoleWithWebIdentity with the given
// access key, and records the requests' form values.
type fakeSTS struct {
	mu    sync.Mutex
	key   string
	forms []map[string]string
}

func (s *fakeSTS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	form := map[string]string{}
	for k := range r.PostForm {
		form[k] = r.PostForm.Get(k)
	}
	s.mu.Lock()
	s.forms = append(s.forms, form)
	s.mu.Unlock()
	action := form["Action"]
	fmt.Fprintf(w, `<%[1]sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><%[1]sResult>
<Credentials><AccessKeyId>%[2]s</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken>
<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/dns/exodns</Arn><AssumedRoleId>AROA:exodns</AssumedRoleId></AssumedRoleUser>
</%[1]sResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></%[1]sResponse>`, action, s.key)
}

// zonesSeen returns the zone names each account's provider manages.
func zonesSeen(t *testing.T, cfg Config) map[string][]string {
	t.Helper()
	accounts, err := Clients(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, a := range accounts {
		p, err := New(cfg, Options{}, a)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.ensureZones(context.Background(), false); err != nil {
			t.Fatalf("account %s: %v", a.Name, err)
		}
		for _, z := range p.zones.all {
			out[a.Name] = append(out[a.Name], z.name)
		}
	}
	return out
}

// TestCredentialChain runs Clients against the fake with each way users
// give credentials; the fake tells accounts apart by access key, so each
// test sees the zones of the account its credentials name.
func TestCredentialChain(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: -1, StrictAccounts: true})
	e.fake.Account("AKIDENV").AddZone("env.example.com", false, nil)
	e.fake.Account("AKIDPROD").AddZone("prod.example.com", false, nil)
	e.fake.Account("AKIDDEV").AddZone("dev.example.com", false, nil)
	e.fake.Account("AKIDIRSA").AddZone("irsa.example.com", false, nil)
	e.fake.Account("AKIDROLE").AddZone("role.example.com", false, nil)
	sts := &fakeSTS{}
	stsSrv := httptest.NewServer(sts)
	t.Cleanup(stsSrv.Close)

	cases := []struct {
		name  string
		setup func(t *testing.T, dir string, cfg *Config)
		want  map[string][]string
	}{
		{"environment", func(t *testing.T, _ string, _ *Config) {
			t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
		}, map[string][]string{"default": {"env.example.com"}}},
		{"shared credentials file, two profiles", func(t *testing.T, dir string, cfg *Config) {
			writeFile(t, filepath.Join(dir, "creds"), "[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = s\n\n[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s\n")
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "creds"))
			cfg.Profiles = []string{"prod", "dev"}
		}, map[string][]string{"prod": {"prod.example.com"}, "dev": {"dev.example.com"}}},
		{"web identity (IRSA)", func(t *testing.T, dir string, _ *Config) {
			sts.key = "AKIDIRSA"
			writeFile(t, filepath.Join(dir, "token"), "eyJhbGciOi.fake.token")
			t.Setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/exodns")
			t.Setenv("AWS_WEB_IDENTITY_TOKEN_FILE", filepath.Join(dir, "token"))
			t.Setenv("AWS_ENDPOINT_URL_STS", stsSrv.URL)
		}, map[string][]string{"default": {"irsa.example.com"}}},
		{"assume role with external id", func(t *testing.T, _ string, cfg *Config) {
			sts.key = "AKIDROLE"
			t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
			t.Setenv("AWS_ENDPOINT_URL_STS", stsSrv.URL)
			cfg.AssumeRole = "arn:aws:iam::123456789012:role/dns"
			cfg.AssumeRoleExternalID = "ext-42"
		}, map[string][]string{"default": {"role.example.com"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := isolateAWSEnv(t)
			cfg := testConfig()
			cfg.APIRateLimit = 0
			cfg.Endpoint = e.url
			tc.setup(t, dir, &cfg)
			got := zonesSeen(t, cfg)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("zones = %v, want %v", got, tc.want)
			}
		})
	}
	sts.mu.Lock()
	defer sts.mu.Unlock()
	var actions []string
	for _, f := range sts.forms {
		actions = append(actions, f["Action"])
		if f["Action"] == "AssumeRole" && (f["ExternalId"] != "ext-42" || f["RoleArn"] != "arn:aws:iam::123456789012:role/dns") {
			t.Errorf("AssumeRole form = %v", f)
		}
	}
	if strings.Join(actions, ",") != "AssumeRoleWithWebIdentity,AssumeRole" {
		t.Errorf("STS calls = %v", actions)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
