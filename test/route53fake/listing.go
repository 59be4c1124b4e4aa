package route53fake

import (
	"cmp"
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// Page sizes (rules §5): record sets come at most 300 to a page, zones 100,
// health checks 1000. A larger maxitems is capped and the cap is echoed.
const (
	maxRRSetPage  = 300
	maxZonePage   = 100
	maxHealthPage = 1000
)

func maxItems(q url.Values, limit int) (int, *APIError) {
	s := q.Get("maxitems")
	if s == "" {
		return limit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		// [I]: the real wording for a bad maxitems is unverified.
		return 0, errInvalidInput("Invalid request: maxitems must be a positive integer, got '%s'", s)
	}
	return min(n, limit), nil
}

// sortedSets orders a zone's record sets as ListResourceRecordSets does:
// name with labels reversed, then type, then set identifier. The order of
// identifiers is undocumented (rules §6); lexical order is a guess.
func (z *zone) sortedSets() []*rrset {
	out := make([]*rrset, 0, len(z.sets))
	for _, s := range z.sets {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *rrset) int {
		return cmp.Or(compareNames(a.name, b.name), cmp.Compare(a.x.Type, b.x.Type),
			cmp.Compare(deref(a.x.SetIdentifier), deref(b.x.SetIdentifier)))
	})
	return out
}

type xRRSets struct {
	Sets []xRRSet `xml:"ResourceRecordSet"`
}

type xListResourceRecordSetsResponse struct {
	XMLName              xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListResourceRecordSetsResponse"`
	ResourceRecordSets   xRRSets  `xml:"ResourceRecordSets"`
	IsTruncated          bool     `xml:"IsTruncated"`
	NextRecordName       *string  `xml:"NextRecordName,omitempty"`
	NextRecordType       *string  `xml:"NextRecordType,omitempty"`
	NextRecordIdentifier *string  `xml:"NextRecordIdentifier,omitempty"`
	MaxItems             int      `xml:"MaxItems"`
}

func (a *Account) listResourceRecordSets(req *request) (*response, *APIError) {
	z, err := a.zone(req.seg[1])
	if err != nil {
		return nil, err
	}
	limit, err := maxItems(req.q, maxRRSetPage)
	if err != nil {
		return nil, err
	}
	startName, hasName := req.q.Get("name"), req.q.Has("name")
	startType, hasType := req.q.Get("type"), req.q.Has("type")
	startID, hasID := req.q.Get("identifier"), req.q.Has("identifier")
	switch {
	case hasType && !hasName:
		// Documented to be InvalidInput; the wording is [I].
		return nil, errInvalidInput("Invalid request: a record type was given without a record name")
	case hasID && !hasType:
		return nil, errInvalidInput("Invalid request: a set identifier was given without a record name and type")
	case hasType && !validType(startType):
		return nil, errInvalidInput("Invalid request: '%s' is not a valid record type", startType)
	}
	sets := z.sortedSets()
	i := 0
	if hasName {
		name, nerr := parseName(startName)
		if nerr != nil {
			return nil, errInvalidInput("%s", nerr.Error())
		}
		i, _ = slices.BinarySearchFunc(sets, 0, func(s *rrset, _ int) int {
			c := compareNames(s.name, name)
			if c == 0 && hasType {
				c = cmp.Compare(s.x.Type, startType)
			}
			if c == 0 && hasID {
				c = cmp.Compare(deref(s.x.SetIdentifier), startID)
			}
			return c
		})
	}
	out := &xListResourceRecordSetsResponse{MaxItems: limit}
	end := min(len(sets), i+limit)
	for _, s := range sets[i:end] {
		out.ResourceRecordSets.Sets = append(out.ResourceRecordSets.Sets, s.x)
	}
	if end < len(sets) {
		next := sets[end]
		out.IsTruncated = true
		out.NextRecordName = ptr(next.name.String())
		out.NextRecordType = ptr(next.x.Type)
		out.NextRecordIdentifier = next.x.SetIdentifier
	}
	return ok(out)
}

type xHostedZones struct {
	Zones []xHostedZone `xml:"HostedZone"`
}

