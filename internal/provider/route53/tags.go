package route53

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// tagBatch is the most resources ListTagsForResources takes at once.
const tagBatch = 10

// filterByTags keeps the zones that carry every --aws-zone-tags tag,
// asking for tags ten zones per call.
func (p *Provider) filterByTags(ctx context.Context, a *account, zones []*zone) ([]*zone, error) {
	want := parseTagFilter(p.cfg.ZoneTags)
	var out []*zone
	for start := 0; start < len(zones); start += tagBatch {
		chunk := zones[start:min(start+tagBatch, len(zones))]
		ids := make([]string, len(chunk))
		for i, z := range chunk {
			ids[i] = z.id
		}
		res, err := a.api.ListTagsForResources(ctx, &route53.ListTagsForResourcesInput{
			ResourceType: types.TagResourceTypeHostedzone, ResourceIds: ids})
		if err != nil {
			return nil, fmt.Errorf("route53: reading zone tags of account %s: %w", a.name, err)
		}
		tags := map[string]map[string]string{}
		for _, set := range res.ResourceTagSets {
			m := map[string]string{}
			for _, t := range set.Tags {
				m[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			tags[zoneIDOf(aws.ToString(set.ResourceId))] = m
		}
		for _, z := range chunk {
			if want.matches(tags[z.id]) {
				out = append(out, z)
			}
		}
	}
	return out, nil
}

// tagFilter maps a tag key to the value it must have; nil means any.
type tagFilter map[string]*string

func parseTagFilter(raw []string) tagFilter {
	f := tagFilter{}
	for _, r := range raw {
		for _, kv := range strings.Split(r, ",") {
			k, v, hasValue := strings.Cut(strings.TrimSpace(kv), "=")
			if k = strings.TrimSpace(k); k == "" {
				continue
			}
			if hasValue {
				v := strings.TrimSpace(v)
				f[k] = &v
			} else {
				f[k] = nil
			}
		}
	}
	return f
}

func (f tagFilter) matches(tags map[string]string) bool {
	for k, want := range f {
		got, ok := tags[k]
		if !ok || (want != nil && got != *want) {
			return false
		}
	}
	return true
}
