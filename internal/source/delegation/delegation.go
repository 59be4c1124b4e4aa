// Package delegation is the source that writes a GSLB zone's delegation
// into its parent zone: NS records naming every cluster's embedded server,
// with their addresses as glue. Run an exodns with this source and the
// parent's provider (Route 53, or any other) beside the clusters, and the
// parent holds nothing but the delegation, as k8gb does it.
package delegation

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
)

// Server is one cluster's embedded server: its name and address.
type Server struct {
	Name string
	Addr netip.Addr
}

// ParseServer reads name=ip.
func ParseServer(s string) (Server, error) {
	name, ip, ok := strings.Cut(strings.TrimSpace(s), "=")
	if !ok {
		return Server{}, fmt.Errorf("delegation: %q: want name=ip", s)
	}
	n, err := endpoint.NormalizeName(name)
	if err != nil {
		return Server{}, fmt.Errorf("delegation: %q: %w", s, err)
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return Server{}, fmt.Errorf("delegation: %q: %w", s, err)
	}
	return Server{Name: n, Addr: a.Unmap()}, nil
}

// Source yields the delegation of Zone to Servers.
type Source struct {
	Zone    string
	Servers []Server
	TTL     endpoint.TTL
}

// Endpoints implements source.Source.
func (s *Source) Endpoints(context.Context) ([]*endpoint.Endpoint, error) {
	zone, err := endpoint.NormalizeName(s.Zone)
	if err != nil {
		return nil, fmt.Errorf("delegation: zone: %w", err)
	}
	if len(s.Servers) == 0 {
		return nil, fmt.Errorf("delegation: no name servers for %s", zone)
	}
	res := "gslb-delegation/default/" + zone
	ns := endpoint.New(zone, endpoint.RecordTypeNS).WithTTL(s.TTL).WithLabel(endpoint.ResourceLabel, res)
	var out []*endpoint.Endpoint
	glue := map[string]*endpoint.Endpoint{}
	for _, sv := range s.Servers {
		if !slices.Contains(ns.Targets, sv.Name) {
			ns.Targets = append(ns.Targets, sv.Name)
		}
		t := endpoint.RecordTypeA
		if sv.Addr.Is6() {
			t = endpoint.RecordTypeAAAA
		}
		k := sv.Name + "/" + t
		if glue[k] == nil {
			glue[k] = endpoint.New(sv.Name, t).WithTTL(s.TTL).WithLabel(endpoint.ResourceLabel, res)
			out = append(out, glue[k])
		}
		glue[k].Targets = append(glue[k].Targets, sv.Addr.String())
	}
	return append([]*endpoint.Endpoint{ns}, out...), nil
}

// AddEventHandler implements source.Source; flags never change.
func (s *Source) AddEventHandler(context.Context, func()) {}
