package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/exodns/exodns/test/route53fake"
)

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestCommandCountersAndLog runs the command with --log-requests, makes
// one SDK call, reads /_fake/calls, and stops it: the call is logged,
// counted over HTTP, and the counters are printed on the way out.
func TestCommandCountersAndLog(t *testing.T) {
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"--listen", "127.0.0.1:0", "--zone", "example.com", "--rate", "-1", "--log-requests"},
			&stdout, &stderr, func(a string) { addrs <- a })
	}()
	var addr string
	select {
	case addr = <-addrs:
	case err := <-errc:
		t.Fatalf("run: %v", err)
	}
	base := "http://" + addr
	client := route53.New(route53.Options{Region: "us-east-1", BaseEndpoint: aws.String(base),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDCMD", "secret", "")})
	if _, err := client.ListHostedZones(ctx, &route53.ListHostedZonesInput{}); err != nil {
		t.Fatal(err)
	}

	resp, err := http.Get(base + countsPath)
	if err != nil {
		t.Fatal(err)
	}
	var counts route53fake.Counts
	err = json.NewDecoder(resp.Body).Decode(&counts)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if counts.Operations["ListHostedZones"].Calls != 1 || counts.Total != 1 {
		t.Errorf("counters = %+v, want one ListHostedZones", counts)
	}
	if want := "ListHostedZones account=AKIDCMD result=ok\n"; stderr.String() != want {
		t.Errorf("request log = %q, want %q", stderr.String(), want)
	}

	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(stdout.String(), `calls {"total":1,"operations":{"ListHostedZones":{"calls":1,"throttled":0}}}`) {
		t.Errorf("stdout does not end with the counters:\n%s", stdout.String())
	}
}

func TestCommandRefusesNonLoopback(t *testing.T) {
	err := run(context.Background(), []string{"--listen", "0.0.0.0:0"}, &syncBuffer{}, &syncBuffer{}, nil)
	if err == nil || !strings.Contains(err.Error(), "only loopback") {
		t.Fatalf("err = %v", err)
	}
}
