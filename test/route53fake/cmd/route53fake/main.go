// Command route53fake serves the in-repo Route 53 fake on a loopback
// address so that the AWS CLI or a controller can be pointed at it with
// --endpoint-url / BaseEndpoint.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
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

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "route53fake:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("route53fake", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "loopback address to serve on")
	rate := fs.Float64("rate", route53fake.DefaultRate, "requests per second per account; negative disables throttling")
	burst := fs.Int("burst", 0, "token bucket size (default: rate rounded up)")
	inSync := fs.Int("insync-after", 0, "GetChange polls that report PENDING before INSYNC")
	var zones zoneFlags
	fs.Var(&zones, "zone", "hosted zone to create, NAME or NAME:private (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkLoopback(*listen); err != nil {
		return err
	}
	fake := route53fake.New(route53fake.Options{Rate: *rate, Burst: *burst, InSyncAfter: *inSync})
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Printf("endpoint http://%s\n", ln.Addr())
	for _, z := range zones {
		name, kind, _ := strings.Cut(z, ":")
		id := fake.AddZone(name, kind == "private", nil)
		fmt.Printf("zone /hostedzone/%s %s %s\n", id, name, map[bool]string{true: "private", false: "public"}[kind == "private"])
	}

	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
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