type xListHostedZonesResponse struct {
	XMLName     xml.Name     `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListHostedZonesResponse"`
	HostedZones xHostedZones `xml:"HostedZones"`
	Marker      *string      `xml:"Marker,omitempty"`
	IsTruncated bool         `xml:"IsTruncated"`
	NextMarker  *string      `xml:"NextMarker,omitempty"`
	MaxItems    int          `xml:"MaxItems"`
}

// listHostedZones pages in creation order; NextMarker is the ID of the next
// zone (rules §6).
func (a *Account) listHostedZones(req *request) (*response, *APIError) {
	limit, err := maxItems(req.q, maxZonePage)
	if err != nil {
		return nil, err
	}
	if req.q.Has("delegationsetid") {
		return nil, apiErr(http.StatusNotFound, "NoSuchDelegationSet",
			"A reusable delegation set with the specified ID does not exist.")
	}
	zones := a.zones
	if req.q.Has("hostedzonetype") {
		if t := req.q.Get("hostedzonetype"); t != "PrivateHostedZone" {
			return nil, errInvalidXML("cvc-enumeration-valid: Value '%s' is not facet-valid with respect to enumeration '[PrivateHostedZone]'. It must be a value from the enumeration.", t)
		}
		zones = slices.DeleteFunc(slices.Clone(zones), func(z *zone) bool { return !z.private })
	}
	out := &xListHostedZonesResponse{MaxItems: limit}
	i := 0
	if req.q.Has("marker") {
		m := req.q.Get("marker")
		out.Marker = &m
		i = slices.IndexFunc(zones, func(z *zone) bool { return z.id == m })
		if i < 0 {
			return nil, errInvalidInput("Invalid request: marker %s does not name a hosted zone", m)
		}
	}
	end := min(len(zones), i+limit)
	for _, z := range zones[i:end] {
		out.HostedZones.Zones = append(out.HostedZones.Zones, z.wire())
	}
	if end < len(zones) {
		out.IsTruncated, out.NextMarker = true, ptr(zones[end].id)
	}
	return ok(out)
}

type xListHostedZonesByNameResponse struct {
	XMLName          xml.Name     `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListHostedZonesByNameResponse"`
	HostedZones      xHostedZones `xml:"HostedZones"`
	DNSName          *string      `xml:"DNSName,omitempty"`
	HostedZoneID     *string      `xml:"HostedZoneId,omitempty"`
	IsTruncated      bool         `xml:"IsTruncated"`
	NextDNSName      *string      `xml:"NextDNSName,omitempty"`
	NextHostedZoneID *string      `xml:"NextHostedZoneId,omitempty"`
	MaxItems         int          `xml:"MaxItems"`
}

// listHostedZonesByName orders by reversed-label name, then ID (rules §6).
func (a *Account) listHostedZonesByName(req *request) (*response, *APIError) {
	limit, err := maxItems(req.q, maxZonePage)
	if err != nil {
		return nil, err
	}
	zones := slices.Clone(a.zones)
	slices.SortFunc(zones, func(x, y *zone) int { return cmp.Or(compareNames(x.name, y.name), cmp.Compare(x.id, y.id)) })
	out := &xListHostedZonesByNameResponse{MaxItems: limit}
	i := 0
	if req.q.Has("hostedzoneid") && !req.q.Has("dnsname") {
		return nil, errInvalidInput("Invalid request: hostedzoneid requires dnsname")
	}
	if req.q.Has("dnsname") {
		name, nerr := parseName(req.q.Get("dnsname"))
		if nerr != nil {
			return nil, apiErr(http.StatusBadRequest, "InvalidDomainName", "%s", nerr.Error())
		}
		out.DNSName = ptr(name.String())
		id, hasID := req.q.Get("hostedzoneid"), req.q.Has("hostedzoneid")
		if hasID {
			out.HostedZoneID = &id
		}
		i, _ = slices.BinarySearchFunc(zones, 0, func(z *zone, _ int) int {
			c := compareNames(z.name, name)
			if c == 0 && hasID {
				c = cmp.Compare(z.id, id)
			}
			return c
		})
	}
	end := min(len(zones), i+limit)
	for _, z := range zones[i:end] {
		out.HostedZones.Zones = append(out.HostedZones.Zones, z.wire())
	}
	if end < len(zones) {
		out.IsTruncated = true
		out.NextDNSName, out.NextHostedZoneID = ptr(zones[end].name.String()), ptr(zones[end].id)
	}
	return ok(out)
}
