//go:build integration

package probe_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/exodns/exodns/internal/probe"

	"github.com/exodns/exodns/test/harness"
)

// TestFailoverSIGINT runs the real binary, stops the backend, and sends
// SIGINT while the service is down, as a person pressing Ctrl-C would. The
// summary must still be printed and the files written, the open downtime
// counted.
func TestFailoverSIGINT(t *testing.T) {
	a, _, port := startBackends(t)
	d := startDNS(t)
	d.set(func(d *dnsServer) { d.fixed = ipA })
	bin := harness.BuildExodns(t)
	dir := artifacts(t)
	jsonPath, plotPath := filepath.Join(dir, "failover-sigint.json"), filepath.Join(dir, "failover-sigint.svg")
	cmd := exec.Command(bin, "probe", "failover", fmt.Sprintf("http://%s:%d/", host, port), "--dns-server", d.addr,
		"--checks", "0", "--interval", "50ms", "--timeout", "300ms", "--json", jsonPath, "--plot", plotPath)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Bounded: if the process never prints what we wait for, kill it.
	killer := time.AfterFunc(60*time.Second, func() { _ = cmd.Process.Kill() })
	defer killer.Stop()

	var seen strings.Builder
	lines := bufio.NewScanner(stdout)
	waitFor := func(s string) {
		t.Helper()
		for lines.Scan() {
			seen.WriteString(lines.Text() + "\n")
			if strings.Contains(lines.Text(), s) {
				return
			}
		}
		t.Fatalf("the probe ended before printing %q:\n%s%s", s, seen.String(), stderr.String())
	}
	waitFor("UP    cluster-a")
	a.stop()
	waitFor("DOWN  refused")
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stdout)
	seen.Write(rest)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGINT: %v\n%s%s", err, seen.String(), stderr.String())
	}
	out := seen.String()
	t.Logf("\n%s", out)
	for _, want := range []string{"== failover summary", "(interrupted)", "downtimes 1:", "(still down at the stop)",
		"wrote " + jsonPath, "wrote " + plotPath} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	var res probe.FailoverResult
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || len(res.Downtimes) != 1 || !res.Downtimes[0].Open || res.Summary.Events != 1 ||
		res.Summary.TotalDowntimeMS <= 0 || res.Downtimes[0].TargetBefore != "cluster-a" {
		t.Errorf("after SIGINT: interrupted %v, downtimes %+v, summary %+v", res.Interrupted, res.Downtimes, res.Summary)
	}
	if st, err := os.Stat(plotPath); err != nil || st.Size() == 0 {
		t.Errorf("plot: %v", err)
	}
}
