package cli

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/config"
	"github.com/exodns/exodns/internal/dnsserver"
)

// TestEmbeddedServerConfig: the --embedded-* flags reach the server's
// Config, and bad values fail with the flag's name.
func TestEmbeddedServerConfig(t *testing.T) {
	cfg := config.Default()
	scfg, err := embeddedServerConfig(&cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if scfg.RRL != dnsserver.DefaultRRLConfig() || scfg.RRsetOrder != dnsserver.OrderCyclic ||
		scfg.MaxTCPConnections != 256 || scfg.MaxTCPConnectionsPerClient != 16 {
		t.Errorf("defaults: %+v", scfg)
	}
	cfg.Embedded.NotifyAllow = []string{"192.0.2.0/24", "2001:db8::1"}
	cfg.Embedded.CookieSecret = "e5e973e5a6b2a43f48e7dc849e37bfcf"
	cfg.Embedded.RRsetOrder = "random"
	if scfg, err = embeddedServerConfig(&cfg, nil); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(scfg.NotifyAllow, []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("2001:db8::1/128")}) ||
		len(scfg.CookieSecret) != 16 || scfg.RRsetOrder != dnsserver.OrderRandom {
		t.Errorf("parsed: %+v", scfg)
	}
	for flag, edit := range map[string]func(*config.Config){
		"--embedded-rrset-order":   func(c *config.Config) { c.Embedded.RRsetOrder = "sorted" },
		"--embedded-notify-allow":  func(c *config.Config) { c.Embedded.NotifyAllow = []string{"nowhere"} },
		"--embedded-cookie-secret": func(c *config.Config) { c.Embedded.CookieSecret = "abc" },
		"--embedded-rrl-*":         func(c *config.Config) { c.Embedded.RRLIPv4Prefix = 40 },
	} {
		c := config.Default()
		edit(&c)
		if _, err := embeddedServerConfig(&c, nil); err == nil || !strings.Contains(err.Error(), flag) {
			t.Errorf("%s: err = %v", flag, err)
		}
	}
}
