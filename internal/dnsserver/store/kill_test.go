package store

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

const helperEnv = "EXODNS_STORE_KILL_HELPER"

// TestKillHelper is not a test: run by TestSurvivesKill9 in a child process,
// it applies one batch, says so, and waits to be killed.
func TestKillHelper(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process only")
	}
	s, err := Open(path, []string{"example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(&plan.Changes{Create: []*endpoint.Endpoint{ep("k.example.com", "A", "192.0.2.1")}}); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("applied\n")
	time.Sleep(time.Minute)
}

func TestSurvivesKill9(t *testing.T) {
	if os.Getenv(helperEnv) != "" {
		t.Skip("in helper")
	}
	path := filepath.Join(t.TempDir(), "embedded.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "applied" {
				line <- sc.Text()
				return
			}
		}
		close(line)
	}()
	select {
	case l, ok := <-line:
		if !ok || l != "applied" {
			t.Fatal("helper did not apply")
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("helper timed out")
	}
	_ = cmd.Process.Kill() // SIGKILL: no deferred Close, no flush
	_ = cmd.Wait()

	s, err := Open(path, []string{"example.com"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	equal(t, s.Records(), []*endpoint.Endpoint{ep("k.example.com", "A", "192.0.2.1")})
}
