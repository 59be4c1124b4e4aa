package embedded

import (
	"time"

	"github.com/spf13/pflag"
)

// Config is the embedded server's settings (the --embedded-* flags). The
// CLI parses and checks each with the dnsserver package's parsers.
type Config struct {
	Zone        []string
	Listen      string
	DB          string
	TSIGKey     string
	NegativeTTL uint32
	Nameservers []string
	// UpdateKeys are the TSIG keys that may send RFC 2136 updates, each
	// limited to names (see dnsserver.ParseUpdateKey).
	UpdateKeys []string
	// The server's defences and answer order.
	DBOnCorrupt                string
	RRsetOrder                 string
	NotifyAllow                []string
	CookieSecret               string
	RRLResponsesPerSecond      int
	RRLSlip                    int
	RRLIPv4Prefix              int
	RRLIPv6Prefix              int
	RRLWindow                  int
	TCPMaxConnections          int
	TCPMaxConnectionsPerClient int
	TCPIdleTimeout             time.Duration
	// UDPSockets is how many UDP sockets (and read loops) share the port;
	// 0 lets the server choose (dnsserver.Config.UDPReaders).
	UDPSockets int
}

// DefaultConfig returns the flag defaults.
func DefaultConfig() Config {
	return Config{
		Listen:      "127.0.0.1:5353",
		NegativeTTL: 60,
		DBOnCorrupt: "move-aside",
		RRsetOrder:  "cyclic",
		// RRL on, with BIND's usual settings; 0 responses/s turns it off.
		RRLResponsesPerSecond:      5,
		RRLSlip:                    2,
		RRLIPv4Prefix:              24,
		RRLIPv6Prefix:              56,
		RRLWindow:                  15,
		TCPMaxConnections:          256,
		TCPMaxConnectionsPerClient: 16,
		TCPIdleTimeout:             8 * time.Second,
	}
}

// BindFlags declares the --embedded-* flags on fs, writing into c; the
// defaults are c's values.
func (c *Config) BindFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&c.Zone, "embedded-zone", c.Zone, "Zone the embedded server is authoritative for (repeatable)")
	fs.StringVar(&c.Listen, "embedded-listen", c.Listen, "UDP and TCP address the embedded server answers on")
	fs.StringVar(&c.DB, "embedded-db", c.DB, "bbolt file holding the embedded server's records; empty means $XDG_DATA_HOME/exodns/embedded.db; :memory: keeps them in memory only")
	fs.StringVar(&c.TSIGKey, "embedded-tsig-key", c.TSIGKey, "TSIG key (name:secret, name:algorithm:secret) allowed to transfer zones (AXFR); without it transfers are refused")
	fs.StringArrayVar(&c.UpdateKeys, "embedded-update-key", c.UpdateKeys, "TSIG key allowed to send RFC 2136 updates, and where: name:[algorithm:]secret:subtree[,subtree...] (repeatable); a subtree is a name and everything below it, *.name only what is below; never a name holding exodns's records")
	fs.Uint32Var(&c.NegativeTTL, "embedded-negative-ttl", c.NegativeTTL, "SOA minimum: how long resolvers cache NXDOMAIN and NODATA, in seconds")
	fs.StringSliceVar(&c.Nameservers, "embedded-nameserver", c.Nameservers, "Apex NS names (repeatable); the first is the SOA MNAME; default ns1.<zone>")
	fs.StringVar(&c.DBOnCorrupt, "embedded-db-on-corrupt", c.DBOnCorrupt, "What to do with a corrupt --embedded-db: move-aside (rename to <file>.corrupt-<time>, log, start empty; records come back from the sources) or fail")
	fs.StringVar(&c.RRsetOrder, "embedded-rrset-order", c.RRsetOrder, "Order of records within an RRset in answers: fixed, cyclic or random")
	fs.StringSliceVar(&c.NotifyAllow, "embedded-notify-allow", c.NotifyAllow, "CIDR allowed to send NOTIFY (repeatable); others are REFUSED")
	fs.StringVar(&c.CookieSecret, "embedded-cookie-secret", c.CookieSecret, "DNS cookie secret, 32 hex digits (share it across an anycast set); empty means random per start")
	fs.IntVar(&c.RRLResponsesPerSecond, "embedded-rrl-responses-per-second", c.RRLResponsesPerSecond, "Response rate limit: identical UDP responses per client prefix per second; 0 disables")
	fs.IntVar(&c.RRLSlip, "embedded-rrl-slip", c.RRLSlip, "Every Nth rate-limited response is sent truncated (TC) instead of dropped; 0 drops all")
	fs.IntVar(&c.RRLIPv4Prefix, "embedded-rrl-ipv4-prefix", c.RRLIPv4Prefix, "IPv4 prefix length that groups clients for rate limiting")
	fs.IntVar(&c.RRLIPv6Prefix, "embedded-rrl-ipv6-prefix", c.RRLIPv6Prefix, "IPv6 prefix length that groups clients for rate limiting")
	fs.IntVar(&c.RRLWindow, "embedded-rrl-window", c.RRLWindow, "Seconds of excess a client prefix is held to account for")
	fs.IntVar(&c.TCPMaxConnections, "embedded-tcp-max-connections", c.TCPMaxConnections, "Open TCP connections at most; when full, the one idle longest is closed for a new one")
	fs.IntVar(&c.TCPMaxConnectionsPerClient, "embedded-tcp-max-connections-per-client", c.TCPMaxConnectionsPerClient, "Open TCP connections per client address (/64 for IPv6)")
	fs.DurationVar(&c.TCPIdleTimeout, "embedded-tcp-idle-timeout", c.TCPIdleTimeout, "How long a TCP connection may wait between queries")
	fs.IntVar(&c.UDPSockets, "embedded-udp-sockets", c.UDPSockets, "UDP sockets sharing the port, each with its own read loop; 0 means half the CPUs (GOMAXPROCS), at least one. More answer more queries/s at a higher CPU cost per query")
}
