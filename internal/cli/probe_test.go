package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func clusterServer(t *testing.T, name string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("<p>This application is currently running on: <b>" + name + "</b></p>"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestProbeRoutingCommand(t *testing.T) {
	srv := clusterServer(t, "RKE2 Cluster")
	dir := t.TempDir()
	jsonPath, plotPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.svg")
	out, err := run(t, "probe", "routing", srv.URL+"/", "-n", "5", "--json", jsonPath, "--plot", plotPath)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"requests 5 of 5, answered 5, errors 0", "RKE2 Cluster                  5  100.00%",
		"wrote " + jsonPath, "wrote " + plotPath} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	var doc struct {
		Samples []map[string]any `json:"samples"`
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil || json.Unmarshal(data, &doc) != nil || len(doc.Samples) != 5 {
		t.Errorf("json %s: %v, %d samples", jsonPath, err, len(doc.Samples))
	}
	if svg, err := os.ReadFile(plotPath); err != nil || !bytes.Contains(svg, []byte(">RKE2 Cluster</text>")) {
		t.Errorf("plot %s: %v", plotPath, err)
	}
}

func TestProbeFlagErrors(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"probe", "routing", "http://x/", "--marker-header", "X-C", "--marker-regexp", "(a)"},
		{"probe", "routing", "http://x/", "--dns-server", "dns.example.com"},
		{"probe", "routing", "http://x/", "--plot", filepath.Join(dir, "r.pdf")},
		{"probe", "routing", "http://x/", "--json", filepath.Join(dir, "missing", "r.json")},
		{"probe", "routing", "ftp://x/"},
		{"probe", "routing", "http://x/", "-n", "0"},
		{"probe", "failover", "http://x/", "--interval", "0s"},
		{"probe", "failover"},
	} {
		if out, err := run(t, args...); err == nil {
			t.Errorf("%q: no error\n%s", args, out)
		}
	}
}

// cancelOn is the command's output; it ends the run (as Ctrl-C would,
// through the command's context) once the output shows want.
type cancelOn struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	want   string
	cancel context.CancelFunc
}

func (c *cancelOn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.buf.Write(p)
	if strings.Contains(c.buf.String(), c.want) {
		c.cancel()
	}
	return n, err
}

// TestProbeFailoverStopped: a run without a limit, stopped from outside,
// still prints its summary and writes its files.
func TestProbeFailoverStopped(t *testing.T) {
	srv := clusterServer(t, "east")
	dir := t.TempDir()
	jsonPath, plotPath := filepath.Join(dir, "f.json"), filepath.Join(dir, "f.png")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &cancelOn{want: "UP    east", cancel: cancel}
	cmd := NewRootCommand(BuildInfo{})
	cmd.SetOut(out)
	cmd.SetErr(out)
	cmd.SetArgs([]string{"probe", "failover", srv.URL + "/", "--checks", "0", "--interval", "10ms",
		"--json", jsonPath, "--plot", plotPath})
	if err := cmd.ExecuteContext(ctx); err != nil {
		t.Fatalf("%v\n%s", err, out.buf.String())
	}
	text := out.buf.String()
	for _, want := range []string{"== failover summary", "(interrupted)", "downtimes 0", "wrote " + jsonPath, "wrote " + plotPath} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	var doc struct {
		Interrupted bool `json:"interrupted"`
		Summary     struct {
			Checks, Up int
		} `json:"summary"`
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil || json.Unmarshal(data, &doc) != nil {
		t.Fatalf("json: %v", err)
	}
	if !doc.Interrupted || doc.Summary.Checks < 1 || doc.Summary.Up != doc.Summary.Checks {
		t.Errorf("json summary %+v, want interrupted with every check up", doc)
	}
	if st, err := os.Stat(plotPath); err != nil || st.Size() == 0 {
		t.Errorf("plot: %v", err)
	}
}
