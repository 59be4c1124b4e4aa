package awsauth

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func isolate(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_PROFILE", "")
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		env     string // AWS_REGION
		opts    Options
		region  string
		wantErr string
	}{
		{"region from the environment", "eu-west-1", Options{}, "eu-west-1", ""},
		{"region option wins", "eu-west-1", Options{Region: "us-east-2"}, "us-east-2", ""},
		{"no region anywhere", "", Options{}, "", "no AWS region"},
		{"unknown profile", "eu-west-1", Options{Profile: "nope"}, "", `profile "nope"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			t.Setenv("AWS_REGION", tc.env)
			cfg, err := Load(context.Background(), tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || cfg.Region != tc.region {
				t.Fatalf("region %q, err %v; want %q", cfg.Region, err, tc.region)
			}
			if n := cfg.Retryer().MaxAttempts(); n != 1 {
				t.Errorf("attempts %d with APIRetries 0, want 1", n)
			}
		})
	}
}

func TestAssumeRole(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_REGION", "us-east-1")
	cfg, err := Load(context.Background(), Options{AssumeRole: "arn:aws:iam::123456789012:role/dns", APIRetries: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.Credentials.(*aws.CredentialsCache); !ok {
		t.Errorf("credentials %T, want the assumed role's cache", cfg.Credentials)
	}
	if n := cfg.Retryer().MaxAttempts(); n != 5 {
		t.Errorf("attempts %d, want 5", n)
	}
}
