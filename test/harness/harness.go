// Package harness holds what the integration tests under test/ share:
// finding the programs they run, free loopback ports, and the exodns
// binary they start.
package harness

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Need returns the path of a program, skipping the test without it, but
// failing under CI (CI=true), where .ci/run must have installed it.
func Need(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed; .ci/run must install it", name)
		}
		t.Skipf("%s is not installed", name)
	}
	return p
}

// FreePort returns a port free for both TCP and UDP on every address
// given (127.0.0.1 when none is).
//
// The port is drawn from below the kernel's ephemeral range. A port the
// kernel handed out for ":0" is also one it hands to outgoing connections:
// between our check and the server's bind, a client connection of another
// test (an API server watch, a DNS query) can take it, and the server then
// fails with "address already in use". Below the range only another
// explicit bind can take it.
func FreePort(t testing.TB, ips ...string) int {
	t.Helper()
	if len(ips) == 0 {
		ips = []string{"127.0.0.1"}
	}
	lo, hi := portsBelowEphemeral()
	for range 200 {
		port := lo + rand.IntN(hi-lo)
		if free(port, ips) {
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

// portsBelowEphemeral returns [lo, hi): ports no outgoing connection uses.
func portsBelowEphemeral() (int, int) {
	const lo = 10000
	hi := 32768 // Linux's default start of ip_local_port_range
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				hi = n
			}
		}
	}
	if hi-lo < 1000 {
		return 1024, 1024 + 8000
	}
	return lo, hi
}

func free(port int, ips []string) bool {
	for _, ip := range ips {
		a := net.JoinHostPort(ip, fmt.Sprint(port))
		tl, err1 := net.Listen("tcp", a)
		ul, err2 := net.ListenPacket("udp", a)
		if tl != nil {
			tl.Close()
		}
		if ul != nil {
			ul.Close()
		}
		if err1 != nil || err2 != nil {
			return false
		}
	}
	return true
}

// Build builds the exodns command into dir and returns its path.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "exodns")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/exodns/exodns/cmd/exodns").CombinedOutput(); err != nil {
		return "", fmt.Errorf("building exodns: %v\n%s", err, out)
	}
	return bin, nil
}

// BuildExodns builds the exodns command for the test.
func BuildExodns(t testing.TB) string {
	t.Helper()
	bin, err := Build(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return bin
}
