package cloudmapfake

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

func (f *Fake) namespaceByID(id string) *namespace {
	for _, ns := range f.namespaces {
		if ns.id == id {
			return ns
		}
	}
	return nil
}

func (f *Fake) serviceCount(nsID string) (services, instances int) {
	for _, s := range f.services {
		if s.namespaceID == nsID {
			services++
			instances += len(s.instances)
		}
	}
	return services, instances
}

func (f *Fake) listNamespaces(body []byte) (any, *APIError) {
	var in struct {
		Filters    []filter `json:"Filters"`
		MaxResults *int     `json:"MaxResults"`
		NextToken  string   `json:"NextToken"`
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	var match []*namespace
	for _, ns := range f.namespaces {
		ok := true
		for _, fl := range in.Filters {
			switch fl.Name {
			case "TYPE":
				ok = ok && slices.Contains(fl.Values, ns.typ)
			case "NAME":
				ok = ok && slices.Contains(fl.Values, ns.name)
			default:
				return nil, invalid(fmt.Sprintf("Filter name %q is not supported", fl.Name)) // [I]
			}
			if len(fl.Values) == 0 {
				return nil, invalid("Filter values must not be empty") // [I]
			}
		}
		if ok {
			match = append(match, ns)
		}
	}
	start, end, next, e := page(len(match), in.NextToken, in.MaxResults, 100, 100)
	if e != nil {
		return nil, e
	}
	out := make([]xNamespace, 0, end-start)
	for _, ns := range match[start:end] {
		n, _ := f.serviceCount(ns.id)
		out = append(out, xNamespace{Id: ns.id, Arn: ns.arn, Name: ns.name, Type: ns.typ, Description: ns.description, ServiceCount: n, CreateDate: epoch(ns.created)})
	}
	return map[string]any{"Namespaces": out, "NextToken": optional(next)}, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (f *Fake) createNamespace(body []byte, typ string) (any, *APIError) {
	var in struct {
		Name string `json:"Name"`
		Vpc  string `json:"Vpc"`
		Tags []Tag  `json:"Tags"`
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	name := strings.TrimSuffix(strings.ToLower(in.Name), ".")
	if name == "" || len(name) > 253 || !validDNSName(name) {
		return nil, invalid("Namespace name is not valid") // [I]
	}
	if typ == "DNS_PRIVATE" && in.Vpc == "" {
		return nil, invalid("A VPC is required for a private DNS namespace") // [I]
	}
	for _, ns := range f.namespaces {
		if ns.name == name && ns.typ == typ {
			return nil, &APIError{Code: "NamespaceAlreadyExists", Message: "Namespace already exists", Extra: map[string]string{"NamespaceId": ns.id}} // [I]
		}
	}
	if len(f.namespaces) >= MaxNamespaces {
		return nil, &APIError{Code: "ResourceLimitExceeded", Message: fmt.Sprintf("You have reached the quota of %d namespaces", MaxNamespaces)} // [I]
	}
	ns := &namespace{id: f.newID("ns-", 16), name: name, typ: typ, created: f.now()}
	ns.arn = f.arn("namespace", ns.id)
	f.namespaces = append(f.namespaces, ns)
	if e := f.addTags(ns.arn, in.Tags); e != nil {
		return nil, e
	}
	op := f.newOperation("CREATE_NAMESPACE", "", "")
	f.complete(op)
	return map[string]string{"OperationId": op.id}, nil
}

func (f *Fake) deleteNamespace(body []byte) (any, *APIError) {
	var in struct{ Id string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	i := slices.IndexFunc(f.namespaces, func(ns *namespace) bool { return ns.id == in.Id })
	if i < 0 {
		return nil, &APIError{Code: "NamespaceNotFound", Message: "No namespace exists with the specified ID."}
	}
	if n, _ := f.serviceCount(in.Id); n > 0 {
		return nil, &APIError{Code: "ResourceInUse", Message: "The namespace contains services"} // [I]
	}
	f.namespaces = slices.Delete(f.namespaces, i, i+1)
	op := f.newOperation("DELETE_NAMESPACE", "", "")
	f.complete(op)
	return map[string]string{"OperationId": op.id}, nil
}

var dnsLabelRE = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)

func validDNSName(name string) bool {
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !dnsLabelRE.MatchString(l) {
			return false
		}
	}
	return true
}
