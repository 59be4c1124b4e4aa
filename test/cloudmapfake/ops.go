package cloudmapfake

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"sort"
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

// validServiceName follows CreateService's documented Name pattern.
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

// checkDNS applies DnsRecord's documented combinations and routing rules.
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

var instanceIDRE = regexp.MustCompile(`^[0-9a-zA-Z_/:.@-]+$`)

// checkAttributes applies RegisterInstance's rules for a service's DNS
// configuration.
func checkAttributes(s *service, attrs map[string]string) *APIError {
	if len(attrs) > MaxAttributes {
		return invalid(fmt.Sprintf("An instance can have at most %d attributes", MaxAttributes)) // [I]
	}
	size := 0
	for k, v := range attrs {
		if len(k) > MaxAttributeKey || len(v) > MaxAttributeValue {
			return invalid("An attribute key has at most 255 characters and a value at most 1024") // [I]
		}
		size += len(k) + len(v)
	}
	if size > MaxAttributesSize {
		return invalid(fmt.Sprintf("The attributes of an instance total at most %d characters", MaxAttributesSize)) // [I]
	}
	if s.dns == nil {
		return nil
	}
	has := func(t string) bool {
		return slices.ContainsFunc(s.dns.DnsRecords, func(r DnsRecord) bool { return r.Type == t })
	}
	if alias, ok := attrs["AWS_ALIAS_DNS_NAME"]; ok {
		switch {
		case alias == "":
			return invalid("AWS_ALIAS_DNS_NAME must not be empty") // [I]
		case s.dns.RoutingPolicy != "WEIGHTED" || !(has("A") || has("AAAA")) || has("CNAME"):
			return invalid("AWS_ALIAS_DNS_NAME requires a service with the WEIGHTED routing policy and A or AAAA records") // [I]
		}
		for _, k := range []string{"AWS_INSTANCE_IPV4", "AWS_INSTANCE_IPV6", "AWS_INSTANCE_CNAME", "AWS_INSTANCE_PORT"} {
			if _, ok := attrs[k]; ok {
				return invalid("AWS_ALIAS_DNS_NAME can't be combined with " + k) // [I]
			}
		}
		return nil
	}
	if has("A") {
		a, err := netip.ParseAddr(attrs["AWS_INSTANCE_IPV4"])
		if err != nil || !a.Is4() {
			return invalid("The service has an A record: AWS_INSTANCE_IPV4 must be an IPv4 address") // [I]
		}
	}
	if has("AAAA") {
		a, err := netip.ParseAddr(attrs["AWS_INSTANCE_IPV6"])
		if err != nil || !a.Is6() || a.Is4In6() {
			return invalid("The service has an AAAA record: AWS_INSTANCE_IPV6 must be an IPv6 address") // [I]
		}
	}
	if has("CNAME") && attrs["AWS_INSTANCE_CNAME"] == "" {
		return invalid("The service has a CNAME record: AWS_INSTANCE_CNAME is required") // [I]
	}
	return nil
}

