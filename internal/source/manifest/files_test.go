package manifest

import (
	"context"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exodns/exodns/internal/source"
)

// clock lets a test say how long ago files were written: the source judges
// settling by the files' real change times against its own clock.
type clock struct{ ahead atomic.Int64 }

func (c *clock) now() time.Time { return time.Now().Add(time.Duration(c.ahead.Load())) }
func (c *clock) settle()        { c.ahead.Add(int64(time.Hour)) }
func newClocked(dir string, rep source.Reporter) (*Source, *clock) {
	s := New([]string{dir}, source.Options{}, rep, nil, 0)
	c := &clock{}
	s.now = c.now
	return s, c
}

func read(t *testing.T, s *Source) ([]string, error) {
	t.Helper()
	eps, err := s.Endpoints(context.Background())
	if _, inc := source.AsIncomplete(err); err != nil && !inc {
		t.Fatal(err)
	}
	return render(eps), err
}

var appRecord = []string{"app.example.com A 192.0.2.10 resource:service/default/app"}

// TestFilePromises replays what users do to a manifest file in place and
// checks what the source publishes at each step. Each step ran before this
// change deleted the live record of app.example.com.
func TestFilePromises(t *testing.T) {
	edited := strings.Replace(svcYAML, "192.0.2.10", "192.0.2.99", 1)
	tests := []struct {
		name  string
		write func(t *testing.T, path string)
		// during: what is published right after the write, before it
		// settled; after: once it has been left alone.
		during, after []string
		problem       string // a report after settling, when the file is bad
	}{
		{
			name: "sed -i with a YAML typo holds the names of the last good version",
			write: func(t *testing.T, p string) {
				overwrite(t, p, strings.Replace(svcYAML, "kind: Service", "kind: [Service", 1))
			},
			during: appRecord,
			after:  []string{"app.example.com HOLD"},
			// The report names the file and what is wrong.
			problem: "does not parse",
		},
		{
			name:   "cat > truncates first: the empty file is not trusted while it is written",
			write:  func(t *testing.T, p string) { overwrite(t, p, "") },
			during: appRecord,
			after:  nil, // left empty on purpose, it is trusted once settled
		},
		{
			name:   "a half-written file (cut inside a value) is not used until it settles",
			write:  func(t *testing.T, p string) { overwrite(t, p, svcYAML[:strings.Index(svcYAML, "example.com")+3]) },
			during: appRecord,
			after:  nil, // the cut left no status address: nothing to publish
		},
		{
			name:   "an edit applies once the file is left alone",
			write:  func(t *testing.T, p string) { overwrite(t, p, edited) },
			during: appRecord,
			after:  []string{"app.example.com A 192.0.2.99 resource:service/default/app"},
		},
		{
			name:   "a removed file keeps its records for the settle time",
			write:  func(t *testing.T, p string) { _ = os.Remove(p) },
			during: appRecord,
			after:  nil,
		},
		{
			name: "a field of the wrong shape is a broken file, held whole",
			write: func(t *testing.T, p string) {
				overwrite(t, p, strings.Replace(svcYAML, "type: LoadBalancer", "type: LoadBalancer\n  ports: 7", 1))
			},
			during:  appRecord,
			after:   []string{"app.example.com HOLD"},
			problem: "does not decode",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := write(t, dir, "svc.yaml", svcYAML)
			col := &collector{}
			s, clk := newClocked(dir, col)
			clk.settle()
			if got, err := read(t, s); !slices.Equal(got, appRecord) || err != nil {
				t.Fatalf("first read %v, %v", got, err)
			}
			clk.ahead.Store(0)
			tc.write(t, path)
			if got, err := read(t, s); !slices.Equal(got, tc.during) || err != nil {
				t.Fatalf("while being written: %v (%v), want %v", got, err, tc.during)
			}
			clk.settle()
			clk.settle()
			got, err := read(t, s)
			if err != nil || !slices.Equal(got, tc.after) {
				t.Fatalf("settled: %v (%v), want %v", got, err, tc.after)
			}
			found := tc.problem == ""
			for _, p := range col.problems {
				found = found || (strings.Contains(p.Error(), tc.problem) && strings.Contains(p.Error(), "svc.yaml"))
			}
			if !found {
				t.Errorf("no report mentions %q and the file: %v", tc.problem, col.problems)
			}
		})
	}
}

