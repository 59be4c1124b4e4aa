package provider

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// Secret is a credential from a flag, the environment or a file (an API
// key, a TSIG secret). It prints as "[redacted]" in logs, errors and %v,
// so a configuration can be logged whole; Reveal gives the value to the
// one place that sends it.
type Secret string

// String hides the value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString hides the value from %#v too.
func (s Secret) GoString() string { return s.String() }

// LogValue hides the value from slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Reveal returns the value, for the request that carries it.
func (s Secret) Reveal() string { return string(s) }

// ReadSecret returns value, or else the contents of file (a mounted
// Kubernetes Secret), without surrounding whitespace. It is an error to
// set both. Errors name the file, never the value.
func ReadSecret(value Secret, file string) (Secret, error) {
	if file == "" {
		return value, nil
	}
	if value != "" {
		return "", fmt.Errorf("a secret and a secret file are both set; set one")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("secret file: %w", err)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("secret file %s is empty", file)
	}
	return Secret(s), nil
}
