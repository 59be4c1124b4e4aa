package awssd

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	sd "github.com/aws/aws-sdk-go-v2/service/servicediscovery"
	sdtypes "github.com/aws/aws-sdk-go-v2/service/servicediscovery/types"
	"github.com/aws/smithy-go"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
)

// ApplyChanges deregisters first (deletes and the targets updates drop),
// then creates or updates services and registers instances, one record at
// a time. A record Cloud Map refuses (invalid input, a quota, a service of
// another record type) is reported in a provider.RefusedError and the rest
// goes on; any other error (throttling after retries, the network) stops.
// With --aws-sd-service-cleanup, services of ours left without instances
// are deleted.
func (p *Provider) ApplyChanges(ctx context.Context, changes *plan.Changes) error {
	if len(changes.UpdateOld) != len(changes.UpdateNew) {
		return fmt.Errorf("aws-sd: %d old and %d new records in the updates", len(changes.UpdateOld), len(changes.UpdateNew))
	}
	p.mu.Lock()
	v := p.view
	p.mu.Unlock()
	if v == nil {
		if _, err := p.Records(ctx); err != nil {
			return err
		}
		p.mu.Lock()
		v = p.view
		p.mu.Unlock()
	}
	a := &applier{p: p, v: v}
	for _, ep := range changes.Delete {
		a.do("delete", ep, func() error { return a.deregister(ctx, ep, ep.Targets) })
	}
	for i, ep := range changes.UpdateNew {
		old := changes.UpdateOld[i]
		a.do("update", ep, func() error {
			var gone []string
			for _, t := range old.Targets {
				if !slices.ContainsFunc(ep.Targets, func(n string) bool { return instanceID(n) == instanceID(t) }) {
					gone = append(gone, t)
				}
			}
			if err := a.deregister(ctx, old, gone); err != nil {
				return err
			}
			return a.publish(ctx, ep)
		})
	}
	for _, ep := range changes.Create {
		a.do("create", ep, func() error { return a.publish(ctx, ep) })
	}
	if a.abort == nil && p.cfg.ServiceCleanup {
		a.cleanup(ctx)
	}
	if a.abort != nil {
		if len(a.refused.Refused) > 0 {
			return errors.Join(a.abort, &a.refused)
		}
		return a.abort
	}
	if len(a.refused.Refused) > 0 {
		return &a.refused
	}
	return nil
}

type applier struct {
	p       *Provider
	v       *view
	refused provider.RefusedError
	abort   error
}

// do runs one record's change, sorting its error into a refusal or an
// abort.
func (a *applier) do(action string, ep *endpoint.Endpoint, f func() error) {
	if a.abort != nil {
		return
	}
	err := f()
	switch {
	case err == nil:
		a.refused.Applied++
	case refusal(err):
		a.refused.Refused = append(a.refused.Refused, provider.Refusal{Action: action, Endpoint: ep, Err: err})
	default:
		a.abort = err
	}
}

// refusal reports errors that concern one record only.
func refusal(err error) bool {
	if errors.Is(err, errRefused) {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "InvalidInput", "ResourceLimitExceeded", "DuplicateRequest", "ServiceAlreadyExists", "NamespaceNotFound", "ServiceNotFound", "ResourceInUse":
			return true
		}
	}
	return false
}

func (a *applier) service(ep *endpoint.Endpoint) (*service, *namespace, error) {
	name, ns := splitName(ep.DNSName)
	n := a.v.namespaces[ns]
	if n == nil {
		return nil, nil, fmt.Errorf("aws-sd: %s: no managed Cloud Map namespace %q (see --domain-filter, --aws-zone-type): %w", ep.DNSName, ns, errRefused)
	}
	return a.v.services[serviceKey(ns, name)], n, nil
}

// deregister removes the instances of targets; instances already gone
// count as removed.
func (a *applier) deregister(ctx context.Context, ep *endpoint.Endpoint, targets []string) error {
	s, _, err := a.service(ep)
	if err != nil || s == nil {
		return err // no service: nothing is registered
	}
	for _, t := range targets {
		id := instanceID(t)
		_, err := a.p.api.DeregisterInstance(ctx, &sd.DeregisterInstanceInput{ServiceId: aws.String(s.id), InstanceId: aws.String(id)})
		var missing *sdtypes.InstanceNotFound
		if err != nil && !errors.As(err, &missing) {
			return fmt.Errorf("aws-sd: DeregisterInstance %s from %s.%s: %w", id, s.name, s.namespace, err)
		}
		delete(s.instances, id)
	}
	return nil
}

