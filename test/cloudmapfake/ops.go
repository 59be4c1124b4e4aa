package cloudmapfake

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Messages marked [I] are the fake's own: AWS documents the error code but
// not its text.

type handler func(f *Fake, body []byte) (any, *APIError)

var handlers = map[string]handler{
	"ListNamespaces":           (*Fake).listNamespaces,
	"CreatePublicDnsNamespace": func(f *Fake, b []byte) (any, *APIError) { return f.createNamespace(b, "DNS_PUBLIC") },
	"CreatePrivateDnsNamespace": func(f *Fake, b []byte) (any, *APIError) {
		return f.createNamespace(b, "DNS_PRIVATE")
	},
	"DeleteNamespace":     (*Fake).deleteNamespace,
	"ListServices":        (*Fake).listServices,
	"GetService":          (*Fake).getService,
	"CreateService":       (*Fake).createService,
	"UpdateService":       (*Fake).updateService,
	"DeleteService":       (*Fake).deleteService,
	"RegisterInstance":    (*Fake).registerInstance,
	"DeregisterInstance":  (*Fake).deregisterInstance,
	"ListInstances":       (*Fake).listInstances,
	"DiscoverInstances":   (*Fake).discoverInstances,
	"GetOperation":        (*Fake).getOperation,
	"ListTagsForResource": (*Fake).listTags,
	"TagResource":         (*Fake).tagResource,
}

// page cuts items[start:] to max, returning the next token ("" at the end).
func page(n int, token string, maxResults *int, def, limit int) (int, int, string, *APIError) {
	size := def
	if maxResults != nil {
		if *maxResults < 1 || *maxResults > limit {
			return 0, 0, "", invalid(fmt.Sprintf("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", *maxResults, limit))
		}
		size = *maxResults
	}
	start := 0
	if token != "" {
		v, err := strconv.Atoi(strings.TrimPrefix(token, "fake-"))
		if err != nil || v < 0 || v > n || !strings.HasPrefix(token, "fake-") {
			return 0, 0, "", invalid("The NextToken is not valid") // [I]
		}
		start = v
	}
	end := min(n, start+size)
	next := ""
	if end < n {
		next = "fake-" + strconv.Itoa(end)
	}
	return start, end, next, nil
}

// validServiceName follows CreateService's documented Name pattern.
// checkDNS applies DnsRecord's documented combinations and routing rules.
// checkAttributes applies RegisterInstance's rules for a service's DNS
// configuration.
// start applies an instance operation now, or after SettleAfter calls.
func (f *Fake) knownARN(arn string) bool {
	for _, ns := range f.namespaces {
		if ns.arn == arn {
			return true
		}
	}
	for _, s := range f.services {
		if s.arn == arn {
			return true
		}
	}
	return false
}

func (f *Fake) listTags(body []byte) (any, *APIError) {
	var in struct{ ResourceARN string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if !f.knownARN(in.ResourceARN) {
		return nil, &APIError{Code: "ResourceNotFoundException", Message: "The operation can't be completed because the resource was not found."}
	}
	tags := f.tags[in.ResourceARN]
	if tags == nil {
		tags = []Tag{}
	}
	return map[string]any{"Tags": tags}, nil
}

func (f *Fake) tagResource(body []byte) (any, *APIError) {
	var in struct {
		ResourceARN string
		Tags        []Tag
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if !f.knownARN(in.ResourceARN) {
		return nil, &APIError{Code: "ResourceNotFoundException", Message: "The operation can't be completed because the resource was not found."}
	}
	if e := f.addTags(in.ResourceARN, in.Tags); e != nil {
		return nil, e
	}
	return map[string]any{}, nil
}

// addTags adds or replaces tags, within the documented limits.
func (f *Fake) addTags(arn string, tags []Tag) *APIError {
	cur := slices.Clone(f.tags[arn])
	for _, t := range tags {
		if len(t.Key) < 1 || len(t.Key) > 128 || len(t.Value) > 256 {
			return invalid("A tag key has 1 to 128 characters and a value at most 256") // [I]
		}
		if i := slices.IndexFunc(cur, func(c Tag) bool { return c.Key == t.Key }); i >= 0 {
			cur[i] = t
		} else {
			cur = append(cur, t)
		}
	}
	if len(cur) > MaxTagsPerResource {
		return &APIError{Code: "TooManyTagsException", Message: fmt.Sprintf("A resource can have at most %d tags", MaxTagsPerResource)} // [I]
	}
	if len(cur) > 0 {
		f.tags[arn] = cur
	}
	return nil
}
