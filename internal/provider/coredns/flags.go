package coredns

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/exodns/exodns/internal/provider"
)

// Config is the provider's settings. Each field is one flag, named in its
// comment; upstream external-dns reads the same settings from ETCD_*
// variables, which FromUpstreamEnv takes when the flag is not set.
type Config struct {
	// Endpoints is --etcd-endpoints (ETCD_URLS): etcd client URLs, tried
	// in order.
	Endpoints []string
	// CAFile, CertFile, KeyFile are --etcd-ca-file, --etcd-cert-file,
	// --etcd-key-file (ETCD_CA_FILE, ETCD_CERT_FILE, ETCD_KEY_FILE).
	CAFile, CertFile, KeyFile string
	// TLSServerName is --etcd-tls-server-name (ETCD_TLS_SERVER_NAME).
	TLSServerName string
	// TLSInsecure is --etcd-tls-insecure (ETCD_TLS_INSECURE).
	TLSInsecure bool
	// Username and Password are --etcd-username and --etcd-password
	// (ETCD_USERNAME, ETCD_PASSWORD); PasswordFile is --etcd-password-file.
	Username     string
	Password     provider.Secret
	PasswordFile string
	// Prefix is --coredns-prefix: where the SkyDNS tree starts, as in
	// the etcd plugin's "path".
	Prefix string
	// Timeout bounds one etcd request (no flag).
	Timeout time.Duration
}

// DefaultConfig returns the flag defaults.
func DefaultConfig() Config {
	return Config{Prefix: "/skydns/", Timeout: 10 * time.Second}
}

// BindFlags declares the --etcd-* and --coredns-* flags on fs.
func (c *Config) BindFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&c.Endpoints, "etcd-endpoints", c.Endpoints, "etcd client URLs for --provider=coredns (repeatable; also ETCD_URLS, comma-separated); default http://localhost:2379")
	fs.StringVar(&c.CAFile, "etcd-ca-file", c.CAFile, "CA certificate file verifying etcd (also ETCD_CA_FILE)")
	fs.StringVar(&c.CertFile, "etcd-cert-file", c.CertFile, "Client certificate file for etcd (also ETCD_CERT_FILE)")
	fs.StringVar(&c.KeyFile, "etcd-key-file", c.KeyFile, "Key file of --etcd-cert-file (also ETCD_KEY_FILE)")
	fs.StringVar(&c.TLSServerName, "etcd-tls-server-name", c.TLSServerName, "Name etcd's certificate must carry (also ETCD_TLS_SERVER_NAME)")
	fs.BoolVar(&c.TLSInsecure, "etcd-tls-insecure", c.TLSInsecure, "Do not verify etcd's certificate (also ETCD_TLS_INSECURE)")
	fs.StringVar(&c.Username, "etcd-username", c.Username, "etcd user (also ETCD_USERNAME)")
	fs.StringVar((*string)(&c.Password), "etcd-password", string(c.Password), "etcd password; never logged (also ETCD_PASSWORD)")
	fs.StringVar(&c.PasswordFile, "etcd-password-file", c.PasswordFile, "File holding the etcd password")
	fs.StringVar(&c.Prefix, "coredns-prefix", c.Prefix, "etcd key prefix of the SkyDNS records, as the CoreDNS etcd plugin's path")
}

// FromUpstreamEnv fills settings the flags left empty from upstream's
// ETCD_* variables, read through lookup (os.LookupEnv).
func (c *Config) FromUpstreamEnv(lookup func(string) (string, bool)) {
	get := func(name string, dst *string) {
		if v, ok := lookup(name); ok && *dst == "" {
			*dst = strings.TrimSpace(v)
		}
	}
	if v, ok := lookup("ETCD_URLS"); ok && len(c.Endpoints) == 0 {
		for _, u := range strings.Split(v, ",") {
			if u = strings.TrimSpace(u); u != "" {
				c.Endpoints = append(c.Endpoints, u)
			}
		}
	}
	get("ETCD_CA_FILE", &c.CAFile)
	get("ETCD_CERT_FILE", &c.CertFile)
	get("ETCD_KEY_FILE", &c.KeyFile)
	get("ETCD_TLS_SERVER_NAME", &c.TLSServerName)
	get("ETCD_USERNAME", &c.Username)
	pw := string(c.Password)
	get("ETCD_PASSWORD", &pw)
	c.Password = provider.Secret(pw)
	if v, ok := lookup("ETCD_TLS_INSECURE"); ok && !c.TLSInsecure {
		c.TLSInsecure = strings.EqualFold(strings.TrimSpace(v), "true") || v == "1"
	}
}

// Validate reports settings that cannot work, reading the password file.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Endpoints) == 0 {
		c.Endpoints = []string{"http://localhost:2379"}
	}
	for _, e := range c.Endpoints {
		if u, err := url.Parse(e); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("--etcd-endpoints: %q is not an http(s) URL", e))
		}
	}
	if !strings.HasPrefix(c.Prefix, "/") {
		errs = append(errs, fmt.Errorf("--coredns-prefix %q must start with /", c.Prefix))
	}
	if !strings.HasSuffix(c.Prefix, "/") {
		c.Prefix += "/"
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		errs = append(errs, errors.New("--etcd-cert-file and --etcd-key-file go together"))
	}
	pw, err := provider.ReadSecret(c.Password, c.PasswordFile)
	if err != nil {
		errs = append(errs, fmt.Errorf("--etcd-password-file: %w", err))
	}
	c.Password, c.PasswordFile = pw, ""
	if c.Password != "" && c.Username == "" {
		errs = append(errs, errors.New("--etcd-password needs --etcd-username"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("coredns: %w", err)
	}
	return nil
}

func (c *Config) tlsConfig() (*tls.Config, error) {
	tc, err := provider.ClientTLS{CAFile: c.CAFile, CAFlag: "--etcd-ca-file", CertFile: c.CertFile, KeyFile: c.KeyFile,
		ServerName: c.TLSServerName, InsecureSkipVerify: c.TLSInsecure}.Config()
	if err != nil {
		return nil, fmt.Errorf("coredns: %w", err)
	}
	return tc, nil
}
