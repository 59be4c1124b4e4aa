// Package dynalite starts dynalite, an implementation of the DynamoDB API
// on LevelDB from the npm registry (installed by hack/dynalite.sh), for
// tests: in memory, on a free loopback port, stopped with the test. The
// unmodified aws-sdk-go-v2 DynamoDB client talks to it.
package dynalite

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Version is the dynalite release hack/dynalite.sh installs.
const Version = "4.0.0"

// Module returns dynalite's module folder: EXODNS_DYNALITE, or where
// hack/dynalite.sh installs it in the cache. Empty when it is not there.
func Module() string {
	if m := os.Getenv("EXODNS_DYNALITE"); m != "" {
		return m
	}
	cache := os.Getenv("EXODNS_CACHE")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		cache = filepath.Join(home, ".cache", "exodns")
	}
	m := filepath.Join(cache, "dynalite-"+Version, "node_modules", "dynalite")
	if _, err := os.Stat(filepath.Join(m, "package.json")); err != nil {
		return ""
	}
	return m
}

// Server is a running dynalite behind a proxy that counts the calls.
type Server struct {
	// URL is the endpoint to give the SDK (BaseEndpoint).
	URL string

	mu    sync.Mutex
	calls map[string]int
}

// launcher listens on a free loopback port, prints it, and exits when its
// standard input closes, which happens when the test binary ends.
const launcher = `
const dynalite = require(process.argv[1]);
const server = dynalite({createTableMs: Number(process.argv[2]), deleteTableMs: 0, updateTableMs: 0});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`

// Options tune the server.
type Options struct {
	// CreateTableMs is how long a new table stays CREATING (dynalite's
	// default is 500).
	CreateTableMs int
}

// Start runs dynalite for the test. Without dynalite the test is skipped,
// or fails when CI=true: CI installs it (hack/dynalite.sh).
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	mod := Module()
	if mod == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("dynalite is not installed: run hack/dynalite.sh (or set EXODNS_DYNALITE)")
		}
		tb.Skip("dynalite is not installed: run hack/dynalite.sh")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		tb.Fatalf("dynalite needs node: %v", err)
	}
	cmd := exec.Command(node, "-e", launcher, mod, fmt.Sprint(opts.CreateTableMs))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		tb.Fatalf("starting dynalite: %v", err)
	}
	tb.Cleanup(func() {
		_ = stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	port := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			port <- strings.TrimSpace(s.Text())
		}
		close(port)
		for s.Scan() {
		}
	}()
	var p string
	select {
	case p = <-port:
	case <-time.After(30 * time.Second):
		tb.Fatalf("dynalite did not start in 30s: %s", stderr.String())
	}
	if p == "" {
		tb.Fatalf("dynalite exited: %s", stderr.String())
	}
	target, _ := url.Parse("http://127.0.0.1:" + p)
	s := &Server{calls: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
		s.mu.Lock()
		s.calls[op]++
		s.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Calls returns the number of calls of one operation ("PutItem") so far.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// Counts returns every operation's calls so far.
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// Total returns all calls so far.
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.calls {
		n += v
	}
	return n
}

// Reset zeroes the counters.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.calls)
}

// Client returns an SDK client for the server with static credentials.
func (s *Server) Client() *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDDYNALITE", "secret", ""),
		BaseEndpoint: aws.String(s.URL),
	})
}

// WaitActive waits for a table to be ACTIVE, for tests that create tables
// themselves.
func WaitActive(ctx context.Context, c *dynamodb.Client, table string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if err == nil && out.Table.TableStatus == "ACTIVE" {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
