package awssd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	sd "github.com/aws/aws-sdk-go-v2/service/servicediscovery"
	sdtypes "github.com/aws/aws-sdk-go-v2/service/servicediscovery/types"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/registry/txt"
)

// API is the part of the Cloud Map API the provider uses; *sd.Client
// implements it. These are the calls upstream's aws-sd provider makes, so
// the IAM policies upstream documents (ABAC included) keep working.
type API interface {
	ListNamespaces(context.Context, *sd.ListNamespacesInput, ...func(*sd.Options)) (*sd.ListNamespacesOutput, error)
	ListServices(context.Context, *sd.ListServicesInput, ...func(*sd.Options)) (*sd.ListServicesOutput, error)
	CreateService(context.Context, *sd.CreateServiceInput, ...func(*sd.Options)) (*sd.CreateServiceOutput, error)
	UpdateService(context.Context, *sd.UpdateServiceInput, ...func(*sd.Options)) (*sd.UpdateServiceOutput, error)
	DeleteService(context.Context, *sd.DeleteServiceInput, ...func(*sd.Options)) (*sd.DeleteServiceOutput, error)
	RegisterInstance(context.Context, *sd.RegisterInstanceInput, ...func(*sd.Options)) (*sd.RegisterInstanceOutput, error)
	DeregisterInstance(context.Context, *sd.DeregisterInstanceInput, ...func(*sd.Options)) (*sd.DeregisterInstanceOutput, error)
	DiscoverInstances(context.Context, *sd.DiscoverInstancesInput, ...func(*sd.Options)) (*sd.DiscoverInstancesOutput, error)
}

// Options are the provider's settings that are not its own flags.
type Options struct {
	// DomainFilter is --domain-filter and friends: namespaces whose name
	// it rejects are not managed.
	DomainFilter endpoint.DomainFilter
	// ZoneType is --aws-zone-type: "public", "private" or "" for both.
	ZoneType string
	// OwnerID is --txt-owner-id: --aws-sd-service-cleanup deletes only
	// services whose description names this owner.
	OwnerID string
	// Log receives the provider's logs; nil discards them.
	Log *slog.Logger
}

// Provider manages records as Cloud Map services and instances.
type Provider struct {
	api  API
	cfg  Config
	tags []sdtypes.Tag
	opts Options
	log  *slog.Logger
	mu   sync.Mutex
	view *view // as the last Records saw it, updated by ApplyChanges
}

var _ provider.Provider = (*Provider)(nil)

