package route53fake

import "encoding/xml"

// xmlns is the namespace of API version 2013-04-01. Requests must declare it
// on their root element and every response carries it.
const xmlns = "https://route53.amazonaws.com/doc/2013-04-01/"

// The structs below double as request decoders and response encoders. Field
// order matches the order in which Route 53 itself writes the elements, and
// optional fields are pointers so that "absent" and "zero" stay distinct:
// Route 53 treats <MultiValueAnswer>false</MultiValueAnswer> as a routing
// field, so the difference matters.

type xRRSet struct {
	Name                    string            `xml:"Name"`
	Type                    string            `xml:"Type"`
	SetIdentifier           *string           `xml:"SetIdentifier,omitempty"`
	Weight                  *int64            `xml:"Weight,omitempty"`
	Region                  *string           `xml:"Region,omitempty"`
	GeoLocation             *xGeoLocation     `xml:"GeoLocation,omitempty"`
	Failover                *string           `xml:"Failover,omitempty"`
	MultiValueAnswer        *bool             `xml:"MultiValueAnswer,omitempty"`
	TTL                     *int64            `xml:"TTL,omitempty"`
	ResourceRecords         *xResourceRecords `xml:"ResourceRecords,omitempty"`
	AliasTarget             *xAliasTarget     `xml:"AliasTarget,omitempty"`
	HealthCheckID           *string           `xml:"HealthCheckId,omitempty"`
	TrafficPolicyInstanceID *string           `xml:"TrafficPolicyInstanceId,omitempty"`
	CidrRoutingConfig       *xCidrRouting     `xml:"CidrRoutingConfig,omitempty"`
	GeoProximityLocation    *xGeoProximity    `xml:"GeoProximityLocation,omitempty"`
}

type xResourceRecords struct {
	Records []xResourceRecord `xml:"ResourceRecord"`
}

type xResourceRecord struct {
	Value *string `xml:"Value"`
}

type xAliasTarget struct {
	HostedZoneID         *string `xml:"HostedZoneId"`
	DNSName              *string `xml:"DNSName"`
	EvaluateTargetHealth *bool   `xml:"EvaluateTargetHealth"`
}

type xGeoLocation struct {
	ContinentCode   *string `xml:"ContinentCode,omitempty"`
	CountryCode     *string `xml:"CountryCode,omitempty"`
	SubdivisionCode *string `xml:"SubdivisionCode,omitempty"`
}

type xCidrRouting struct {
	CollectionID *string `xml:"CollectionId"`
	LocationName *string `xml:"LocationName"`
}

type xGeoProximity struct {
	AWSRegion      *string       `xml:"AWSRegion,omitempty"`
	LocalZoneGroup *string       `xml:"LocalZoneGroup,omitempty"`
	Coordinates    *xCoordinates `xml:"Coordinates,omitempty"`
	Bias           *int64        `xml:"Bias,omitempty"`
}

type xCoordinates struct {
	Latitude  *string `xml:"Latitude"`
	Longitude *string `xml:"Longitude"`
}

type xChangeBatchRequest struct {
	XMLName     xml.Name
	ChangeBatch *struct {
		Comment *string `xml:"Comment"`
		Changes *struct {
			Change []xChange `xml:"Change"`
		} `xml:"Changes"`
	} `xml:"ChangeBatch"`
}

type xChange struct {
	Action            *string `xml:"Action"`
	ResourceRecordSet *xRRSet `xml:"ResourceRecordSet"`
}

type xChangeInfo struct {
	ID          string  `xml:"Id"`
	Status      string  `xml:"Status"`
	SubmittedAt string  `xml:"SubmittedAt"`
	Comment     *string `xml:"Comment,omitempty"`
}

type xHostedZone struct {
	ID                     string        `xml:"Id"`
	Name                   string        `xml:"Name"`
	CallerReference        string        `xml:"CallerReference"`
	Config                 xHostedConfig `xml:"Config"`
	ResourceRecordSetCount int64         `xml:"ResourceRecordSetCount"`
}

type xHostedConfig struct {
	Comment     *string `xml:"Comment,omitempty"`
	PrivateZone bool    `xml:"PrivateZone"`
}

type xVPC struct {
	VPCRegion *string `xml:"VPCRegion,omitempty"`
	VPCId     *string `xml:"VPCId,omitempty"`
}

