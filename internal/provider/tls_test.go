package provider

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate and its key as PEM files.
func writeCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "exodns test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestClientTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeCert(t, dir)
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      ClientTLS
		wantErr string // "" for none
	}{
		{name: "system roots", in: ClientTLS{ServerName: "etcd.internal", InsecureSkipVerify: true}},
		{name: "own CA and client certificate", in: ClientTLS{CAFile: cert, CAFlag: "--x-ca", CertFile: cert, KeyFile: key}},
		{name: "missing CA file names its flag", in: ClientTLS{CAFile: filepath.Join(dir, "none.pem"), CAFlag: "--x-ca"}, wantErr: "--x-ca: open"},
		{name: "CA file without PEM", in: ClientTLS{CAFile: junk, CAFlag: "--x-ca"}, wantErr: "--x-ca " + junk + " holds no PEM certificate"},
		{name: "certificate without its key", in: ClientTLS{CertFile: cert, KeyFile: junk}, wantErr: "client certificate:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc, err := tt.in.Config()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.ServerName != tt.in.ServerName || tc.InsecureSkipVerify != tt.in.InsecureSkipVerify {
				t.Fatalf("server name %q insecure %v", tc.ServerName, tc.InsecureSkipVerify)
			}
			if (tc.RootCAs != nil) != (tt.in.CAFile != "") || len(tc.Certificates) != map[bool]int{true: 1}[tt.in.CertFile != ""] {
				t.Fatalf("roots %v, %d client certificates", tc.RootCAs != nil, len(tc.Certificates))
			}
		})
	}
}
