// Command route53fake serves the in-repo Route 53 fake on a loopback
// address so that the AWS CLI or a controller can be pointed at it with
// --endpoint-url / BaseEndpoint.
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

	"github.com/exodns/exodns/test/route53fake"
)

// zoneFlags collects repeated --zone NAME[:private] flags.
type zoneFlags []string

func (z *zoneFlags) String() string { return strings.Join(*z, ",") }

func (z *zoneFlags) Set(v string) error {
	name, kind, _ := strings.Cut(v, ":")
	if name == "" || (kind != "" && kind != "private" && kind != "public") {
		return fmt.Errorf("want NAME or NAME:private, got %q", v)
	}
	*z = append(*z, v)
	return nil
}

// countsPath serves the call counters as JSON, outside the API's
// /2013-04-01/ paths so no SDK request can collide with it.
const countsPath = "/_fake/calls"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "route53fake:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends, then prints the call counters to stdout.
// ready, when set, is told the listening address once requests are
// served; tests wait on it instead of sleeping.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready func(addr string)) error {
	fs := flag.NewFlagSet("route53fake", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "loopback address to serve on")
	rate := fs.Float64("rate", route53fake.DefaultRate, "requests per second per account; negative disables throttling")
	burst := fs.Int("burst", 0, "token bucket size (default: rate rounded up)")
	inSync := fs.Int("insync-after", 0, "GetChange polls that report PENDING before INSYNC")
	logRequests := fs.Bool("log-requests", false, "write one line per API call to stderr: operation, account, zone, changes, result")
	var zones zoneFlags
	fs.Var(&zones, "zone", "hosted zone to create, NAME or NAME:private (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkLoopback(*listen); err != nil {
		return err
	}
	opts := route53fake.Options{Rate: *rate, Burst: *burst, InSyncAfter: *inSync}
	if *logRequests {
		opts.RequestLog = stderr
	}
	fake := route53fake.New(opts)
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "endpoint http://%s\n", ln.Addr())
	fmt.Fprintf(stdout, "counters http://%s%s\n", ln.Addr(), countsPath)
	for _, z := range zones {
		name, kind, _ := strings.Cut(z, ":")
		id := fake.AddZone(name, kind == "private", nil)
		fmt.Fprintf(stdout, "zone /hostedzone/%s %s %s\n", id, name, map[bool]string{true: "private", false: "public"}[kind == "private"])
	}

	mux := http.NewServeMux()
	mux.Handle(countsPath, fake.CountsHandler())
	mux.Handle("/", fake)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if ready != nil {
		ready(ln.Addr().String())
	}
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	<-done
	// What the controller did, for the operator who just pressed Ctrl-C.
	out, err := json.Marshal(fake.Counts())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "calls %s\n", out)
	return nil
}

// checkLoopback refuses anything but a loopback address: the fake has no
// authentication worth the name and must not be reachable from elsewhere.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--listen %s: only loopback addresses are allowed", addr)
	}
	return nil
}