type xDelegationSet struct {
	NameServers []string `xml:"NameServers>NameServer"`
}

type xCreateHostedZoneRequest struct {
	XMLName          xml.Name
	Name             *string `xml:"Name"`
	VPC              *xVPC   `xml:"VPC"`
	CallerReference  *string `xml:"CallerReference"`
	HostedZoneConfig *struct {
		Comment     *string `xml:"Comment"`
		PrivateZone *bool   `xml:"PrivateZone"`
	} `xml:"HostedZoneConfig"`
	DelegationSetID *string `xml:"DelegationSetId"`
}

type xTag struct {
	Key   *string `xml:"Key"`
	Value *string `xml:"Value,omitempty"`
}

type xChangeTagsRequest struct {
	XMLName       xml.Name
	AddTags       []xTag   `xml:"AddTags>Tag"`
	RemoveTagKeys []string `xml:"RemoveTagKeys>Key"`
}

type xListTagsForResourcesRequest struct {
	XMLName     xml.Name
	ResourceIDs []string `xml:"ResourceIds>ResourceId"`
}

type xResourceTagSet struct {
	ResourceType string `xml:"ResourceType"`
	ResourceID   string `xml:"ResourceId"`
	Tags         []xTag `xml:"Tags>Tag"`
}

type xHealthCheck struct {
	ID                 string             `xml:"Id"`
	CallerReference    string             `xml:"CallerReference"`
	HealthCheckConfig  xHealthCheckConfig `xml:"HealthCheckConfig"`
	HealthCheckVersion int64              `xml:"HealthCheckVersion"`
}

type xAlarmIdentifier struct {
	Region *string `xml:"Region"`
	Name   *string `xml:"Name"`
}

type xHealthCheckConfig struct {
	IPAddress                    *string           `xml:"IPAddress,omitempty"`
	Port                         *int64            `xml:"Port,omitempty"`
	Type                         *string           `xml:"Type"`
	ResourcePath                 *string           `xml:"ResourcePath,omitempty"`
	FullyQualifiedDomainName     *string           `xml:"FullyQualifiedDomainName,omitempty"`
	SearchString                 *string           `xml:"SearchString,omitempty"`
	RequestInterval              *int64            `xml:"RequestInterval,omitempty"`
	FailureThreshold             *int64            `xml:"FailureThreshold,omitempty"`
	MeasureLatency               *bool             `xml:"MeasureLatency,omitempty"`
	Inverted                     *bool             `xml:"Inverted,omitempty"`
	Disabled                     *bool             `xml:"Disabled,omitempty"`
	HealthThreshold              *int64            `xml:"HealthThreshold,omitempty"`
	ChildHealthChecks            *xChildList       `xml:"ChildHealthChecks,omitempty"`
	EnableSNI                    *bool             `xml:"EnableSNI,omitempty"`
	Regions                      *xRegionList      `xml:"Regions,omitempty"`
	AlarmIdentifier              *xAlarmIdentifier `xml:"AlarmIdentifier,omitempty"`
	InsufficientDataHealthStatus *string           `xml:"InsufficientDataHealthStatus,omitempty"`
	RoutingControlArn            *string           `xml:"RoutingControlArn,omitempty"`
}

type xCreateHealthCheckRequest struct {
	XMLName           xml.Name
	CallerReference   *string             `xml:"CallerReference"`
	HealthCheckConfig *xHealthCheckConfig `xml:"HealthCheckConfig"`
}

type xUpdateHealthCheckRequest struct {
	XMLName            xml.Name
	HealthCheckVersion *int64 `xml:"HealthCheckVersion"`
	xHealthCheckConfig
	ResetElements []string `xml:"ResetElements>ResettableElementName"`
}

// Lists are wrapped in pointers to structs because encoding/xml writes an
// empty parent for a nil slice tagged "Parent>Child", and the SDK turns that
// into an empty, non-nil list where Route 53 sends nothing.

type xRegionList struct {
	Region []string `xml:"Region"`
}

type xChildList struct {
	ChildHealthCheck []string `xml:"ChildHealthCheck"`
}

type xVPCList struct {
	VPC []xVPC `xml:"VPC"`
}

func (l *xRegionList) items() []string {
	if l == nil {
		return nil
	}
	return l.Region
}

func (l *xChildList) items() []string {
	if l == nil {
		return nil
	}
	return l.ChildHealthCheck
}
