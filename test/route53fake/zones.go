package route53fake

import (
	"encoding/xml"
	"fmt"
	"net/http"
)

// ZoneSpec describes a hosted zone to seed with AddZoneSpec.
type ZoneSpec struct {
	Name    string
	Private bool
	// VPCs of a private zone; one VPC in us-east-1 is made up when empty.
	VPCs    []VPC
	Tags    map[string]string
	Comment string
}

// VPC is a VPC associated with a private hosted zone.
type VPC struct {
	Region string
	ID     string
}

type zone struct {
	id          string
	name        dnsName
	callerRef   string
	comment     *string
	private     bool
	vpcs        []VPC
	nameServers []string
	sets        map[setKey]*rrset
}

// setKey identifies a record set: name, type and set identifier (rules §3).
type setKey struct{ name, typ, id string }

type rrset struct {
	name dnsName
	x    xRRSet
}

func keyOf(name dnsName, x *xRRSet) setKey {
	return setKey{name.String(), x.Type, deref(x.SetIdentifier)}
}

// AddZone seeds a zone in the default account and returns its bare ID.
func (f *Fake) AddZone(name string, private bool, tags map[string]string) string {
	return f.def.AddZoneSpec(ZoneSpec{Name: name, Private: private, Tags: tags})
}

// AddZone seeds a zone in this account and returns its bare ID.
func (a *Account) AddZone(name string, private bool, tags map[string]string) string {
	return a.AddZoneSpec(ZoneSpec{Name: name, Private: private, Tags: tags})
}

// AddZoneSpec seeds a zone; it panics on an invalid name because seeding
// mistakes are test bugs.
func (a *Account) AddZoneSpec(s ZoneSpec) string {
	a.f.mu.Lock()
	defer a.f.mu.Unlock()
	name, err := parseName(s.Name)
	if err != nil {
		panic("route53fake: " + err.Error())
	}
	var comment *string
	if s.Comment != "" {
		comment = &s.Comment
	}
	vpcs := s.VPCs
	if s.Private && len(vpcs) == 0 {
		vpcs = []VPC{{Region: "us-east-1", ID: fmt.Sprintf("vpc-0%016x", a.f.rng.Uint64())}}
	}
	z := a.addZone(name, a.f.newUUID(), comment, s.Private, vpcs)
	if len(s.Tags) > 0 {
		a.tags["hostedzone/"+z.id] = copyTags(s.Tags)
	}
	return z.id
}