// New returns a provider talking to api.
func New(api API, cfg Config, opts Options) (*Provider, error) {
	tags, err := cfg.Tags()
	if err != nil {
		return nil, err
	}
	switch opts.ZoneType {
	case "", "public", "private":
	default:
		return nil, fmt.Errorf("aws-sd: --aws-zone-type must be public, private or empty, not %q", opts.ZoneType)
	}
	p := &Provider{api: api, cfg: cfg, opts: opts, log: opts.Log}
	if p.log == nil {
		p.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.tags = append(p.tags, sdtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return p, nil
}

// view is what the provider knows of Cloud Map.
type view struct {
	namespaces map[string]*namespace // by name
	services   map[string]*service   // by namespace name + "/" + lower-case service name
}

type namespace struct{ id, name string }

type service struct {
	id, name, namespace string
	description         string
	routing             sdtypes.RoutingPolicy
	records             []sdtypes.DnsRecord
	// instances maps instance IDs to their targets; nil when not read.
	instances map[string]string
	count     int32
}

func serviceKey(namespace, name string) string { return namespace + "/" + strings.ToLower(name) }

func (s *service) has(t sdtypes.RecordType) bool {
	for _, r := range s.records {
		if r.Type == t {
			return true
		}
	}
	return false
}

func (s *service) ttl() endpoint.TTL {
	if len(s.records) == 0 || s.records[0].TTL == nil {
		return 0
	}
	return endpoint.TTL(*s.records[0].TTL)
}

// owned reports whether the description names owner.
func (s *service) owned(owner string) bool {
	return owner != "" && ownerOf(s.description) == owner
}

// ownerOf reads the owner from a description written by a registry; ""
// when it names none.
func ownerOf(description string) string {
	labels, err := txt.ParseLabels(description)
	if err != nil {
		return ""
	}
	return labels.Get(endpoint.OwnerLabel)
}

// Records lists the managed namespaces, their services and the instances
// of each non-empty service: one record per service (per type, when a
// service holds A and AAAA instances), labelled with the description.
func (p *Provider) Records(ctx context.Context) ([]*endpoint.Endpoint, error) {
	v, err := p.load(ctx)
	if err != nil {
		return nil, err
	}
	var out []*endpoint.Endpoint
	for _, key := range sortedKeys(v.services) {
		s := v.services[key]
		if s.count == 0 {
			s.instances = map[string]string{}
			continue
		}
		res, err := p.api.DiscoverInstances(ctx, &sd.DiscoverInstancesInput{
			NamespaceName: aws.String(s.namespace), ServiceName: aws.String(s.name), MaxResults: aws.Int32(1000),
		})
		if err != nil {
			return nil, fmt.Errorf("aws-sd: DiscoverInstances %s.%s: %w", s.name, s.namespace, err)
		}
		s.instances = map[string]string{}
		byType := map[string]*endpoint.Endpoint{}
		var svcType sdtypes.RecordType
		if len(s.records) > 0 {
			svcType = s.records[0].Type
		}
		for _, inst := range res.Instances {
			rt, target, ok := recordOf(inst.Attributes, svcType)
			if !ok {
				p.log.Warn("ignoring a Cloud Map instance with no address", "service", s.name+"."+s.namespace, "instance", aws.ToString(inst.InstanceId))
				continue
			}
			s.instances[aws.ToString(inst.InstanceId)] = target
			ep := byType[rt]
			if ep == nil {
				ep = &endpoint.Endpoint{DNSName: s.name + "." + s.namespace, RecordType: rt, RecordTTL: s.ttl(),
					Labels: endpoint.NewLabels(DescriptionLabel, s.description)}
				byType[rt] = ep
			}
			ep.Targets = append(ep.Targets, target)
		}
		for _, rt := range []string{endpoint.RecordTypeA, endpoint.RecordTypeAAAA, endpoint.RecordTypeCNAME} {
			if ep := byType[rt]; ep != nil {
				sort.Strings(ep.Targets)
				out = append(out, ep)
			}
		}
	}
	p.mu.Lock()
	p.view = v
	p.mu.Unlock()
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// load lists the managed namespaces and their services.
func (p *Provider) load(ctx context.Context) (*view, error) {
	v := &view{namespaces: map[string]*namespace{}, services: map[string]*service{}}
	in := &sd.ListNamespacesInput{}
	switch p.opts.ZoneType {
	case "public":
		in.Filters = []sdtypes.NamespaceFilter{{Name: sdtypes.NamespaceFilterNameType, Values: []string{string(sdtypes.NamespaceTypeDnsPublic)}, Condition: sdtypes.FilterConditionEq}}
	case "private":
		in.Filters = []sdtypes.NamespaceFilter{{Name: sdtypes.NamespaceFilterNameType, Values: []string{string(sdtypes.NamespaceTypeDnsPrivate)}, Condition: sdtypes.FilterConditionEq}}
	}
	for pages := sd.NewListNamespacesPaginator(p.api, in); pages.HasMorePages(); {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("aws-sd: ListNamespaces: %w", err)
		}
		for _, ns := range out.Namespaces {
			name := strings.ToLower(strings.TrimSuffix(aws.ToString(ns.Name), "."))
			if ns.Type == sdtypes.NamespaceTypeHttp || !p.opts.DomainFilter.Match(name) {
				continue
			}
			v.namespaces[name] = &namespace{id: aws.ToString(ns.Id), name: name}
		}
	}
	for _, name := range sortedKeys(v.namespaces) {
		ns := v.namespaces[name]
		in := &sd.ListServicesInput{MaxResults: aws.Int32(100), Filters: []sdtypes.ServiceFilter{{
			Name: sdtypes.ServiceFilterNameNamespaceId, Values: []string{ns.id}, Condition: sdtypes.FilterConditionEq}}}
		for pages := sd.NewListServicesPaginator(p.api, in); pages.HasMorePages(); {
			out, err := pages.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("aws-sd: ListServices in %s: %w", ns.name, err)
			}
			for _, s := range out.Services {
				if s.DnsConfig == nil || len(s.DnsConfig.DnsRecords) == 0 {
					continue // an HTTP-only service holds no DNS record
				}
				sv := &service{id: aws.ToString(s.Id), name: aws.ToString(s.Name), namespace: ns.name,
					description: aws.ToString(s.Description), routing: s.DnsConfig.RoutingPolicy,
					records: s.DnsConfig.DnsRecords, count: aws.ToInt32(s.InstanceCount)}
				v.services[serviceKey(ns.name, sv.name)] = sv
			}
		}
	}
	return v, nil
}

// AdjustEndpoints gives records the TTL Cloud Map reports (300 unless
// set), and holds those Cloud Map cannot hold, with the reason.
func (p *Provider) AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	out := make([]*endpoint.Endpoint, len(eps))
	for i, ep := range eps {
		c := ep
		if reason := unfit(ep); reason != "" && !ep.Held() {
			c = ep.DeepCopy()
			c.WithLabel(endpoint.HoldLabel, "aws-sd: "+ep.Key().String()+": "+reason)
		} else if !ep.RecordTTL.IsConfigured() {
			c = ep.DeepCopy()
			c.RecordTTL = defaultTTL
		}
		out[i] = c
	}
	return out, nil
}

// errRefused marks errors that refuse one change only.
var errRefused = errors.New("refused")