func (f *Fake) registerInstance(body []byte) (any, *APIError) {
	var in struct {
		ServiceId        string            `json:"ServiceId"`
		InstanceId       string            `json:"InstanceId"`
		Attributes       map[string]string `json:"Attributes"`
		CreatorRequestId string            `json:"CreatorRequestId"`
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	s, e := f.findService(in.ServiceId)
	if e != nil {
		return nil, e
	}
	if len(in.InstanceId) == 0 || len(in.InstanceId) > MaxInstanceID || !instanceIDRE.MatchString(in.InstanceId) {
		return nil, invalid(fmt.Sprintf("1 validation error detected: Value '%s' at 'instanceId' failed to satisfy constraint: Member must have length less than or equal to %d and match pattern ^[0-9a-zA-Z_/:.@-]+$", in.InstanceId, MaxInstanceID))
	}
	if e := checkAttributes(s, in.Attributes); e != nil {
		return nil, e
	}
	if f.busy(s.id, in.InstanceId) {
		return nil, &APIError{Code: "DuplicateRequest", Message: "The operation is already in progress."}
	}
	if _, exists := s.instances[in.InstanceId]; !exists {
		if len(s.instances) >= MaxInstancesPerService {
			return nil, &APIError{Code: "ResourceLimitExceeded", Message: fmt.Sprintf("The service has reached the quota of %d instances", MaxInstancesPerService)} // [I]
		}
		if _, n := f.serviceCount(s.namespaceID); n >= MaxInstancesPerNamespace {
			return nil, &APIError{Code: "ResourceLimitExceeded", Message: fmt.Sprintf("The namespace has reached the quota of %d instances", MaxInstancesPerNamespace)} // [I]
		}
	}
	attrs := make(map[string]string, len(in.Attributes))
	for k, v := range in.Attributes {
		attrs[k] = v
	}
	op := f.newOperation("REGISTER_INSTANCE", s.id, in.InstanceId)
	op.attrs = attrs
	f.start(op)
	return map[string]string{"OperationId": op.id}, nil
}

func (f *Fake) busy(serviceID, instanceID string) bool {
	return slices.ContainsFunc(f.pending, func(o *operation) bool { return o.serviceID == serviceID && o.instID == instanceID })
}

func (f *Fake) deregisterInstance(body []byte) (any, *APIError) {
	var in struct {
		ServiceId  string `json:"ServiceId"`
		InstanceId string `json:"InstanceId"`
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	s, e := f.findService(in.ServiceId)
	if e != nil {
		return nil, e
	}
	if f.busy(s.id, in.InstanceId) {
		return nil, &APIError{Code: "DuplicateRequest", Message: "The operation is already in progress."}
	}
	if _, ok := s.instances[in.InstanceId]; !ok {
		return nil, &APIError{Code: "InstanceNotFound", Message: "No instance exists with the specified ID, or the instance was recently registered, and information about the instance hasn't propagated yet."}
	}
	op := f.newOperation("DEREGISTER_INSTANCE", s.id, in.InstanceId)
	f.start(op)
	return map[string]string{"OperationId": op.id}, nil
}

func (f *Fake) newOperation(typ, serviceID, instanceID string) *operation {
	op := &operation{id: f.newID("", 32) + "-" + f.newID("", 8), typ: typ, status: "PENDING", serviceID: serviceID, instID: instanceID,
		created: f.now(), updated: f.now(), remaining: f.opts.SettleAfter}
	f.ops[op.id] = op
	return op
}

// start applies an instance operation now, or after SettleAfter calls.
func (f *Fake) start(op *operation) {
	if op.remaining <= 0 {
		f.complete(op)
		return
	}
	f.pending = append(f.pending, op)
}

func (f *Fake) listInstances(body []byte) (any, *APIError) {
	var in struct {
		ServiceId  string `json:"ServiceId"`
		MaxResults *int   `json:"MaxResults"`
		NextToken  string `json:"NextToken"`
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	s, e := f.findService(in.ServiceId)
	if e != nil {
		return nil, e
	}
	ids := sortedIDs(s)
	start, end, next, e := page(len(ids), in.NextToken, in.MaxResults, 100, 100)
	if e != nil {
		return nil, e
	}
	out := make([]xInstance, 0, end-start)
	for _, id := range ids[start:end] {
		out = append(out, xInstance{Id: id, Attributes: s.instances[id]})
	}
	return map[string]any{"Instances": out, "NextToken": optional(next)}, nil
}

func sortedIDs(s *service) []string {
	ids := make([]string, 0, len(s.instances))
	for id := range s.instances {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func (f *Fake) discoverInstances(body []byte) (any, *APIError) {
	var in struct {
		NamespaceName string `json:"NamespaceName"`
		ServiceName   string `json:"ServiceName"`
		MaxResults    *int   `json:"MaxResults"`
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	var ns *namespace
	for _, n := range f.namespaces {
		if strings.EqualFold(n.name, strings.TrimSuffix(in.NamespaceName, ".")) {
			ns = n
			break
		}
	}
	if ns == nil {
		return nil, &APIError{Code: "NamespaceNotFound", Message: "No namespace exists with the specified ID."}
	}
	var s *service
	for _, c := range f.services {
		if c.namespaceID == ns.id && strings.EqualFold(c.name, in.ServiceName) {
			s = c
			break
		}
	}
	if s == nil {
		return nil, &APIError{Code: "ServiceNotFound", Message: "No service exists with the specified ID."}
	}
	ids := sortedIDs(s)
	_, end, _, e := page(len(ids), "", in.MaxResults, 100, 1000)
	if e != nil {
		return nil, e
	}
	out := make([]xInstance, 0, end)
	for _, id := range ids[:end] {
		out = append(out, xInstance{InstanceId: id, Namespace: ns.name, Service: s.name, Health: "UNKNOWN", Attributes: s.instances[id]})
	}
	return map[string]any{"Instances": out, "InstancesRevision": int64(len(f.ops))}, nil
}

func (f *Fake) getOperation(body []byte) (any, *APIError) {
	var in struct{ OperationId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	op := f.ops[in.OperationId]
	if op == nil {
		return nil, &APIError{Code: "OperationNotFound", Message: "No operation exists with the specified ID."}
	}
	targets := map[string]string{}
	if op.serviceID != "" {
		targets["SERVICE"] = op.serviceID
	}
	if op.instID != "" {
		targets["INSTANCE"] = op.instID
	}
	return map[string]any{"Operation": xOperation{Id: op.id, Type: op.typ, Status: op.status, CreateDate: epoch(op.created), UpdateDate: epoch(op.updated), Targets: targets}}, nil
}

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
