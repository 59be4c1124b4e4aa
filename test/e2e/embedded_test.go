//go:build integration

// Package e2e drives the real exodns binary and queries it with the real
// dig, as a user would.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/exodns/exodns/test/harness"
)

type server struct {
	cmd *exec.Cmd
	log *bytes.Buffer
}

func start(t *testing.T, bin string, args ...string) *server {
	t.Helper()
	s := &server{cmd: exec.Command(bin, args...), log: &bytes.Buffer{}}
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
		if t.Failed() {
			t.Logf("exodns log:\n%s", s.log)
		}
	})
	return s
}

type digger struct {
	t    *testing.T
	dig  string
	port int
}

// query runs dig and returns its full output.
func (d digger) query(args ...string) string {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	all := append([]string{"@127.0.0.1", "-p", fmt.Sprint(d.port), "+time=1", "+tries=1"}, args...)
	out, _ := exec.CommandContext(ctx, d.dig, all...).CombinedOutput()
	return string(out)
}

func (d digger) short(args ...string) string {
	return strings.TrimSpace(d.query(append(args, "+short")...))
}

// eventually polls until check passes, returning how long it took.
func eventually(t *testing.T, within time.Duration, what string, check func() bool) time.Duration {
	t.Helper()
	begin := time.Now()
	for !check() {
		if time.Since(begin) > within {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(begin)
}

func copyExamples(t *testing.T, dir string) {
	t.Helper()
	files, _ := filepath.Glob("../../examples/*.yaml")
	if len(files) == 0 {
		t.Fatal("no examples")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEmbeddedServerWithDig(t *testing.T) {
	dig := harness.Need(t, "dig")
	bin := harness.BuildExodns(t)
	work := t.TempDir()
	manifests := filepath.Join(work, "examples")
	if err := os.Mkdir(manifests, 0o755); err != nil {
		t.Fatal(err)
	}
	copyExamples(t, manifests)
	port := harness.FreePort(t)
	db := filepath.Join(work, "embedded.db")
	args := func(path string, extra ...string) []string {
		return append([]string{"--source=manifest", "--manifest-path=" + path, "--provider=embedded",
			"--embedded-zone=example.com", fmt.Sprintf("--embedded-listen=127.0.0.1:%d", port),
			"--embedded-db=" + db, "--txt-owner-id=demo", "--metrics-address=",
			// The test polls one name 50 times a second from one address,
			// which response rate limiting would rightly throttle.
			"--embedded-rrl-responses-per-second=0"}, extra...)
	}
	d := digger{t: t, dig: dig, port: port}

	srv := start(t, bin, args(manifests, "--policy=sync")...)
	eventually(t, 10*time.Second, "A record from the Service", func() bool { return d.short("app.example.com", "A") == "192.0.2.10" })

	t.Run("answers are authoritative", func(t *testing.T) {
		out := d.query("app.example.com", "A")
		if !strings.Contains(out, "flags: qr aa") || !strings.Contains(out, "status: NOERROR") {
			t.Errorf("not an authoritative answer:\n%s", out)
		}
		if got := d.short("www.example.com"); got != "192.0.2.20" {
			t.Errorf("Ingress rule host = %q", got)
		}
		if got := d.short("secure.example.com"); got != "192.0.2.20" {
			t.Errorf("Ingress TLS host = %q", got)
		}
		if got := d.short("api.example.com"); got != "192.0.2.30\n192.0.2.31" && got != "192.0.2.31\n192.0.2.30" {
			t.Errorf("DNSEndpoint = %q", got)
		}
	})
	t.Run("ownership TXT", func(t *testing.T) {
		want := `"heritage=external-dns,external-dns/owner=demo,external-dns/resource=service/default/app"`
		if got := d.short("a-app.example.com", "TXT"); got != want {
			t.Errorf("TXT = %s, want %s", got, want)
		}
	})
	t.Run("NXDOMAIN with SOA", func(t *testing.T) {
		out := d.query("nope.example.com", "A")
		if !strings.Contains(out, "status: NXDOMAIN") || !strings.Contains(out, "SOA") {
			t.Errorf("want NXDOMAIN with SOA:\n%s", out)
		}
	})
	t.Run("manifest edit propagates within 1s", func(t *testing.T) {
		path := filepath.Join(manifests, "service.yaml")
		b, _ := os.ReadFile(path)
		if err := os.WriteFile(path, bytes.Replace(b, []byte("192.0.2.10"), []byte("192.0.2.99"), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		took := eventually(t, time.Second, "edited address answered", func() bool { return d.short("app.example.com") == "192.0.2.99" })
		t.Logf("edit answered after %s", took)
	})

	// kill -9: no shutdown, no flush. Then restart with no manifests and a
	// policy that never deletes, so every answer must come from the file.
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = srv.cmd.Wait()
	empty := filepath.Join(work, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	start(t, bin, args(empty, "--policy=upsert-only")...)
	t.Run("records survive SIGKILL and restart", func(t *testing.T) {
		eventually(t, 10*time.Second, "answer after restart", func() bool { return d.short("app.example.com") == "192.0.2.99" })
		if got := d.short("a-app.example.com", "TXT"); !strings.Contains(got, "owner=demo") {
			t.Errorf("ownership TXT after restart = %q", got)
		}
		if got := d.short("www.example.com"); got != "192.0.2.20" {
			t.Errorf("www after restart = %q", got)
		}
	})
}
