package cli

import (
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
)

func TestCgroupMemoryLimit(t *testing.T) {
	dir := t.TempDir()
	write := func(name, v string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name, value string
		want        int64
	}{
		{"v2", "268435456\n", 256 << 20},
		{"unlimited-v2", "max\n", 0},
		{"unlimited-v1", "9223372036854771712\n", 0},
		{"garbage", "lots", 0},
	} {
		if got := cgroupMemoryLimit([]string{write(c.name, c.value)}); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	if got := cgroupMemoryLimit([]string{filepath.Join(dir, "missing"), write("v1", "1048576")}); got != 1<<20 {
		t.Errorf("fallback to v1: %d", got)
	}
}

func TestSetGCPercent(t *testing.T) {
	for _, c := range []struct {
		name, env string
		want      int
	}{
		{"unset", "", defaultGCPercent},
		{"set by the user", "200", 0},
		{"off", "off", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("GOGC", c.env)
			prev := debug.SetGCPercent(100)
			defer debug.SetGCPercent(prev)
			if got := setGCPercent(slog.New(slog.DiscardHandler)); got != c.want {
				t.Errorf("setGCPercent %d, want %d", got, c.want)
			}
			want := 100
			if c.want != 0 {
				want = c.want
			}
			if got := debug.SetGCPercent(100); got != want {
				t.Errorf("GC percent %d, want %d", got, want)
			}
		})
	}
}

func TestSetMemProfileRate(t *testing.T) {
	defer func(r int) { runtime.MemProfileRate = r }(runtime.MemProfileRate)
	runtime.MemProfileRate = 512 * 1024
	if got := setMemProfileRate(true); got != 512*1024 {
		t.Fatalf("with pprof the rate is %d, want it left at 512 KiB", got)
	}
	if got := setMemProfileRate(false); got != 0 || runtime.MemProfileRate != 0 {
		t.Fatalf("without pprof the rate is %d, want 0 (no sampling)", got)
	}
}
