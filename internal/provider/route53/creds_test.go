package route53

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exodns/exodns/test/route53fake"
)

// TestMissingCredentialsFileIsNamed points the SDK at a credentials file
// that does not exist. The error must name that file and the variables
// that were tried, not only the last link of the chain (instance
// metadata), which sends users looking in the wrong place.
func TestMissingCredentialsFileIsNamed(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: -1})
	cases := []struct {
		name    string
		profile string
	}{
		{"default chain", ""},
		{"named profile", "prod"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := isolateAWSEnv(t)
			missing := filepath.Join(dir, "no-such-credentials")
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", missing)
			cfg := testConfig()
			cfg.Endpoint = e.url
			if tc.profile != "" {
				cfg.Profiles = []string{tc.profile}
			}
			var err error
			accounts, err := Clients(context.Background(), cfg)
			if err == nil {
				var p *Provider
				if p, err = New(cfg, Options{}, accounts...); err != nil {
					t.Fatal(err)
				}
				err = p.ensureZones(context.Background(), false)
			}
			if err == nil {
				t.Fatal("no error without credentials")
			}
			msg := err.Error()
			t.Log(msg)
			for _, want := range []string{missing, "does not exist", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ACCESS_KEY_ID"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error does not mention %q", want)
				}
			}
			if tc.profile != "" && !strings.Contains(msg, `"prod"`) {
				t.Errorf("error does not name the profile")
			}
		})
	}
}
