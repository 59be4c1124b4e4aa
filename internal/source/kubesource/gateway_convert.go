package kubesource

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/source"
	"github.com/exodns/exodns/internal/source/gateway"
)

// routeInput is what the informers of a route source hold, each sorted by
// namespace and name.
type routeInput struct {
	routes, gateways, sets, namespaces []*unstructured.Unstructured
}

// convertRoutes decodes the objects, resolves the Gateways and ListenerSets
// once (rather than once per route that names them), converts every route
// and unites the targets of routes asking for one record set. Problems go
// to the reporter. An object that does not decode (the CRDs' schemas make
// that unlikely) is reported and makes the read incomplete: the names it
// would publish are unknown, so nothing may be deleted until it is fixed.
func convertRoutes(in routeInput, kind gateway.RouteKind, apiVersion string, opts gateway.Options, r source.Reporter) ([]*endpoint.Endpoint, error) {
	var unreadable []error
	bad := func(u *unstructured.Unstructured, kind string, err error) {
		ref := source.ObjectRef{APIVersion: u.GetAPIVersion(), Kind: kind, Namespace: u.GetNamespace(), Name: u.GetName(), UID: string(u.GetUID())}
		if ref.APIVersion == "" {
			ref.APIVersion = apiVersion
		}
		err = fmt.Errorf("kube: decoding: %w", err)
		report(r, []source.Problem{{Object: ref, Err: err}})
		unreadable = append(unreadable, fmt.Errorf("%s: %w", ref, err))
	}
	var gws []*gateway.Gateway
	for _, u := range in.gateways {
		g, err := gateway.GatewayFromUnstructured(u.Object)
		if err != nil {
			bad(u, gateway.KindGateway, err)
			continue
		}
		gws = append(gws, g)
	}
	var sets []*gateway.ListenerSet
	for _, u := range in.sets {
		ls, err := gateway.ListenerSetFromUnstructured(u.Object)
		if err != nil {
			bad(u, gateway.KindListenerSet, err)
			continue
		}
		sets = append(sets, ls)
	}
	nss := map[string]map[string]string{}
	for _, u := range in.namespaces {
		nss[u.GetName()] = u.GetLabels()
	}
	parents := gateway.NewParents(gws, sets, nss, opts)
	report(r, parents.Problems)

	var out []*endpoint.Endpoint
	for _, u := range in.routes {
		rt, err := gateway.RouteFromUnstructured(u.Object)
		if err != nil {
			bad(u, kind.Kind, err)
			continue
		}
		res := gateway.Endpoints(rt, kind, parents, opts)
		report(r, res.Problems)
		out = append(out, res.Endpoints...)
	}
	out = gateway.Union(out)
	if len(unreadable) > 0 {
		return out, &source.IncompleteError{Errs: unreadable}
	}
	return out, nil
}
