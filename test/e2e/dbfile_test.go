//go:build integration

package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exodns/exodns/test/harness"
)

// syncBuffer is a log buffer the test reads while the process writes it.
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

// TestEmbeddedDBCorruptAndLocked starts the real binary on a database file
// of random bytes: it must not panic, but move the file aside, say so, and
// answer the records the sources give it. A second exodns on the same
// file must stop with an error saying the file is locked by another
// process, and name it.
func TestEmbeddedDBCorruptAndLocked(t *testing.T) {
	dig := harness.Need(t, "dig")
	bin := harness.BuildExodns(t)
	work := t.TempDir()
	manifests := filepath.Join(work, "examples")
	if err := os.Mkdir(manifests, 0o755); err != nil {
		t.Fatal(err)
	}
	copyExamples(t, manifests)
	db := filepath.Join(work, "embedded.db")
	garbage := make([]byte, 64<<10)
	_, _ = rand.Read(garbage)
	if err := os.WriteFile(db, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	args := func(port int) []string {
		return []string{"--source=manifest", "--manifest-path=" + manifests, "--provider=embedded",
			"--embedded-zone=example.com", fmt.Sprintf("--embedded-listen=127.0.0.1:%d", port),
			"--embedded-db=" + db, "--txt-owner-id=demo", "--metrics-address=", "--policy=sync",
			"--embedded-rrl-responses-per-second=0"} // the test polls faster than RRL allows
	}

	port := harness.FreePort(t)
	first := exec.Command(bin, args(port)...)
	log := &syncBuffer{}
	first.Stdout, first.Stderr = log, log
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = first.Process.Kill()
		_ = first.Wait()
		if t.Failed() {
			t.Logf("first exodns log:\n%s", log)
		}
	})
	d := digger{t: t, dig: dig, port: port}
	eventually(t, 10*time.Second, "records re-derived after the corrupt file was moved aside",
		func() bool { return d.short("app.example.com", "A") == "192.0.2.10" })
	if out := log.String(); !strings.Contains(out, "DATABASE FILE CORRUPT") || strings.Contains(out, "panic") {
		t.Errorf("the move was not logged, or something panicked:\n%s", out)
	}
	aside, _ := filepath.Glob(db + ".corrupt-*")
	if len(aside) != 1 {
		t.Fatalf("corrupt file not kept beside the new one: %v", aside)
	}
	if kept, _ := os.ReadFile(aside[0]); !bytes.Equal(kept, garbage) {
		t.Error("the file moved aside is not the corrupt file")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args(harness.FreePort(t))...).CombinedOutput()
	if err == nil || ctx.Err() != nil {
		t.Fatalf("a second exodns on the same file: err=%v (ctx %v)\n%s", err, ctx.Err(), out)
	}
	if !strings.Contains(string(out), db+" is locked by another process") {
		t.Errorf("second exodns should say the file is locked and name it:\n%s", out)
	}
}
