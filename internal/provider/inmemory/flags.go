package inmemory

import "github.com/spf13/pflag"

// Config is the inmemory provider's settings.
type Config struct {
	// Zones is --inmemory-zone (repeatable); none means the domain filter.
	Zones []string
}

// BindFlags declares the --inmemory-* flags on fs, writing into c.
func (c *Config) BindFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&c.Zones, "inmemory-zone", c.Zones, "Zone served by the inmemory provider (repeatable)")
}
