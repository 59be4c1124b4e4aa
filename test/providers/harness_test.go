//go:build integration

// Package providers drives the exodns binary against real DNS servers:
// BIND over RFC 2136, PowerDNS over its API, CoreDNS reading etcd, and
// the webhook protocol both ways. The servers are started by
// hack/dns-servers.sh; CoreDNS is built by hack/coredns.sh (COREDNS_BIN).
// With CI=true a missing server is a failure, not a skip.
package providers

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/exodns/exodns/test/harness"
)

var (
	exodnsBin string
	repoRoot  string
)

func TestMain(m *testing.M) {
	_, file, _, _ := runtime.Caller(0)
	repoRoot = filepath.Join(filepath.Dir(file), "..", "..")
	dir, err := os.MkdirTemp("", "exodns-providers-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if exodnsBin, err = harness.Build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// eventually polls check every 50 ms until it returns "" (success) or
// within has passed; it fails with check's last word.
func eventually(t *testing.T, within time.Duration, what string, check func() string) time.Duration {
	t.Helper()
	begin := time.Now()
	for {
		msg := check()
		if msg == "" {
			return time.Since(begin)
		}
		if time.Since(begin) > within {
			t.Fatalf("%s: not within %s: %s", what, within, msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// daemon is a server process started from hack/dns-servers.sh's command,
// killed with the test binary if that dies first.
type daemon struct {
	t    *testing.T
	name string
	dir  string
	env  []string
	argv []string

	mu  sync.Mutex
	cmd *exec.Cmd
	log *bytes.Buffer
}

// newDaemon prepares server (bind, pdns, etcd, coredns) in a fresh folder
// with the given settings (KEY=value), and starts it.
func newDaemon(t *testing.T, server string, ready func() error, env ...string) *daemon {
	t.Helper()
	d := &daemon{t: t, name: server, dir: filepath.Join(t.TempDir(), server), env: env}
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(repoRoot, "hack", "dns-servers.sh"), "prepare", server, d.dir)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("prepare %s: %v\n%s", server, err, stderr)
	}
	d.argv = strings.Split(strings.TrimSpace(string(out)), "\n")
	return d.run(ready)
}

// newProcess starts argv as a daemon, without hack/dns-servers.sh.
func newProcess(t *testing.T, name string, ready func() error, env []string, argv ...string) *daemon {
	t.Helper()
	d := &daemon{t: t, name: name, dir: t.TempDir(), env: env, argv: argv}
	return d.run(ready)
}

func (d *daemon) run(ready func() error) *daemon {
	t, server := d.t, d.name
	t.Cleanup(func() {
		d.stop()
		if t.Failed() {
			d.mu.Lock()
			t.Logf("%s log:\n%s", server, tail(d.log.String(), 80))
			d.mu.Unlock()
		}
	})
	d.start(ready)
	return d
}

// start runs the server and waits, up to 20 s, until ready passes.
func (d *daemon) start(ready func() error) {
	d.t.Helper()
	d.mu.Lock()
	d.cmd = exec.Command(d.argv[0], d.argv[1:]...)
	d.cmd.Env = append(os.Environ(), d.env...)
	if d.log == nil {
		d.log = &bytes.Buffer{}
	}
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err := d.cmd.Start()
	d.mu.Unlock()
	if err != nil {
		d.t.Fatalf("start %s: %v", d.name, err)
	}
	var last error
	for range 400 {
		if last = ready(); last == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	d.t.Fatalf("%s not ready within 20 s: %v\n%s", d.name, last, d.log)
}

// stop ends the server with SIGTERM (SIGKILL after 5 s).
func (d *daemon) stop() { d.signal(syscall.SIGTERM) }

// kill ends the server at once, as a crash would.
func (d *daemon) kill() { d.signal(syscall.SIGKILL) }

func (d *daemon) signal(sig syscall.Signal) {
	d.mu.Lock()
	cmd := d.cmd
	d.cmd = nil
	d.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// run runs a command with a timeout and returns its combined output.
func run(t *testing.T, timeout time.Duration, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(out), err
}
