package route53fake

import (
	"encoding/xml"
	"slices"
)

// Tag limits of the model: ten keys per call, keys up to 128 characters,
// values up to 256; at most 50 tags per resource [I].
const (
	maxTagsPerCall     = 10
	maxTagsPerResource = 50
)

// tagTarget resolves a resource of the tag APIs. Neither the type nor the
// ID is rewritten by the SDK: a hosted zone is tagged by its bare ID and a
// health check by its UUID (rules §1).
func (a *Account) tagTarget(typ, id string) (string, *APIError) {
	switch typ {
	case "hostedzone":
		if _, err := a.zone(id); err != nil {
			return "", err
		}
	case "healthcheck":
		if a.liveCheck(id) == nil {
			return "", errNoSuchHealthCheck(id)
		}
	default:
		return "", errEnum(typ, []string{"healthcheck", "hostedzone"})
	}
	return typ + "/" + id, nil
}

// errTooMany is the validator's answer to a list longer than its maxOccurs.
func errTooMany(elem string) *APIError {
	return errInvalidXML("cvc-complex-type.2.4.d: Invalid content was found starting with element '%s'. No child element is expected at this point.", elem)
}

type xChangeTagsForResourceResponse struct {
	XMLName xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ChangeTagsForResourceResponse"`
}

func (a *Account) changeTagsForResource(req *request) (*response, *APIError) {
	key, err := a.tagTarget(req.seg[1], req.seg[2])
	if err != nil {
		return nil, err
	}
	var in xChangeTagsRequest
	if err := decodeBody(req.body, "ChangeTagsForResourceRequest", &in); err != nil {
		return nil, err
	}
	if len(in.AddTags) > maxTagsPerCall || len(in.RemoveTagKeys) > maxTagsPerCall {
		return nil, errTooMany("Tag")
	}
	for _, t := range in.AddTags {
		if t.Key == nil {
			return nil, errIncomplete("Tag", "Key")
		}
		if err := firstErr(checkLen(t.Key, 1, 128, "TagKey"), checkLen(t.Value, 0, 256, "TagValue")); err != nil {
			return nil, err
		}
	}
	tags := copyTags(a.tags[key])
	for _, k := range in.RemoveTagKeys {
		delete(tags, k)
	}
	for _, t := range in.AddTags {
		tags[*t.Key] = deref(t.Value)
	}
	if len(tags) > maxTagsPerResource {
		return nil, errInvalidInput("Invalid request: a resource can have at most %d tags", maxTagsPerResource)
	}
	a.tags[key] = tags
	return ok(&xChangeTagsForResourceResponse{})
}

func (a *Account) tagSet(typ, id string) xResourceTagSet {
	set := xResourceTagSet{ResourceType: typ, ResourceID: id}
	tags := a.tags[typ+"/"+id]
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		set.Tags = append(set.Tags, xTag{Key: ptr(k), Value: ptr(tags[k])})
	}
	return set
}

type xListTagsForResourceResponse struct {
	XMLName        xml.Name        `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListTagsForResourceResponse"`
	ResourceTagSet xResourceTagSet `xml:"ResourceTagSet"`
}

func (a *Account) listTagsForResource(req *request) (*response, *APIError) {
	if _, err := a.tagTarget(req.seg[1], req.seg[2]); err != nil {
		return nil, err
	}
	return ok(&xListTagsForResourceResponse{ResourceTagSet: a.tagSet(req.seg[1], req.seg[2])})
}

type xListTagsForResourcesResponse struct {
	XMLName         xml.Name          `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListTagsForResourcesResponse"`
	ResourceTagSets []xResourceTagSet `xml:"ResourceTagSets>ResourceTagSet"`
}

func (a *Account) listTagsForResources(req *request) (*response, *APIError) {
	var in xListTagsForResourcesRequest
	if err := decodeBody(req.body, "ListTagsForResourcesRequest", &in); err != nil {
		return nil, err
	}
	if len(in.ResourceIDs) == 0 {
		return nil, errIncomplete("ResourceIds", "ResourceId")
	}
	if len(in.ResourceIDs) > maxTagsPerCall {
		return nil, errTooMany("ResourceId")
	}
	out := &xListTagsForResourcesResponse{}
	for _, id := range in.ResourceIDs {
		if _, err := a.tagTarget(req.seg[1], id); err != nil {
			return nil, err
		}
		out.ResourceTagSets = append(out.ResourceTagSets, a.tagSet(req.seg[1], id))
	}
	return ok(out)
}

// Tags returns a copy of the tags of a resource ("hostedzone" or
// "healthcheck") in any account.
func (f *Fake) Tags(resourceType, id string) map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range f.allAccounts() {
		if t, found := a.tags[resourceType+"/"+bareID(id)]; found {
			return copyTags(t)
		}
	}
	return nil
}
