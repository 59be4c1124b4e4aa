package dnsendpoint

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/source"
)

// ResourceLabel returns the resource label of a DNSEndpoint's records.
// Upstream writes "crd/<namespace>/<name>" into ownership TXT records
// whatever the kind, and exodns must read and write the same value to take
// over those records unchanged.
func ResourceLabel(namespace, name string) string {
	return "crd/" + namespace + "/" + name
}

// Endpoints returns the records a DNSEndpoint lists. Each entry is checked on
// its own: an invalid one is reported with its index and skipped, and the
// others still come out. Labels and provider-specific properties are kept
// as given, plus the resource label. The apiVersion and kind are not
// checked here; see Matches.
func Endpoints(obj *DNSEndpoint, opts source.Options) source.Result {
	if obj == nil || !opts.Selects(obj.Labels, obj.Annotations) {
		return source.Result{}
	}
	apiVersion, kind := obj.APIVersion, obj.Kind
	if apiVersion == "" && kind == "" {
		apiVersion, kind = APIVersionKind(opts)
	}
	ref := source.NewObjectRef(apiVersion, kind, &obj.ObjectMeta)
	b := source.NewBuilder(ref, ResourceLabel(obj.Namespace, obj.Name))
	for i, spec := range obj.Spec.Endpoints {
		eps, err := entryEndpoints(spec, opts)
		if err != nil {
			b.Report(atIndex(i, err))
			b.Hold(spec.DNSName)
			continue
		}
		for _, ep := range eps {
			if err := ep.Normalize(); err != nil {
				b.Report(atIndex(i, err))
				b.Hold(spec.DNSName)
				continue
			}
			b.Add(ep)
		}
	}
	return b.Result()
}

// entryEndpoints turns one entry into endpoints. --default-targets fill an
// address entry without targets, and with --force-default-targets replace
// its targets, as upstream does; the record type then follows the default
// targets. Other record types (TXT, MX, ...) are never given addresses.
func entryEndpoints(spec EndpointSpec, opts source.Options) ([]*endpoint.Endpoint, error) {
	targets := spec.Targets
	rt := strings.ToUpper(strings.TrimSpace(spec.RecordType))
	address := rt == "" || rt == endpoint.RecordTypeA || rt == endpoint.RecordTypeAAAA || rt == endpoint.RecordTypeCNAME
	if address && len(opts.DefaultTargets) > 0 && (len(targets) == 0 || opts.ForceDefaultTargets) {
		targets, rt = opts.DefaultTargets, ""
	}
	if len(targets) == 0 {
		return nil, &endpoint.ValidationError{Field: "targets", Reason: "a record needs at least one target"}
	}
	var eps []*endpoint.Endpoint
	if rt == "" {
		eps = source.EndpointsForTargets(spec.DNSName, targets)
	} else {
		eps = []*endpoint.Endpoint{endpoint.New(spec.DNSName, rt, slices.Clone(targets)...)}
	}
	if len(eps) == 0 {
		return nil, &endpoint.ValidationError{Field: "targets", Value: strings.Join(targets, ","), Reason: "a record needs at least one target"}
	}
	if spec.RecordTTL < 0 || spec.RecordTTL > endpoint.MaxTTL {
		return nil, &endpoint.ValidationError{Field: "recordTTL", Value: fmt.Sprint(spec.RecordTTL), Reason: "must be between 1 and 2147483647 seconds"}
	}
	for _, ep := range eps {
		ep.RecordTTL = endpoint.TTL(spec.RecordTTL)
		ep.SetIdentifier = spec.SetIdentifier
		ep.Labels = endpoint.LabelsFromMap(spec.Labels)
		ep.ProviderSpecific = slices.Clone(spec.ProviderSpecific)
	}
	return eps, nil
}

// specField maps the endpoint model's field names to the CRD's.
func specField(f string) string {
	switch f {
	case "hostname":
		return "dnsName"
	case "target":
		return "targets"
	case "ttl":
		return "recordTTL"
	}
	return f
}

// atIndex points a validation error at spec.endpoints[i], so the user
// knows which entry of a long list is wrong.
func atIndex(i int, err error) error {
	var ve *endpoint.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("spec.endpoints[%d]: %w", i, err)
	}
	return &endpoint.ValidationError{
		Field:  fmt.Sprintf("spec.endpoints[%d].%s", i, specField(ve.Field)),
		Value:  ve.Value,
		Reason: ve.Reason,
	}
}
