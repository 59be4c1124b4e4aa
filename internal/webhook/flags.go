package webhook

import "github.com/spf13/pflag"

// Config is the server's settings.
type Config struct {
	// Enabled is --webhook-server: the root command serves its provider
	// over the webhook protocol instead of running the controller, as
	// upstream's flag does (`exodns webhook` always does).
	Enabled bool
	// Listen is --webhook-server-listen: the provider API, on localhost
	// by convention (the client is a sidecar in the same pod).
	Listen string
	// HealthListen is --webhook-server-health-listen: /healthz and
	// /metrics, reachable by the kubelet and Prometheus.
	HealthListen string
}

// DefaultConfig returns the protocol's conventional addresses.
func DefaultConfig() Config {
	return Config{Listen: "localhost:8888", HealthListen: ":8080"}
}

// BindFlags declares the --webhook-server* flags on fs.
func (c *Config) BindFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&c.Enabled, "webhook-server", c.Enabled, "Serve the configured --provider over the webhook protocol instead of running the controller (as `exodns webhook`)")
	fs.StringVar(&c.Listen, "webhook-server-listen", c.Listen, "Address of the webhook provider API")
	fs.StringVar(&c.HealthListen, "webhook-server-health-listen", c.HealthListen, "Address serving the webhook server's /healthz and /metrics")
}
