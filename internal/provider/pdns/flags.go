package pdns

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/spf13/pflag"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/provider"
)

// Config is the provider's settings; each field is one flag, named in its
// comment, with upstream external-dns's names where it has them.
type Config struct {
	// Server is --pdns-server: the API's base URL.
	Server string
	// ServerID is --pdns-server-id.
	ServerID string
	// APIKey is --pdns-api-key; APIKeyFile (--pdns-api-key-file, exodns
	// only) reads it from a file instead.
	APIKey     provider.Secret
	APIKeyFile string
	// SkipTLSVerify is --pdns-skip-tls-verify.
	SkipTLSVerify bool
	// TLSCA, TLSClientCert and TLSClientCertKey are --tls-ca,
	// --tls-client-cert and --tls-client-cert-key, upstream's flags for
	// this API's TLS.
	TLSCA, TLSClientCert, TLSClientCertKey string
	// BatchChangeSize is --pdns-batch-change-size (exodns only): RRsets
	// in one PATCH.
	BatchChangeSize int
	// Timeout bounds one API request (no flag).
	Timeout time.Duration
	// DomainFilter picks the zones managed: the controller's filter flags,
	// set by the caller.
	DomainFilter endpoint.DomainFilter
}

// DefaultConfig returns the flag defaults.
func DefaultConfig() Config {
	return Config{Server: "http://localhost:8081", ServerID: "localhost", BatchChangeSize: 100, Timeout: 30 * time.Second}
}

// BindFlags declares the --pdns-* and --tls-* flags on fs, writing into c.
func (c *Config) BindFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.Server, "pdns-server", c.Server, "PowerDNS API base URL")
	fs.StringVar(&c.ServerID, "pdns-server-id", c.ServerID, "PowerDNS server id in the API paths")
	fs.StringVar((*string)(&c.APIKey), "pdns-api-key", string(c.APIKey), "PowerDNS API key; never logged (prefer EXTERNAL_DNS_PDNS_API_KEY or --pdns-api-key-file)")
	fs.StringVar(&c.APIKeyFile, "pdns-api-key-file", c.APIKeyFile, "File holding the PowerDNS API key, e.g. a mounted Secret")
	fs.BoolVar(&c.SkipTLSVerify, "pdns-skip-tls-verify", c.SkipTLSVerify, "Do not verify the PowerDNS API's certificate")
	fs.StringVar(&c.TLSCA, "tls-ca", c.TLSCA, "CA certificate file verifying the PowerDNS API")
	fs.StringVar(&c.TLSClientCert, "tls-client-cert", c.TLSClientCert, "Client certificate file for the PowerDNS API")
	fs.StringVar(&c.TLSClientCertKey, "tls-client-cert-key", c.TLSClientCertKey, "Key file of --tls-client-cert")
	fs.IntVar(&c.BatchChangeSize, "pdns-batch-change-size", c.BatchChangeSize, "Most RRsets in one PATCH of a zone")
}

// Validate reports settings that cannot work, reading the key file. It
// never shows the key.
func (c *Config) Validate() error {
	var errs []error
	if u, err := url.Parse(c.Server); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("--pdns-server %q is not an http(s) URL", c.Server))
	}
	if c.ServerID == "" {
		errs = append(errs, errors.New("--pdns-server-id must not be empty"))
	}
	key, err := provider.ReadSecret(c.APIKey, c.APIKeyFile)
	if err != nil {
		errs = append(errs, fmt.Errorf("--pdns-api-key-file: %w", err))
	}
	c.APIKey, c.APIKeyFile = key, ""
	if c.APIKey == "" {
		errs = append(errs, errors.New("--pdns-api-key is required"))
	}
	if c.BatchChangeSize < 1 {
		errs = append(errs, errors.New("--pdns-batch-change-size must be at least 1"))
	}
	if (c.TLSClientCert == "") != (c.TLSClientCertKey == "") {
		errs = append(errs, errors.New("--tls-client-cert and --tls-client-cert-key go together"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("pdns: %w", err)
	}
	return nil
}

// tlsConfig builds the client's TLS settings from the flags.
func (c *Config) tlsConfig() (*tls.Config, error) {
	tc, err := provider.ClientTLS{CAFile: c.TLSCA, CAFlag: "--tls-ca", CertFile: c.TLSClientCert, KeyFile: c.TLSClientCertKey,
		InsecureSkipVerify: c.SkipTLSVerify}.Config()
	if err != nil {
		return nil, fmt.Errorf("pdns: %w", err)
	}
	return tc, nil
}
