package webhook

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/spf13/pflag"
)

// Config is the client's settings; the flags are upstream's.
type Config struct {
	// URL is --webhook-provider-url: where the webhook server listens.
	URL string
	// ReadTimeout is --webhook-provider-read-timeout (GET requests);
	// WriteTimeout --webhook-provider-write-timeout (POST requests).
	ReadTimeout, WriteTimeout time.Duration
	// Attempts is how often a request is tried when the server answers
	// 5xx or cannot be reached, with exponential backoff (no flag;
	// upstream retries 5 times).
	Attempts int
	// Backoff is the first pause between two attempts (no flag).
	Backoff time.Duration
}

// DefaultConfig returns the flag defaults.
func DefaultConfig() Config {
	return Config{URL: "http://localhost:8888", ReadTimeout: 5 * time.Second, WriteTimeout: 10 * time.Second, Attempts: 6, Backoff: 250 * time.Millisecond}
}

// BindFlags declares the --webhook-provider-* flags on fs.
func (c *Config) BindFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.URL, "webhook-provider-url", c.URL, "URL of the webhook provider (--provider=webhook)")
	fs.DurationVar(&c.ReadTimeout, "webhook-provider-read-timeout", c.ReadTimeout, "Timeout of reads from the webhook provider")
	fs.DurationVar(&c.WriteTimeout, "webhook-provider-write-timeout", c.WriteTimeout, "Timeout of changes sent to the webhook provider")
}

// Validate reports settings that cannot work.
func (c *Config) Validate() error {
	var errs []error
	if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("--webhook-provider-url %q is not an http(s) URL", c.URL))
	}
	if c.ReadTimeout <= 0 || c.WriteTimeout <= 0 {
		errs = append(errs, errors.New("--webhook-provider-read-timeout and -write-timeout must be positive"))
	}
	if c.Attempts < 1 {
		c.Attempts = 1
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	return nil
}
