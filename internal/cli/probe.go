package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/exodns/exodns/internal/probe"
)

// probeFlags are the flags both probes share.
type probeFlags struct {
	dnsServer    string
	markerHeader string
	markerRegexp string
	jsonFile     string
	plotFile     string
	interval     time.Duration
	timeout      time.Duration
	insecure     bool
	verbose      bool
}

func (f *probeFlags) bind(fs *pflag.FlagSet, interval, timeout time.Duration) {
	fs.StringVar(&f.dnsServer, "dns-server", "", "ask this DNS server (IP[:PORT], port 53 by default) instead of the system resolver")
	fs.StringVar(&f.markerHeader, "marker-header", "", "take the cluster's name from this response header")
	fs.StringVar(&f.markerRegexp, "marker-regexp", "", "take the cluster's name from the first capture group of this regexp in the body (default "+probe.DefaultMarkerRegexp+")")
	fs.StringVar(&f.jsonFile, "json", "", "write every sample and the summary to this JSON file")
	fs.StringVar(&f.plotFile, "plot", "", "draw a picture to this file (.svg or .png)")
	fs.DurationVar(&f.interval, "interval", interval, "time between the starts of two requests")
	fs.DurationVar(&f.timeout, "timeout", timeout, "time allowed for each request, DNS and HTTP together")
	fs.BoolVar(&f.insecure, "insecure", false, "accept any TLS certificate")
	fs.BoolVarP(&f.verbose, "verbose", "v", false, "print a line for every request")
}

// common turns the flags into the probe library's settings. It also checks
// the output files can be written, so a long run does not end in an error.
func (f *probeFlags) common(url string, out io.Writer) (probe.Common, error) {
	if f.plotFile != "" {
		if err := probe.CheckPlotPath(f.plotFile); err != nil {
			return probe.Common{}, err
		}
	}
	for _, p := range []string{f.jsonFile, f.plotFile} {
		if p == "" {
			continue
		}
		if st, err := os.Stat(filepath.Dir(p)); err != nil || !st.IsDir() {
			return probe.Common{}, fmt.Errorf("probe: cannot write %s: no folder %s", p, filepath.Dir(p))
		}
	}
	c := probe.Common{URL: url, Interval: f.interval, Timeout: f.timeout, Out: out, Verbose: f.verbose,
		Fetcher: probe.HTTPFetcher{Insecure: f.insecure}}
	if f.dnsServer != "" {
		r, err := probe.NewDNSResolver(f.dnsServer)
		if err != nil {
			return c, err
		}
		c.Resolver = r
	}
	m, err := probe.NewMarker(f.markerHeader, f.markerRegexp)
	c.Marker = m
	return c, err
}

// result is what both probes' results can do.
type result interface {
	WriteSummary(io.Writer) error
	WriteJSONFile(string) error
	Plot(string) error
}

// finish prints the summary and writes the files. It runs after Ctrl-C as
// well, so an interrupted run still leaves its summary behind.
func (f *probeFlags) finish(out io.Writer, r result) error {
	if err := r.WriteSummary(out); err != nil {
		return err
	}
	if f.jsonFile != "" {
		if err := r.WriteJSONFile(f.jsonFile); err != nil {
			return err
		}
		fmt.Fprintln(out, "wrote", f.jsonFile)
	}
	if f.plotFile != "" {
		if err := r.Plot(f.plotFile); err != nil {
			return err
		}
		fmt.Fprintln(out, "wrote", f.plotFile)
	}
	return nil
}

// interruptible returns a context that Ctrl-C or SIGTERM ends; the probe
// then stops and returns what it has. A second Ctrl-C is not caught, so it
// kills a run that is stuck writing its files.
func interruptible(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	return ctx, stop
}

func newProbeCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "probe",
		Short: "Measure where a name's traffic goes and how long a failover takes",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newProbeRoutingCommand(), newProbeFailoverCommand())
	return cmd
}

func newProbeRoutingCommand() *cobra.Command {
	var f probeFlags
	var n int
	cmd := &cobra.Command{
		Use:   "routing URL",
		Short: "Resolve and request URL N times and show which clusters answered",
		Long: "Each request resolves the URL's host afresh (never a cached answer), connects to the\n" +
			"address it got over a new connection, and notes the DNS time, the address, the HTTP time\n" +
			"and status, and the cluster named by the response. Ctrl-C stops early and still prints\n" +
			"the summary and writes the files.",
		Example: "  exodns probe routing http://app.example.com -n 1000 --dns-server 127.0.0.1:5353 --plot routing.svg",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			common, err := f.common(args[0], out)
			if err != nil {
				return err
			}
			ctx, stop := interruptible(cmd.Context())
			defer stop()
			res, err := probe.Routing(ctx, probe.RoutingConfig{Common: common, Requests: n})
			if err != nil {
				return err
			}
			return f.finish(out, res)
		},
	}
	cmd.Flags().IntVarP(&n, "requests", "n", 100, "how many requests to make")
	f.bind(cmd.Flags(), 0, 5*time.Second)
	return cmd
}

func newProbeFailoverCommand() *cobra.Command {
	var f probeFlags
	var checks, upCode int
	var duration time.Duration
	cmd := &cobra.Command{
		Use:   "failover URL",
		Short: "Check URL at a fixed interval and measure every downtime",
		Long: "Each check resolves the URL's host afresh and requests it over a new connection. A check\n" +
			"is up only when it gets --up-code; a DNS failure, a refused connection, a time-out or any\n" +
			"other status is down. State changes are printed as they happen. The run ends after\n" +
			"--checks checks or --duration, whichever comes first (--checks 0 without --duration runs\n" +
			"until Ctrl-C); Ctrl-C prints the summary and writes the files before exiting.",
		Example: "  exodns probe failover http://app.example.com --interval 250ms --duration 10m --json failover.json --plot failover.png",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			common, err := f.common(args[0], out)
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("duration") && !cmd.Flags().Changed("checks") {
				checks = 0 // the duration alone bounds the run
			}
			if checks < 0 || duration < 0 || f.interval <= 0 {
				return fmt.Errorf("probe: --checks and --duration must not be negative, --interval must be positive")
			}
			ctx, stop := interruptible(cmd.Context())
			defer stop()
			res, err := probe.Failover(ctx, probe.FailoverConfig{Common: common, Checks: checks,
				Duration: duration, UpCode: upCode})
			if err != nil {
				return err
			}
			return f.finish(out, res)
		},
	}
	cmd.Flags().IntVar(&checks, "checks", 150, "stop after this many checks (0: no limit)")
	cmd.Flags().DurationVar(&duration, "duration", 0, "stop after this long (0: no limit)")
	cmd.Flags().IntVar(&upCode, "up-code", 200, "the HTTP status that counts as up")
	f.bind(cmd.Flags(), 500*time.Millisecond, 3*time.Second)
	return cmd
}
