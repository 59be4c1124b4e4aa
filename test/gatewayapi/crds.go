// Package gatewayapi gives the integration tests the real Gateway API CRDs,
// read from the sigs.k8s.io/gateway-api module at the version go.mod pins
// (go.sum checks its content), instead of a copy kept in this repository
// that could drift or be edited by hand.
package gatewayapi

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Module is the Gateway API module; go.mod pins its version.
const Module = "sigs.k8s.io/gateway-api"

// crdFiles are the CRD files installed, by channel. Gateway API v1.6 serves every kind exodns reads
// as v1 in the standard channel. The TLS, TCP and UDP routes and the
// ListenerSet come from the experimental channel, which serves the same v1
// plus the alpha versions older clusters still have, so the tests run
// against the superset real clusters carry.
func crdFiles() map[string][]string {
	return map[string][]string{
		"standard": {
			"gateway.networking.k8s.io_gateways.yaml",
			"gateway.networking.k8s.io_httproutes.yaml",
			"gateway.networking.k8s.io_grpcroutes.yaml",
		},
		"experimental": {
			"gateway.networking.k8s.io_tlsroutes.yaml",
			"gateway.networking.k8s.io_tcproutes.yaml",
			"gateway.networking.k8s.io_udproutes.yaml",
			"gateway.networking.k8s.io_listenersets.yaml",
		},
	}
}

// CRDPaths returns the CRD files the tests install, from the module cache;
// `go mod download` fetches the module first when the cache lacks it. It
// must run inside this module, as tests do.
func CRDPaths() ([]string, error) {
	dir, err := moduleDir()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, channel := range []string{"standard", "experimental"} {
		for _, f := range crdFiles()[channel] {
			p := filepath.Join(dir, "config", "crd", channel, f)
			if _, err := os.Stat(p); err != nil {
				return nil, fmt.Errorf("gatewayapi: %w", err)
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// Version is the pinned version, as go.mod has it.
func Version() (string, error) {
	m, err := download()
	return m.Version, err
}

func moduleDir() (string, error) {
	m, err := download()
	return m.Dir, err
}

type module struct {
	Version, Dir, Error string
}

func download() (module, error) {
	var m module
	out, err := exec.Command("go", "mod", "download", "-json", Module).Output()
	if jerr := json.Unmarshal(out, &m); jerr != nil || err != nil || m.Error != "" || m.Dir == "" {
		return m, fmt.Errorf("gatewayapi: go mod download %s: %v %s %v", Module, err, m.Error, jerr)
	}
	return m, nil
}
