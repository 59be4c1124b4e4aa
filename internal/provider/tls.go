package provider

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// ClientTLS is the TLS a backend's client takes from its flags. The flag
// names go into errors, so a user sees which flag to fix.
type ClientTLS struct {
	CAFile, CAFlag     string // a PEM bundle to trust instead of the system's, and its flag
	CertFile, KeyFile  string // a client certificate and its key (both or neither)
	ServerName         string // checked against the certificate instead of the host
	InsecureSkipVerify bool
}

// Config builds the client's TLS settings.
func (c ClientTLS) Config() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.ServerName, InsecureSkipVerify: c.InsecureSkipVerify} //nolint:gosec // the user asked
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.CAFlag, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s %s holds no PEM certificate", c.CAFlag, c.CAFile)
		}
		tc.RootCAs = pool
	}
	if c.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}
