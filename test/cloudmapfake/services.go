package cloudmapfake

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

func (f *Fake) view(s *service) xService {
	d := s.description
	v := xService{Id: s.id, Arn: s.arn, Name: s.name, NamespaceId: s.namespaceID, Description: &d,
		InstanceCount: len(s.instances), Type: "DNS_HTTP", CreateDate: epoch(s.created)}
	if s.dns != nil {
		c := *s.dns
		c.DnsRecords = slices.Clone(s.dns.DnsRecords)
		v.DnsConfig = &c
	} else {
		v.Type = "HTTP"
	}
	return v
}

func (f *Fake) listServices(body []byte) (any, *APIError) {
	var in struct {
		Filters    []filter `json:"Filters"`
		MaxResults *int     `json:"MaxResults"`
		NextToken  string   `json:"NextToken"`
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	var nsIDs []string
	for _, fl := range in.Filters {
		if fl.Name != "NAMESPACE_ID" {
			return nil, invalid(fmt.Sprintf("Filter name %q is not supported", fl.Name)) // [I]
		}
		if fl.Condition != "" && fl.Condition != "EQ" || len(fl.Values) != 1 {
			return nil, invalid("The NAMESPACE_ID filter takes the EQ condition and exactly one value") // [I]
		}
		nsIDs = append(nsIDs, fl.Values...)
	}
	var match []*service
	for _, s := range f.services {
		if len(nsIDs) == 0 || slices.Contains(nsIDs, s.namespaceID) {
			match = append(match, s)
		}
	}
	sort.Slice(match, func(i, j int) bool {
		return match[i].created.Before(match[j].created) || match[i].created.Equal(match[j].created) && match[i].id < match[j].id
	})
	start, end, next, e := page(len(match), in.NextToken, in.MaxResults, 100, 100)
	if e != nil {
		return nil, e
	}
	out := make([]xService, 0, end-start)
	for _, s := range match[start:end] {
		v := f.view(s)
		v.NamespaceId = "" // ServiceSummary has no NamespaceId
		out = append(out, v)
	}
	return map[string]any{"Services": out, "NextToken": optional(next)}, nil
}

func (f *Fake) findService(id string) (*service, *APIError) {
	s := f.services[id]
	if s == nil {
		return nil, &APIError{Code: "ServiceNotFound", Message: "No service exists with the specified ID."}
	}
	return s, nil
}

func (f *Fake) getService(body []byte) (any, *APIError) {
	var in struct{ Id string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	s, e := f.findService(in.Id)
	if e != nil {
		return nil, e
	}
	return map[string]any{"Service": f.view(s)}, nil
}

var labelRE = regexp.MustCompile(`^([a-zA-Z0-9_][a-zA-Z0-9-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9])$`)

func validServiceName(name string) bool {
	if name == "." {
		return true
	}
	if len(name) < 1 || len(name) > 127 {
		return false
	}
	for _, l := range strings.Split(name, ".") {
		if !labelRE.MatchString(l) {
			return false
		}
	}
	return true
}

func checkDNS(c *DnsConfig) *APIError {
	if len(c.DnsRecords) == 0 {
		return invalid("DnsRecords must contain at least one record") // [I]
	}
	switch c.RoutingPolicy {
	case "":
		c.RoutingPolicy = "MULTIVALUE"
	case "MULTIVALUE", "WEIGHTED":
	default:
		return invalid("RoutingPolicy must be MULTIVALUE or WEIGHTED") // [I]
	}
	var types []string
	for _, r := range c.DnsRecords {
		if r.TTL == nil || *r.TTL < 0 || *r.TTL > 2147483647 {
			return invalid("Each DnsRecord needs a TTL between 0 and 2147483647") // [I]
		}
		if slices.Contains(types, r.Type) {
			return invalid("DnsRecords contains a record type twice") // [I]
		}
		types = append(types, r.Type)
	}
	sorted := slices.Clone(types)
	slices.Sort(sorted)
	switch strings.Join(sorted, "+") {
	case "A", "AAAA", "A+AAAA", "SRV", "A+SRV", "AAAA+SRV", "A+AAAA+SRV":
	case "CNAME":
		if c.RoutingPolicy != "WEIGHTED" {
			return invalid("A CNAME record requires the WEIGHTED routing policy") // [I]
		}
	default:
		return invalid(fmt.Sprintf("The record types %s can't be combined", strings.Join(types, ", "))) // [I]
	}
	return nil
}

func (f *Fake) createService(body []byte) (any, *APIError) {
	var in struct {
		Name             string     `json:"Name"`
		NamespaceId      string     `json:"NamespaceId"`
		Description      *string    `json:"Description"`
		DnsConfig        *DnsConfig `json:"DnsConfig"`
		Tags             []Tag      `json:"Tags"`
		CreatorRequestId string     `json:"CreatorRequestId"`
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if !validServiceName(in.Name) {
		return nil, invalid(fmt.Sprintf("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern", in.Name))
	}
	if in.Description != nil && len(*in.Description) > MaxDescription {
		return nil, invalid(fmt.Sprintf("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to %d", MaxDescription))
	}
	nsID := in.NamespaceId
	if nsID == "" && in.DnsConfig != nil {
		nsID = in.DnsConfig.NamespaceId
	}
	ns := f.namespaceByID(nsID)
	if ns == nil {
		return nil, &APIError{Code: "NamespaceNotFound", Message: "No namespace exists with the specified ID."}
	}
	for _, s := range f.services {
		if s.namespaceID == ns.id && strings.EqualFold(s.name, in.Name) {
			return nil, &APIError{Code: "ServiceAlreadyExists", Message: "Service already exists", // [I]
				Extra: map[string]string{"ServiceId": s.id, "CreatorRequestId": in.CreatorRequestId}}
		}
	}
	var dns *DnsConfig
	if in.DnsConfig != nil {
		c := *in.DnsConfig
		c.NamespaceId = ""
		if e := checkDNS(&c); e != nil {
			return nil, e
		}
		dns = &c
	}
	s := &service{id: f.newID("srv-", 16), name: in.Name, namespaceID: ns.id, dns: dns, created: f.now(), instances: map[string]map[string]string{}}
	if in.Description != nil {
		s.description = *in.Description
	}
	s.arn = f.arn("service", s.id)
	if e := f.addTags(s.arn, in.Tags); e != nil {
		return nil, e
	}
	f.services[s.id] = s
	return map[string]any{"Service": f.view(s)}, nil
}

func (f *Fake) updateService(body []byte) (any, *APIError) {
	var in struct {
		Id      string `json:"Id"`
		Service *struct {
			Description *string `json:"Description"`
			DnsConfig   *struct {
				DnsRecords []DnsRecord `json:"DnsRecords"`
			} `json:"DnsConfig"`
		} `json:"Service"`
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	s, e := f.findService(in.Id)
	if e != nil {
		return nil, e
	}
	if in.Service == nil {
		return nil, invalid("1 validation error detected: Value null at 'service' failed to satisfy constraint: Member must not be null")
	}
	if d := in.Service.Description; d != nil {
		if len(*d) > MaxDescription {
			return nil, invalid(fmt.Sprintf("1 validation error detected: Value at 'service.description' failed to satisfy constraint: Member must have length less than or equal to %d", MaxDescription))
		}
	}
	if c := in.Service.DnsConfig; c != nil {
		if s.dns == nil {
			return nil, invalid("The service has no DNS configuration") // [I]
		}
		var have, want []string
		for _, r := range s.dns.DnsRecords {
			have = append(have, r.Type)
		}
		for _, r := range c.DnsRecords {
			want = append(want, r.Type)
			if r.TTL == nil || *r.TTL < 0 || *r.TTL > 2147483647 {
				return nil, invalid("Each DnsRecord needs a TTL between 0 and 2147483647") // [I]
			}
		}
		slices.Sort(have)
		slices.Sort(want)
		if !slices.Equal(have, want) {
			return nil, invalid("The record types of a service can't be updated; delete the service and create it with the new DnsConfig") // [I]
		}
		s.dns.DnsRecords = slices.Clone(c.DnsRecords)
	}
	if d := in.Service.Description; d != nil {
		s.description = *d
	}
	op := f.newOperation("UPDATE_SERVICE", s.id, "")
	f.complete(op)
	return map[string]string{"OperationId": op.id}, nil
}

func (f *Fake) deleteService(body []byte) (any, *APIError) {
	var in struct{ Id string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	s, e := f.findService(in.Id)
	if e != nil {
		return nil, e
	}
	if len(s.instances) > 0 || slices.ContainsFunc(f.pending, func(o *operation) bool { return o.serviceID == s.id }) {
		return nil, &APIError{Code: "ResourceInUse", Message: "The specified resource can't be deleted because it contains other resources."}
	}
	delete(f.services, s.id)
	delete(f.tags, s.arn)
	return map[string]any{}, nil
}
