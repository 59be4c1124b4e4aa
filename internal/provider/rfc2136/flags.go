package rfc2136

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/spf13/pflag"

	"github.com/exodns/exodns/internal/provider"
)

// Config is the provider's settings; each field is one flag, named in its
// comment, with upstream external-dns's name.
type Config struct {
	// Host is --rfc2136-host: the primary server that takes updates and
	// transfers.
	Host string
	// Port is --rfc2136-port.
	Port int
	// Zones is --rfc2136-zone (repeatable): the zones managed.
	Zones []string
	// TSIGKeyName, TSIGSecret and TSIGSecretAlg are --rfc2136-tsig-keyname,
	// --rfc2136-tsig-secret (base64) and --rfc2136-tsig-secret-alg.
	// TSIGSecretFile (--rfc2136-tsig-secret-file, exodns only) reads the
	// secret from a file instead, such as a mounted Kubernetes Secret.
	TSIGKeyName    string
	TSIGSecret     provider.Secret
	TSIGSecretFile string
	TSIGSecretAlg  string
	// TSIGAXFR is --rfc2136-tsig-axfr (also --rfc2136-axfr): sign zone
	// transfers with the key too.
	TSIGAXFR bool
	// Insecure is --rfc2136-insecure: send updates unsigned.
	Insecure bool
	// MinTTL is --rfc2136-min-ttl: no record is written with a lower TTL.
	MinTTL time.Duration
	// BatchChangeSize is --rfc2136-batch-change-size: changes per UPDATE
	// message.
	BatchChangeSize int
	// Timeout bounds one transfer or update exchange (no flag).
	Timeout time.Duration
}

// DefaultConfig returns the flag defaults.
func DefaultConfig() Config {
	return Config{Port: 53, TSIGSecretAlg: "hmac-sha256", BatchChangeSize: 50, Timeout: 10 * time.Second}
}

// BindFlags declares the --rfc2136-* flags on fs, writing into c.
func (c *Config) BindFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.Host, "rfc2136-host", c.Host, "RFC 2136 server that takes updates and zone transfers")
	fs.IntVar(&c.Port, "rfc2136-port", c.Port, "Port of --rfc2136-host")
	fs.StringSliceVar(&c.Zones, "rfc2136-zone", c.Zones, "Zone managed on the RFC 2136 server (repeatable)")
	fs.StringVar(&c.TSIGKeyName, "rfc2136-tsig-keyname", c.TSIGKeyName, "TSIG key name signing updates (and transfers with --rfc2136-tsig-axfr)")
	fs.StringVar((*string)(&c.TSIGSecret), "rfc2136-tsig-secret", string(c.TSIGSecret), "TSIG secret, base64; never logged (prefer EXTERNAL_DNS_RFC2136_TSIG_SECRET or --rfc2136-tsig-secret-file)")
	fs.StringVar(&c.TSIGSecretFile, "rfc2136-tsig-secret-file", c.TSIGSecretFile, "File holding the TSIG secret, e.g. a mounted Secret")
	fs.StringVar(&c.TSIGSecretAlg, "rfc2136-tsig-secret-alg", c.TSIGSecretAlg, "TSIG algorithm: hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384 or hmac-sha512")
	fs.BoolVar(&c.TSIGAXFR, "rfc2136-tsig-axfr", c.TSIGAXFR, "Sign zone transfers (AXFR) with the TSIG key too")
	fs.BoolVar(&c.TSIGAXFR, "rfc2136-axfr", c.TSIGAXFR, "Same as --rfc2136-tsig-axfr")
	fs.BoolVar(&c.Insecure, "rfc2136-insecure", c.Insecure, "Send updates without TSIG")
	fs.DurationVar(&c.MinTTL, "rfc2136-min-ttl", c.MinTTL, "Lowest TTL written; lower ones are raised to it")
	fs.IntVar(&c.BatchChangeSize, "rfc2136-batch-change-size", c.BatchChangeSize, "Most changes in one UPDATE message")
}

// algorithms maps the names users write to the FQDNs TSIG carries. MD5 is
// left out (RFC 8945 section 6).
var algorithms = map[string]string{
	"hmac-sha1": dns.HmacSHA1, "hmac-sha224": dns.HmacSHA224, "hmac-sha256": dns.HmacSHA256,
	"hmac-sha384": dns.HmacSHA384, "hmac-sha512": dns.HmacSHA512,
}

func algorithm(name string) (string, bool) {
	a, ok := algorithms[strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))]
	return a, ok
}

// Validate reports settings that cannot work, reading the secret file.
// It never shows the secret.
func (c *Config) Validate() error {
	var errs []error
	if c.Host == "" {
		errs = append(errs, errors.New("--rfc2136-host is required"))
	}
	if c.Port < 1 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("--rfc2136-port %d is not a port", c.Port))
	}
	if len(c.Zones) == 0 {
		errs = append(errs, errors.New("--rfc2136-zone is required (repeatable)"))
	}
	if c.BatchChangeSize < 1 {
		errs = append(errs, errors.New("--rfc2136-batch-change-size must be at least 1"))
	}
	if c.MinTTL < 0 {
		errs = append(errs, errors.New("--rfc2136-min-ttl must not be negative"))
	}
	secret, err := provider.ReadSecret(c.TSIGSecret, c.TSIGSecretFile)
	if err != nil {
		errs = append(errs, fmt.Errorf("--rfc2136-tsig-secret-file: %w", err))
	}
	c.TSIGSecret, c.TSIGSecretFile = secret, ""
	if !c.Insecure {
		if c.TSIGKeyName == "" || c.TSIGSecret == "" {
			errs = append(errs, errors.New("--rfc2136-tsig-keyname and --rfc2136-tsig-secret are required, or --rfc2136-insecure"))
		}
		if _, err := base64.StdEncoding.DecodeString(c.TSIGSecret.Reveal()); err != nil {
			errs = append(errs, errors.New("--rfc2136-tsig-secret is not base64"))
		}
		if _, ok := algorithm(c.TSIGSecretAlg); !ok {
			errs = append(errs, fmt.Errorf("--rfc2136-tsig-secret-alg %q is not supported", c.TSIGSecretAlg))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("rfc2136: %w", err)
	}
	return nil
}
