// Command cloudmapfake serves the in-repo AWS Cloud Map fake on a loopback
// address, so that the AWS CLI or exodns (--aws-sd-endpoint) can be
// pointed at it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/exodns/exodns/test/cloudmapfake"
)

type namespaceFlags []string

func (n *namespaceFlags) String() string { return strings.Join(*n, ",") }

func (n *namespaceFlags) Set(v string) error {
	name, kind, _ := strings.Cut(v, ":")
	if name == "" || (kind != "" && kind != "private" && kind != "public") {
		return fmt.Errorf("want NAME or NAME:private, got %q", v)
	}
	*n = append(*n, v)
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "cloudmapfake:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends, then prints the call counters. ready, when
// set, gets the address once requests are served.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready func(addr string)) error {
	fs := flag.NewFlagSet("cloudmapfake", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "loopback address to serve on")
	settle := fs.Int("settle-after", 0, "API calls an instance (de)registration stays PENDING")
	logRequests := fs.Bool("log-requests", false, "write one line per API call to stderr")
	var namespaces namespaceFlags
	fs.Var(&namespaces, "namespace", "DNS namespace to create, NAME or NAME:private (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--listen=%s: only loopback addresses are served", *listen)
	}
	opts := cloudmapfake.Options{SettleAfter: *settle}
	if *logRequests {
		opts.RequestLog = stderr
	}
	fake := cloudmapfake.New(opts)
	for _, n := range namespaces {
		name, kind, _ := strings.Cut(n, ":")
		id := fake.AddNamespace(name, kind == "private")
		fmt.Fprintf(stdout, "namespace %s %s\n", id, name)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "endpoint http://%s\n", ln.Addr())
	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case <-ctx.Done():
	case err := <-done:
		return err
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	counts, _ := json.Marshal(fake.Counts())
	fmt.Fprintf(stdout, "calls %s\n", counts)
	return nil
}
