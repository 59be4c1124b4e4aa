//go:build integration

package providers

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/exodns/exodns/test/harness"
)

// syncBuffer is a log written by a process and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// pipelineArgs are the flags of the full pipeline every test runs:
// manifest source, TXT registry with owner "ci", sync policy.
func pipelineArgs(manifests string) []string {
	return []string{"--source=manifest", "--manifest-path=" + manifests, "--manifest-settle-time=100ms",
		"--registry=txt", "--txt-owner-id=ci", "--policy=sync", "--domain-filter=example.test",
		"--managed-record-types=A,AAAA,CNAME,TXT", "--log-level=debug"}
}

// once runs one reconcile of exodns and returns its log; a failed run
// fails the test.
func once(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exodnsBin, append([]string{"--once", "--metrics-address="}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("exodns --once: %v\n%s", err, out)
	}
	return string(out)
}

// controller is exodns running as a controller, with its metrics served.
type controller struct {
	cmd     *exec.Cmd
	log     *syncBuffer
	metrics string
	done    chan struct{}
}

func startController(t *testing.T, env []string, args ...string) *controller {
	t.Helper()
	port := harness.FreePort(t)
	c := &controller{log: &syncBuffer{}, metrics: fmt.Sprintf("127.0.0.1:%d", port), done: make(chan struct{})}
	c.cmd = exec.Command(exodnsBin, append([]string{"--metrics-address=" + c.metrics}, args...)...)
	c.cmd.Env = append(os.Environ(), env...)
	c.cmd.Stdout, c.cmd.Stderr = c.log, c.log
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			_ = c.cmd.Process.Kill()
			<-c.done
		}
		if t.Failed() {
			t.Logf("exodns log:\n%s", tail(c.log.String(), 200))
		}
	})
	return c
}

func (c *controller) alive() bool {
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// metric returns the sum of a metric's samples whose labels contain
// every one of match (e.g. `result="error"`); -1 if it cannot be read.
func (c *controller) metric(name string, match ...string) float64 {
	resp, err := http.Get("http://" + c.metrics + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	sum, found := 0.0, false
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+" ") && !strings.HasPrefix(line, name+"{") {
			continue
		}
		ok := true
		for _, m := range match {
			ok = ok && strings.Contains(line, m)
		}
		if !ok {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err == nil {
			sum, found = sum+v, true
		}
	}
	if !found {
		return 0
	}
	return sum
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// writeManifest replaces the manifest folder's one file with content,
// atomically, as a GitOps checkout would.
func writeManifest(t *testing.T, dir, content string) {
	t.Helper()
	tmp := filepath.Join(dir, ".records.yaml.tmp")
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "records.yaml")); err != nil {
		t.Fatal(err)
	}
}