func copyTags(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// addZone creates the zone with the SOA and apex NS records every new zone
// starts with (rules §1).
func (a *Account) addZone(name dnsName, ref string, comment *string, private bool, vpcs []VPC) *zone {
	z := &zone{id: a.f.newID("Z"), name: name, callerRef: ref, comment: comment,
		private: private, vpcs: vpcs, sets: map[setKey]*rrset{}}
	if private {
		z.nameServers = []string{"ns-1536.awsdns-00.co.uk", "ns-0.awsdns-00.com",
			"ns-1024.awsdns-00.org", "ns-512.awsdns-00.net"}
	} else {
		r := a.f.rng
		for i, tld := range []string{"com", "net", "org", "co.uk"} {
			z.nameServers = append(z.nameServers,
				fmt.Sprintf("ns-%d.awsdns-%02d.%s", i*512+r.IntN(512), r.IntN(64), tld))
		}
	}
	var ns []xResourceRecord
	for _, s := range z.nameServers {
		ns = append(ns, xResourceRecord{Value: ptr(s + ".")})
	}
	soa := fmt.Sprintf("%s. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400", z.nameServers[0])
	for _, x := range []xRRSet{
		{Name: name.String(), Type: "NS", TTL: ptr[int64](172800), ResourceRecords: &xResourceRecords{ns}},
		{Name: name.String(), Type: "SOA", TTL: ptr[int64](900),
			ResourceRecords: &xResourceRecords{[]xResourceRecord{{Value: &soa}}}},
	} {
		z.sets[keyOf(name, &x)] = &rrset{name: name, x: x}
	}
	a.zones = append(a.zones, z)
	return z
}

func ptr[T any](v T) *T { return &v }

func (a *Account) zone(id string) (*zone, *APIError) {
	for _, z := range a.zones {
		if z.id == id {
			return z, nil
		}
	}
	return nil, errNoSuchHostedZone(id)
}

func (z *zone) wire() xHostedZone {
	return xHostedZone{ID: "/hostedzone/" + z.id, Name: z.name.String(), CallerReference: z.callerRef,
		Config: xHostedConfig{Comment: z.comment, PrivateZone: z.private}, ResourceRecordSetCount: int64(len(z.sets))}
}

func (z *zone) delegation() *xDelegationSet {
	if z.private {
		return nil
	}
	return &xDelegationSet{NameServers: z.nameServers}
}

func (z *zone) wireVPCs() *xVPCList {
	if len(z.vpcs) == 0 {
		return nil
	}
	out := &xVPCList{}
	for _, v := range z.vpcs {
		out.VPC = append(out.VPC, xVPC{VPCRegion: ptr(v.Region), VPCId: ptr(v.ID)})
	}
	return out
}

type xGetHostedZoneResponse struct {
	XMLName       xml.Name        `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetHostedZoneResponse"`
	HostedZone    xHostedZone     `xml:"HostedZone"`
	DelegationSet *xDelegationSet `xml:"DelegationSet,omitempty"`
	VPCs          *xVPCList       `xml:"VPCs,omitempty"`
}

func (a *Account) getHostedZone(req *request) (*response, *APIError) {
	z, err := a.zone(req.seg[1])
	if err != nil {
		return nil, err
	}
	return ok(&xGetHostedZoneResponse{HostedZone: z.wire(), DelegationSet: z.delegation(), VPCs: z.wireVPCs()})
}

type xCreateHostedZoneResponse struct {
	XMLName       xml.Name        `xml:"https://route53.amazonaws.com/doc/2013-04-01/ CreateHostedZoneResponse"`
	HostedZone    xHostedZone     `xml:"HostedZone"`
	ChangeInfo    xChangeInfo     `xml:"ChangeInfo"`
	DelegationSet *xDelegationSet `xml:"DelegationSet,omitempty"`
	VPC           *xVPC           `xml:"VPC,omitempty"`
}

func (a *Account) createHostedZone(req *request) (*response, *APIError) {
	var in xCreateHostedZoneRequest
	if err := decodeBody(req.body, "CreateHostedZoneRequest", &in); err != nil {
		return nil, err
	}
	if in.Name == nil || in.CallerReference == nil {
		return nil, errInvalidXML("cvc-complex-type.2.4.b: The content of element 'CreateHostedZoneRequest' is not complete.")
	}
	if n := len(*in.CallerReference); n < 1 || n > 128 {
		return nil, errLength(*in.CallerReference, 1, 128, "Nonce")
	}
	name, nerr := parseName(*in.Name)
	if nerr != nil || len(name) == 0 {
		return nil, apiErr(http.StatusBadRequest, "InvalidDomainName", "%s is not a valid domain name.", *in.Name)
	}
	if a.zoneRefs[*in.CallerReference] {
		// [I] wording; the code and status are the model's.
		return nil, apiErr(http.StatusConflict, "HostedZoneAlreadyExists",
			"A hosted zone has already been created with the specified caller reference.")
	}
	if in.DelegationSetID != nil {
		return nil, apiErr(http.StatusNotFound, "NoSuchDelegationSet",
			"A reusable delegation set with the specified ID does not exist.")
	}
	var comment *string
	private := false
	if c := in.HostedZoneConfig; c != nil {
		comment, private = c.Comment, deref(c.PrivateZone)
	}
	var vpcs []VPC
	if in.VPC != nil {
		if in.VPC.VPCId == nil || in.VPC.VPCRegion == nil {
			return nil, errInvalidInput("Invalid request: a VPC needs both VPCId and VPCRegion")
		}
		vpcs, private = []VPC{{Region: *in.VPC.VPCRegion, ID: *in.VPC.VPCId}}, true
	} else if private {
		return nil, errInvalidInput("Invalid request: a private hosted zone needs a VPC")
	}
	a.zoneRefs[*in.CallerReference] = true
	z := a.addZone(name, *in.CallerReference, comment, private, vpcs)
	out := &xCreateHostedZoneResponse{HostedZone: z.wire(), ChangeInfo: a.newChange(nil).info("PENDING"),
		DelegationSet: z.delegation()}
	if private {
		out.VPC = &z.wireVPCs().VPC[0]
	}
	return &response{status: http.StatusCreated, body: out,
		location: "https://route53.amazonaws.com/2013-04-01/hostedzone/" + z.id}, nil
}

type xDeleteHostedZoneResponse struct {
	XMLName    xml.Name    `xml:"https://route53.amazonaws.com/doc/2013-04-01/ DeleteHostedZoneResponse"`
	ChangeInfo xChangeInfo `xml:"ChangeInfo"`
}

func (a *Account) deleteHostedZone(req *request) (*response, *APIError) {
	z, err := a.zone(req.seg[1])
	if err != nil {
		return nil, err
	}
	for k := range z.sets {
		if k.name != z.name.String() || (k.typ != "SOA" && k.typ != "NS") || k.id != "" {
			return nil, apiErr(http.StatusBadRequest, "HostedZoneNotEmpty",
				"The specified hosted zone contains non-required resource record sets and so cannot be deleted.")
		}
	}
	for i, o := range a.zones {
		if o == z {
			a.zones = append(a.zones[:i], a.zones[i+1:]...)
			break
		}
	}
	delete(a.tags, "hostedzone/"+z.id)
	return ok(&xDeleteHostedZoneResponse{ChangeInfo: a.newChange(nil).info("PENDING")})
}

type xGetHostedZoneCountResponse struct {
	XMLName         xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetHostedZoneCountResponse"`
	HostedZoneCount int64    `xml:"HostedZoneCount"`
}

func (a *Account) getHostedZoneCount(*request) (*response, *APIError) {
	return ok(&xGetHostedZoneCountResponse{HostedZoneCount: int64(len(a.zones))})
}
