package config

import (
	"time"

	"github.com/spf13/pflag"
)

// GSLB configures how the embedded server answers routed names: where
// clients are, where regions are, and how its health checks connect.
type GSLB struct {
	GeoIPDB          string
	GeoIPTable       string
	RegionsFile      string
	CheckVerifyTLS   bool
	CheckConcurrency int
	Peers            []string
	PeerRefresh      time.Duration
	DelegationZone   string
	DelegationNS     []string
}

// BindFlags registers the GSLB flags.
func (g *GSLB) BindFlags(fs *pflag.FlagSet) {
	fs.StringVar(&g.GeoIPDB, "geoip-db", g.GeoIPDB, "MMDB file (GeoLite2/GeoIP2 City layout) locating clients for latency and geolocation answers")
	fs.StringVar(&g.GeoIPTable, "geoip-table", g.GeoIPTable, "File of 'CIDR continent country [subdivision] [lat lon]' lines locating clients; checked before --geoip-db")
	fs.StringVar(&g.RegionsFile, "gslb-regions-file", g.RegionsFile, "File of 'region lat lon' lines placing aws-region values; merged over the built-in AWS regions")
	fs.BoolVar(&g.CheckVerifyTLS, "gslb-health-check-verify-tls", g.CheckVerifyTLS, "Verify certificates in https health checks (Route 53 does not)")
	fs.IntVar(&g.CheckConcurrency, "gslb-health-check-concurrency", g.CheckConcurrency, "Health checks running at once at most")
	fs.StringSliceVar(&g.Peers, "gslb-peer", g.Peers, "Another cluster's embedded server, name=host:port (repeatable): its records are pulled by zone transfer (TSIG: --embedded-tsig-key, shared) on NOTIFY and every --gslb-peer-refresh, and answered beside ours")
	fs.DurationVar(&g.PeerRefresh, "gslb-peer-refresh", g.PeerRefresh, "How often each peer is asked for changes without a NOTIFY")
	fs.StringVar(&g.DelegationZone, "gslb-delegation-zone", g.DelegationZone, "With --source=gslb-delegation: the GSLB zone to delegate from its parent")
	fs.StringSliceVar(&g.DelegationNS, "gslb-delegation-nameserver", g.DelegationNS, "With --source=gslb-delegation: a cluster's embedded server as name=ip (repeatable); written as NS and glue in the parent")
}