// TestBrokenFileThenFixed: a typo holds the names; fixing the file
// publishes its content again.
func TestBrokenFileThenFixed(t *testing.T) {
	dir := t.TempDir()
	path := write(t, dir, "svc.yaml", svcYAML)
	s, clk := newClocked(dir, nil)
	clk.settle()
	_, _ = read(t, s)
	overwrite(t, path, "kind: [")
	clk.settle()
	if got, _ := read(t, s); !slices.Equal(got, []string{"app.example.com HOLD"}) {
		t.Fatalf("broken: %v", got)
	}
	overwrite(t, path, strings.Replace(svcYAML, "192.0.2.10", "192.0.2.11", 1))
	clk.settle()
	if got, _ := read(t, s); !slices.Equal(got, []string{"app.example.com A 192.0.2.11 resource:service/default/app"}) {
		t.Fatalf("fixed: %v", got)
	}
}

// TestNeverParsedIsIncomplete: at start a file that does not parse (or is
// still being written) gives nothing to hold, so the read is incomplete:
// the controller then deletes nothing.
func TestNeverParsedIsIncomplete(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "good.yaml", dnsEndpointYAML)
	write(t, dir, "bad.yaml", "kind: [")
	s, clk := newClocked(dir, nil)
	clk.settle()
	got, err := read(t, s)
	if _, inc := source.AsIncomplete(err); !inc || !strings.Contains(err.Error(), "bad.yaml") {
		t.Fatalf("err = %v, want an incomplete read naming bad.yaml", err)
	}
	if !slices.Equal(got, []string{"api.example.com A 192.0.2.30 resource:crd/default/api"}) {
		t.Errorf("the good file must still count: %v", got)
	}
}

// TestStartWaitsForFilesBeingWritten: the first read must see every file,
// so a file written a moment before start is waited for, then used.
func TestStartWaitsForFilesBeingWritten(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "new.yaml", dnsEndpointYAML)
	s := New([]string{dir}, source.Options{}, nil, nil, 50*time.Millisecond)
	got, err := read(t, s)
	if err != nil || !slices.Equal(got, []string{"api.example.com A 192.0.2.30 resource:crd/default/api"}) {
		t.Fatalf("first read %v, %v", got, err)
	}
	// Later, a new file being written is left out until it settles, and
	// the read is complete: nothing it could name existed before.
	frozen := time.Now()
	s.now = func() time.Time { return frozen }
	write(t, dir, "later.yaml", svcYAML)
	got, err = read(t, s)
	if err != nil || len(got) != 1 {
		t.Fatalf("read while a new file is written: %v, %v", got, err)
	}
}

// TestHandlerCalledOnceAfterSettling: a burst of writes calls the handler
// once, after the file was left alone, not once per write.
func TestHandlerCalledOnceAfterSettling(t *testing.T) {
	dir := t.TempDir()
	path := write(t, dir, "svc.yaml", svcYAML)
	s := New([]string{dir}, source.Options{}, nil, nil, 100*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int32
	sawFinal := make(chan int32, 100)
	s.AddEventHandler(ctx, func() {
		n := calls.Add(1)
		if data, _ := os.ReadFile(path); strings.Contains(string(data), "# final") {
			sawFinal <- n
		}
	})
	for i := range 20 {
		overwrite(t, path, svcYAML+strings.Repeat("#\n", i))
	}
	waitFor(t, func() bool { return calls.Load() >= 1 })
	// One more write, told apart by its content: when its call comes, the
	// burst must have cost exactly one call before it.
	overwrite(t, path, svcYAML+"# final\n")
	select {
	case n := <-sawFinal:
		if n != 2 {
			t.Errorf("handler called %d times for a burst of 20 writes and one write, want 2", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("handler not called after the last write")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func overwrite(t *testing.T, path, content string) {
	t.Helper()
	// In place, like sed -i's final write or cat >: truncate, then write.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(content); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