// publish makes the service of ep match it (creating it when missing,
// updating its TTL and description) and registers every target.
func (a *applier) publish(ctx context.Context, ep *endpoint.Endpoint) error {
	if reason := unfit(ep); reason != "" {
		return fmt.Errorf("aws-sd: %s: %s: %w", ep.Key(), reason, errRefused)
	}
	s, ns, err := a.service(ep)
	if err != nil {
		return err
	}
	ttl := int64(defaultTTL)
	if ep.RecordTTL.IsConfigured() {
		ttl = int64(ep.RecordTTL)
	}
	want := serviceType(ep)
	description := ep.Labels.Get(DescriptionLabel)
	if s == nil {
		if s, err = a.create(ctx, ep, ns, want, ttl, description); err != nil {
			return err
		}
	} else {
		if theirs := ownerOf(s.description); theirs != "" && theirs != ownerOf(description) {
			return fmt.Errorf("aws-sd: %s: the Cloud Map service %s.%s belongs to owner %q: %w", ep.Key(), s.name, s.namespace, theirs, errRefused)
		}
		if !s.has(want) {
			return fmt.Errorf("aws-sd: %s: the Cloud Map service %s.%s holds %s records, and a service's record types can't change; delete the service (or its instances, with --aws-sd-service-cleanup) to publish a %s: %w",
				ep.Key(), s.name, s.namespace, typesOf(s), ep.RecordType, errRefused)
		}
		if ep.RecordType == endpoint.RecordTypeCNAME && want == sdtypes.RecordTypeA && s.routing != sdtypes.RoutingPolicyWeighted {
			return fmt.Errorf("aws-sd: %s: an alias to a load balancer needs a service with WEIGHTED routing; %s.%s routes %s: %w", ep.Key(), s.name, s.namespace, s.routing, errRefused)
		}
		if int64(s.ttl()) != ttl && ep.RecordTTL.IsConfigured() || s.description != description {
			if err := a.update(ctx, s, ttl, description); err != nil {
				return err
			}
		}
	}
	for _, t := range ep.Targets {
		id := instanceID(t)
		if _, err := a.p.api.RegisterInstance(ctx, &sd.RegisterInstanceInput{
			ServiceId: aws.String(s.id), InstanceId: aws.String(id), Attributes: attributes(ep, t),
		}); err != nil {
			return fmt.Errorf("aws-sd: RegisterInstance %s in %s.%s: %w", id, s.name, s.namespace, err)
		}
		s.instances[id] = t
	}
	return nil
}

func typesOf(s *service) string {
	var out []string
	for _, r := range s.records {
		out = append(out, string(r.Type))
	}
	return fmt.Sprint(out)
}

func (a *applier) create(ctx context.Context, ep *endpoint.Endpoint, ns *namespace, t sdtypes.RecordType, ttl int64, description string) (*service, error) {
	name, _ := splitName(ep.DNSName)
	out, err := a.p.api.CreateService(ctx, &sd.CreateServiceInput{
		Name:        aws.String(name),
		NamespaceId: aws.String(ns.id),
		Description: aws.String(description),
		DnsConfig: &sdtypes.DnsConfig{
			RoutingPolicy: routingPolicy(ep),
			DnsRecords:    []sdtypes.DnsRecord{{Type: t, TTL: aws.Int64(ttl)}},
		},
		Tags: a.p.tags,
	})
	if err != nil {
		return nil, fmt.Errorf("aws-sd: CreateService %s in %s: %w", name, ns.name, err)
	}
	s := &service{id: aws.ToString(out.Service.Id), name: name, namespace: ns.name, description: description,
		routing: routingPolicy(ep), records: []sdtypes.DnsRecord{{Type: t, TTL: aws.Int64(ttl)}}, instances: map[string]string{}}
	a.v.services[serviceKey(ns.name, name)] = s
	return s, nil
}

// update sets the TTL of every record type the service has (omitting one
// would delete it) and the description.
func (a *applier) update(ctx context.Context, s *service, ttl int64, description string) error {
	records := make([]sdtypes.DnsRecord, len(s.records))
	for i, r := range s.records {
		records[i] = sdtypes.DnsRecord{Type: r.Type, TTL: aws.Int64(ttl)}
	}
	if _, err := a.p.api.UpdateService(ctx, &sd.UpdateServiceInput{Id: aws.String(s.id), Service: &sdtypes.ServiceChange{
		Description: aws.String(description), DnsConfig: &sdtypes.DnsConfigChange{DnsRecords: records},
	}}); err != nil {
		return fmt.Errorf("aws-sd: UpdateService %s.%s: %w", s.name, s.namespace, err)
	}
	s.records, s.description = records, description
	return nil
}

// cleanup deletes services of ours without instances. Deregistration is
// asynchronous in Cloud Map: a service still in use now is tried again on
// a later run.
func (a *applier) cleanup(ctx context.Context) {
	for _, key := range sortedKeys(a.v.services) {
		s := a.v.services[key]
		if s.instances == nil || len(s.instances) > 0 || !s.owned(a.p.opts.OwnerID) {
			continue
		}
		_, err := a.p.api.DeleteService(ctx, &sd.DeleteServiceInput{Id: aws.String(s.id)})
		var inUse *sdtypes.ResourceInUse
		var gone *sdtypes.ServiceNotFound
		switch {
		case err == nil || errors.As(err, &gone):
			a.p.log.Info("deleted the empty Cloud Map service", "service", s.name+"."+s.namespace)
			delete(a.v.services, key)
		case errors.As(err, &inUse):
			a.p.log.Debug("empty Cloud Map service still in use; deleted on a later run", "service", s.name+"."+s.namespace)
		default:
			a.abort = fmt.Errorf("aws-sd: DeleteService %s.%s: %w", s.name, s.namespace, err)
			return
		}
	}
}
