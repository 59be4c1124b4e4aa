// Package kube connects exodns to a Kubernetes cluster: REST configuration,
// clients, informer factories with memory-saving transforms, the Events
// recorder and leader election. The sources that watch objects live in
// internal/source/kubesource and get everything they need from a Cluster.
package kube

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Config is the connection part of the configuration: --kubeconfig,
// --server, --kube-api-qps, --kube-api-burst, --kube-api-request-timeout and
// --namespace.
type Config struct {
	Kubeconfig     string
	Server         string
	QPS            float32
	Burst          int
	RequestTimeout time.Duration
	// Namespace scopes every namespaced informer; empty watches all.
	Namespace string
	// UserAgent names the client in API server logs and audit events;
	// empty means "exodns".
	UserAgent string
	// SlimObjects caches Services and Ingresses with only the fields the
	// service and ingress sources read (slim.go). Leave it off when
	// anything else reads them: an --fqdn-template may read any field.
	SlimObjects bool
}

// RESTConfig builds the client configuration the way upstream external-dns
// does, so existing deployments keep connecting the same way: an explicit
// --kubeconfig, else $HOME/.kube/config when it exists, else the in-cluster
// service account; --server overrides the address in every case.
func RESTConfig(c Config) (*rest.Config, error) {
	path := c.Kubeconfig
	if path == "" {
		if home, err := os.UserHomeDir(); err == nil {
			if p := filepath.Join(home, ".kube", "config"); fileExists(p) {
				path = p
			}
		}
	}
	var rc *rest.Config
	var err error
	if path == "" && c.Server == "" {
		rc, err = rest.InClusterConfig()
		if errors.Is(err, rest.ErrNotInCluster) {
			err = fmt.Errorf("no --kubeconfig, no $HOME/.kube/config and not running in a cluster: %w", err)
		}
	} else {
		rc, err = clientcmd.BuildConfigFromFlags(c.Server, path)
	}
	if err != nil {
		return nil, fmt.Errorf("kube: client configuration: %w", err)
	}
	Tune(rc, c)
	return rc, nil
}

// Tune applies the rate limits, timeout and user agent of c to rc. Zero
// values keep what rc has.
func Tune(rc *rest.Config, c Config) {
	if c.QPS > 0 {
		rc.QPS = c.QPS
	}
	if c.Burst > 0 {
		rc.Burst = c.Burst
	}
	if c.RequestTimeout > 0 {
		rc.Timeout = c.RequestTimeout
	}
	rc.UserAgent = c.UserAgent
	if rc.UserAgent == "" {
		rc.UserAgent = "exodns"
	}
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
