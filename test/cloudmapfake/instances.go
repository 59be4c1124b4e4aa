package cloudmapfake

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strings"
)

var instanceIDRE = regexp.MustCompile(`^[0-9a-zA-Z_/:.@-]+$`)

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
