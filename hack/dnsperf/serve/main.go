// Command serve is the exodns side of hack/dnsperf/run.sh. With -gen it
// writes the benchmark zone as a BIND zone file plus a dnsperf query file;
// otherwise it loads the same records into a store and serves them with
// dnsserver.Server until interrupted. One generator for both servers keeps
// the comparison fair.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"syscall"

	"github.com/exodns/exodns/internal/dnsserver"
	"github.com/exodns/exodns/internal/dnsserver/store"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

const zone = "bench.test"

func main() {
	gen := flag.String("gen", "", "write DIR/"+zone+".zone and DIR/queries.txt, then exit")
	n := flag.Int("n", 10000, "records in the zone")
	queries := flag.Int("queries", 100000, "lines in the query file")
	listen := flag.String("listen", "127.0.0.1:15354", "address to serve on")
	db := flag.String("db", "", "bbolt file to load the records into (default: memory)")
	readers := flag.Int("udp-readers", 0, "UDP sockets (default: the server's, half of GOMAXPROCS)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the serving time to this file")
	tsig := flag.String("tsig-key", "", "name:algorithm:secret allowing AXFR, for checks with dig -y")
	rrl := flag.Int("rrl-rate", 0, "response rate limit per client prefix per second (0: off); a huge rate measures RRL's cost without limiting")
	flag.Parse()

	var err error
	if *gen != "" {
		err = generate(*gen, *n, *queries)
	} else {
		err = serve(*listen, *db, *n, *readers, *cpuprofile, *tsig, *rrl)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

// records is the benchmark zone: mostly A records, one CNAME and one TXT in
// every twenty, and the name server's address, which BIND insists on.
func records(n int) []*endpoint.Endpoint {
	out := make([]*endpoint.Endpoint, 0, n+1)
	out = append(out, endpoint.New("ns1."+zone, "A", "127.0.0.1"))
	for i := range n {
		switch i % 20 {
		case 0:
			out = append(out, endpoint.New(fmt.Sprintf("alias%d.%s", i, zone), "CNAME", fmt.Sprintf("host%d.%s", i+1, zone)))
		case 10:
			out = append(out, endpoint.New(fmt.Sprintf("txt%d.%s", i, zone), "TXT", fmt.Sprintf("v=spf1 ip4:10.0.0.%d -all", i%250)))
		default:
			out = append(out, endpoint.New(fmt.Sprintf("host%d.%s", i, zone), "A", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)))
		}
	}
	return out
}

func generate(dir string, n, nq int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	zf, err := os.Create(filepath.Join(dir, zone+".zone"))
	if err != nil {
		return err
	}
	w := bufio.NewWriter(zf)
	fmt.Fprintf(w, "$TTL 300\n@ IN SOA ns1.%[1]s. hostmaster.%[1]s. ( 1 3600 600 86400 60 )\n  IN NS ns1.%[1]s.\n", zone)
	for _, e := range records(n) {
		t := e.Targets[0]
		switch e.RecordType {
		case "CNAME":
			t += "."
		case "TXT":
			t = `"` + t + `"`
		}
		fmt.Fprintf(w, "%s. IN %s %s\n", e.DNSName, e.RecordType, t)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := zf.Close(); err != nil {
		return err
	}

	qf, err := os.Create(filepath.Join(dir, "queries.txt"))
	if err != nil {
		return err
	}
	w = bufio.NewWriter(qf)
	r := rand.New(rand.NewPCG(1, 2)) // fixed seed: the same queries every run
	for range nq {
		i := r.IntN(n)
		switch p := r.IntN(100); {
		case p < 5:
			fmt.Fprintf(w, "missing%d.%s A\n", i, zone) // NXDOMAIN
		case p < 10:
			fmt.Fprintf(w, "host%d.%s AAAA\n", i|1, zone) // NODATA (odd i is never a CNAME/TXT slot)
		case i%20 == 0:
			fmt.Fprintf(w, "alias%d.%s A\n", i, zone)
		case i%20 == 10:
			fmt.Fprintf(w, "txt%d.%s TXT\n", i, zone)
		default:
			fmt.Fprintf(w, "host%d.%s A\n", i, zone)
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return qf.Close()
}

func serve(listen, db string, n, readers int, cpuprofile, tsig string, rrl int) error {
	st := store.NewMemory([]string{zone})
	if db != "" {
		var err error
		if st, err = store.Open(db, []string{zone}); err != nil {
			return err
		}
		defer st.Close()
	}
	a, err := dnsserver.NewAuthority(st, dnsserver.ZoneOptions{}, nil)
	if err != nil {
		return err
	}
	if len(st.Records()) == 0 {
		if err := a.Apply(context.Background(), &plan.Changes{Create: records(n)}); err != nil {
			return err
		}
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfg := dnsserver.Config{Listen: listen, UDPReaders: readers, Logger: log}
	if rrl > 0 {
		cfg.RRL = dnsserver.DefaultRRLConfig()
		cfg.RRL.ResponsesPerSecond = rrl
	}
	if tsig != "" {
		k, err := dnsserver.ParseTSIGKey(tsig)
		if err != nil {
			return err
		}
		cfg.TSIG = &k
	}
	srv, err := dnsserver.New(a, cfg, nil)
	if err != nil {
		return err
	}
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := srv.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	return srv.Shutdown(context.Background())
}
