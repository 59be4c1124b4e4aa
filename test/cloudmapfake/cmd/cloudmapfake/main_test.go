package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

func TestServesAndReportsCalls(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out strings.Builder
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--namespace=example.com"}, &out, &out, func(a string) { addr <- a })
	}()
	a := <-addr
	req, _ := http.NewRequest(http.MethodPost, "http://"+a+"/", strings.NewReader(`{}`))
	req.Header.Set("X-Amz-Target", "Route53AutoNaming_v20170314.ListNamespaces")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "namespace ns-") || !strings.Contains(out.String(), `calls {"ListNamespaces":1}`) {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestRefusesNonLoopback(t *testing.T) {
	if err := run(context.Background(), []string{"--listen=0.0.0.0:0"}, &strings.Builder{}, &strings.Builder{}, nil); err == nil {
		t.Error("listened beyond loopback")
	}
}
