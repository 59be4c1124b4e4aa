package route53

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// The SDK's credential chain reports only its last link's failure, which
// is the EC2 instance metadata service: a missing credentials file shows
// up as "no EC2 IMDS role found", far from the mistake. The helpers here
// say what the chain tried, naming the files and the variables, so the
// user can see which one is wrong.

// explainedCredentials decorates a credential provider's errors with what
// the chain tried.
type explainedCredentials struct {
	inner   aws.CredentialsProvider
	profile string
}

func (c explainedCredentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := c.inner.Retrieve(ctx)
	if err != nil {
		return creds, fmt.Errorf("route53: no AWS credentials found%s; tried %s: %w", profileNote(c.profile), credentialSources(), err)
	}
	return creds, nil
}

// explainLoadError adds the files behind a named profile to the SDK's
// "failed to get shared config profile".
func explainLoadError(profile string, err error) error {
	var missing config.SharedConfigProfileNotExistError
	if errors.As(err, &missing) || strings.Contains(err.Error(), "shared config profile") {
		return fmt.Errorf("route53: AWS profile %q is in neither %s, nor %s; the other sources were %s: %w", profile,
			describeFile("the shared credentials file", "AWS_SHARED_CREDENTIALS_FILE", config.DefaultSharedCredentialsFilename()),
			describeFile("the shared config file", "AWS_CONFIG_FILE", config.DefaultSharedConfigFilename()),
			envSources(), err)
	}
	return fmt.Errorf("route53: loading AWS configuration%s: %w", profileNote(profile), err)
}

func profileNote(profile string) string {
	if profile == "" {
		if p := os.Getenv("AWS_PROFILE"); p != "" {
			return fmt.Sprintf(" for profile %q (AWS_PROFILE)", p)
		}
		return ""
	}
	return fmt.Sprintf(" for profile %q (--aws-profile)", profile)
}

// credentialSources lists the whole chain, in the SDK's order.
func credentialSources() string {
	return strings.Join([]string{
		envSources(),
		describeFile("the shared credentials file", "AWS_SHARED_CREDENTIALS_FILE", config.DefaultSharedCredentialsFilename()),
		describeFile("the shared config file", "AWS_CONFIG_FILE", config.DefaultSharedConfigFilename()),
		describeVars("web identity, as IRSA sets it", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"),
		describeVars("container credentials", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"),
		imdsSource(),
	}, "; ")
}

func envSources() string {
	return describeVars("the environment", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
}

// describeVars names variables and says which are set; their values may be
// secret and are never shown.
func describeVars(what string, vars ...string) string {
	var set, unset []string
	for _, v := range vars {
		if os.Getenv(v) != "" {
			set = append(set, v)
		} else {
			unset = append(unset, v)
		}
	}
	s := what + " ("
	if len(set) > 0 {
		s += strings.Join(set, ", ") + " set"
		if len(unset) > 0 {
			s += "; "
		}
	}
	if len(unset) > 0 {
		s += strings.Join(unset, ", ") + " not set"
	}
	return s + ")"
}

// describeFile names the file the SDK reads, where its name came from, and
// whether it exists.
func describeFile(what, envVar, def string) string {
	path, from := os.Getenv(envVar), envVar
	if path == "" {
		path, from = def, "the default; "+envVar+" not set"
	}
	state := "which exists"
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		state = "which does not exist"
	} else if err != nil {
		state = "which cannot be read: " + err.Error()
	}
	return fmt.Sprintf("%s %s (%s), %s", what, path, from, state)
}

func imdsSource() string {
	if strings.EqualFold(os.Getenv("AWS_EC2_METADATA_DISABLED"), "true") {
		return "EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)"
	}
	return "EC2 instance metadata"
}
