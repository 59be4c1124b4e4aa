package source

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/exodns/exodns/internal/annotations"
	"github.com/exodns/exodns/internal/endpoint"
)

// Builder collects the records one object asks for and turns them into a
// Result: grouped by record set, labelled, normalised and sorted, with every
// invalid input reported as a Problem rather than failing the object.
type Builder struct {
	// Values are the object's annotations; AddHost applies their TTL, set
	// identifier and provider-specific properties.
	Values annotations.Values

	ref      ObjectRef
	resource string
	order    []endpoint.Key
	sets     map[endpoint.Key]*endpoint.Endpoint
	problems []Problem
	seen     map[string]bool
	// holdAll is set when an annotation of the object is invalid: then
	// none of its records can be trusted, so all of them only hold.
	holdAll bool
	held    []string
	// bare are hostnames asked for with no target at all.
	bare []string
	// EmptyReason says why a hostname may have no target, for the report
	// that says nothing is published for it (see Result).
	EmptyReason string
}

// NewBuilder returns a builder whose endpoints carry resource as their
// resource label and whose problems name ref.
func NewBuilder(ref ObjectRef, resource string) *Builder {
	return &Builder{
		ref:      ref,
		resource: resource,
		sets:     make(map[endpoint.Key]*endpoint.Endpoint),
		seen:     make(map[string]bool),
	}
}

// Report records an input that was skipped. Repeats are dropped, since one
// bad host in both an Ingress rule and its TLS section is one mistake.
func (b *Builder) Report(err error) {
	p := Problem{Object: b.ref, Err: err}
	if msg := p.Error(); !b.seen[msg] {
		b.seen[msg] = true
		b.problems = append(b.problems, p)
	}
}

// Hold asks that nothing changes at name: used when an input that would
// have produced records there is invalid, so the records that exist are
// kept rather than deleted. An invalid name holds nothing; nothing valid
// can exist under it.
func (b *Builder) Hold(name string) {
	if n, err := endpoint.NormalizeName(name); err == nil {
		b.held = append(b.held, n)
	}
}

// AddHost adds the address records for name: IPv4 targets as A, IPv6 as
// AAAA, anything else as CNAME, with the TTL, set identifier and
// provider-specific properties of the object's annotations.
func (b *Builder) AddHost(name string, targets []string) {
	if len(targets) == 0 {
		b.bare = append(b.bare, name)
		return
	}
	for _, ep := range EndpointsForTargets(name, targets) {
		b.addAnnotated(ep)
	}
}

// AddRecord adds one record of a given type with the annotation attributes,
// for records that are not plain addresses (such as NodePort SRV records).
func (b *Builder) AddRecord(name, recordType string, targets ...string) {
	b.addAnnotated(endpoint.New(name, recordType, targets...))
}

func (b *Builder) addAnnotated(ep *endpoint.Endpoint) {
	ep.RecordTTL = b.Values.TTL
	ep.SetIdentifier = b.Values.SetIdentifier
	ep.ProviderSpecific = slices.Clone(b.Values.ProviderSpecific)
	b.Add(ep)
}

// Add adds an endpoint as given, merging it into an earlier one of the same
// record set; the earlier one's TTL, labels and properties are kept. An
// endpoint whose name is invalid is reported and dropped here, so that its
// targets cannot spoil a valid set.
func (b *Builder) Add(ep *endpoint.Endpoint) {
	name, err := endpoint.NormalizeName(ep.DNSName)
	if err != nil {
		b.Report(err)
		return
	}
	key := endpoint.Key{
		DNSName:       name,
		RecordType:    strings.ToUpper(strings.TrimSpace(ep.RecordType)),
		SetIdentifier: ep.SetIdentifier,
	}
	if set, ok := b.sets[key]; ok {
		set.Targets = append(set.Targets, ep.Targets...)
		return
	}
	c := ep.DeepCopy()
	c.DNSName = name
	c.Labels.Set(endpoint.ResourceLabel, b.resource)
	b.sets[key] = c
	b.order = append(b.order, key)
}

// Result normalises every record set, reports the invalid ones, and returns
// the rest sorted by name, type and set identifier. Call it once, last.
func (b *Builder) Result() Result {
	var r Result
	for _, key := range b.order {
		ep := b.sets[key]
		if b.holdAll {
			b.held = append(b.held, key.DNSName)
			continue
		}
		if err := ep.Normalize(); err != nil {
			// The name is valid here; say which record set the bad
			// targets belong to.
			b.Report(fmt.Errorf("record %s: %w", key, err))
			b.held = append(b.held, key.DNSName)
			continue
		}
		sort.Strings(ep.Targets)
		r.Endpoints = append(r.Endpoints, ep)
	}
	slices.Sort(b.held)
	for _, name := range slices.Compact(b.held) {
		r.Endpoints = append(r.Endpoints, &endpoint.Endpoint{DNSName: name, Labels: endpoint.NewLabels(
			endpoint.ResourceLabel, b.resource,
			endpoint.HoldLabel, "invalid input of "+b.ref.String(),
		)})
	}
	SortEndpoints(r.Endpoints)
	r.Problems = b.problems
	if len(b.bare) > 0 {
		// Not an error (a load balancer takes a while to get an address),
		// but silence here leaves users guessing why nothing resolves.
		slices.Sort(b.bare)
		why := b.EmptyReason
		if why == "" {
			why = "no target is known and no target annotation is set"
		}
		r.Problems = append(r.Problems, Problem{Object: b.ref, Kind: NoRecords,
			Err: fmt.Errorf("nothing published for %s: %s", strings.Join(slices.Compact(b.bare), ", "), why)})
	}
	return r
}

// SortEndpoints orders endpoints by name, type and set identifier, so that
// results are stable across runs.
func SortEndpoints(eps []*endpoint.Endpoint) {
	sort.SliceStable(eps, func(i, j int) bool {
		a, b := eps[i], eps[j]
		if a.DNSName != b.DNSName {
			return a.DNSName < b.DNSName
		}
		if a.RecordType != b.RecordType {
			return a.RecordType < b.RecordType
		}
		return a.SetIdentifier < b.SetIdentifier
	})
}

// MergeEndpoints merges endpoints of the same record set from different
// objects, as upstream does when two Services ask for the same name: the
// targets are united and sorted, and the first endpoint's other fields
// (including its resource label) are kept. The inputs are not modified.
// Two objects asking for different CNAME targets merge into an invalid set
// on purpose: Normalize then reports the conflict instead of one object
// silently winning.
func MergeEndpoints(eps []*endpoint.Endpoint) []*endpoint.Endpoint {
	var out []*endpoint.Endpoint
	index := make(map[endpoint.Key]*endpoint.Endpoint)
	for _, ep := range eps {
		if m, ok := index[ep.Key()]; ok {
			for _, t := range ep.Targets {
				if !slices.Contains(m.Targets, t) {
					m.Targets = append(m.Targets, t)
				}
			}
			sort.Strings(m.Targets)
			continue
		}
		c := ep.DeepCopy()
		index[ep.Key()] = c
		out = append(out, c)
	}
	SortEndpoints(out)
	return out
}
