package dnsserver

import (
	"runtime"
	"testing"
)

func TestDefaultUDPReaders(t *testing.T) {
	for _, tc := range []struct{ procs, want int }{
		{0, 1}, {1, 1}, {2, 1}, {3, 2}, {4, 2}, {16, 8},
	} {
		if got := defaultUDPReaders(tc.procs); got != tc.want {
			t.Errorf("defaultUDPReaders(%d) = %d, want %d", tc.procs, got, tc.want)
		}
	}
}

// TestUDPReadersConfig: a number given is kept; none (or a negative one)
// gets the default.
func TestUDPReadersConfig(t *testing.T) {
	def := defaultUDPReaders(runtime.GOMAXPROCS(0))
	for _, tc := range []struct{ given, want int }{
		{0, def}, {-1, def}, {1, 1}, {3, 3},
	} {
		if got := (Config{UDPReaders: tc.given}).withDefaults().UDPReaders; got != tc.want {
			t.Errorf("UDPReaders %d: got %d, want %d", tc.given, got, tc.want)
		}
	}
}
