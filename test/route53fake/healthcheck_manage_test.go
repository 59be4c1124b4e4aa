package route53fake_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/test/route53fake"
)

// TestHealthCheckDeleteInUse: today's Route 53 deletes a check that
// records still use (they then name a check that does not exist, which
// DanglingHealthChecks reports); with RefuseDeleteInUse the fake refuses
// it, as Route 53 did before HealthCheckInUse was retired, until no record
// names it.
func TestHealthCheckDeleteInUse(t *testing.T) {
	ctx := context.Background()
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprintf("strict=%t", strict), func(t *testing.T) {
			e := newEnv(t, route53fake.Options{RefuseDeleteInUse: strict})
			id := e.healthCheck(t, "in-use")
			set := with(weighted(rrset("w.example.com", types.RRTypeA, 60, "192.0.2.1"), "one", 1),
				func(s *types.ResourceRecordSet) { s.HealthCheckId = &id })
			e.mustChange(t, e.zone, create(set))
			_, err := e.c.DeleteHealthCheck(ctx, &route53.DeleteHealthCheckInput{HealthCheckId: aws.String(id)})
			if !strict {
				if err != nil {
					t.Fatal(err)
				}
				if d := e.fake.DanglingHealthChecks(); len(d) != 1 || !strings.Contains(d[0], "w.example.com A set=one -> "+id) {
					t.Fatalf("dangling %v", d)
				}
				return
			}
			wantAPIError(t, err, "HealthCheckInUse", "")
			// Moved off the check, the record lets it go.
			moved := with(weighted(rrset("w.example.com", types.RRTypeA, 60, "192.0.2.1"), "one", 1), func(*types.ResourceRecordSet) {})
			e.mustChange(t, e.zone, upsert(moved))
			if _, err := e.c.DeleteHealthCheck(ctx, &route53.DeleteHealthCheckInput{HealthCheckId: aws.String(id)}); err != nil {
				t.Fatal(err)
			}
			if d := e.fake.DanglingHealthChecks(); len(d) != 0 {
				t.Fatalf("dangling %v", d)
			}
		})
	}
}

// TestHealthCheckPagingAndTags lists 25 checks in pages of 10 by marker,
// tags them ten at a time (the limit of both tag calls), and reads the
// tags back; a deleted check's tags go with it.
func TestHealthCheckPagingAndTags(t *testing.T) {
	e := newEnv(t, route53fake.Options{})
	ctx := context.Background()
	var ids []string
	for i := range 25 {
		ids = append(ids, e.healthCheck(t, fmt.Sprintf("page-%02d", i)))
	}
	var got []string
	in := &route53.ListHealthChecksInput{MaxItems: aws.Int32(10)}
	pages := 0
	for {
		out, err := e.c.ListHealthChecks(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, h := range out.HealthChecks {
			got = append(got, aws.ToString(h.Id))
		}
		if !out.IsTruncated {
			if out.NextMarker != nil {
				t.Fatal("NextMarker on the last page")
			}
			break
		}
		in.Marker = out.NextMarker
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Fatalf("%d pages, %d checks", pages, len(got))
	}
	// Without maxitems, and above the cap of 1000.
	out, err := e.c.ListHealthChecks(ctx, &route53.ListHealthChecksInput{MaxItems: aws.Int32(5000)})
	if err != nil || len(out.HealthChecks) != 25 || aws.ToInt32(out.MaxItems) != 1000 {
		t.Fatalf("capped list: %v %+v", err, out)
	}

	tag := func(id string) types.Tag {
		return types.Tag{Key: aws.String("external-dns/owner"), Value: aws.String("c1-" + id[:4])}
	}
	if _, err := e.c.ChangeTagsForResource(ctx, &route53.ChangeTagsForResourceInput{ResourceType: types.TagResourceTypeHealthcheck,
		ResourceId: aws.String(ids[0]), AddTags: []types.Tag{tag(ids[0])}}); err != nil {
		t.Fatal(err)
	}
	tags, err := e.c.ListTagsForResources(ctx, &route53.ListTagsForResourcesInput{ResourceType: types.TagResourceTypeHealthcheck, ResourceIds: ids[:10]})
	if err != nil || len(tags.ResourceTagSets) != 10 || aws.ToString(tags.ResourceTagSets[0].Tags[0].Value) != "c1-"+ids[0][:4] ||
		tags.ResourceTagSets[0].ResourceType != types.TagResourceTypeHealthcheck {
		t.Fatalf("tags %v %+v", err, tags)
	}
	_, err = e.c.ListTagsForResources(ctx, &route53.ListTagsForResourcesInput{ResourceType: types.TagResourceTypeHealthcheck, ResourceIds: ids[:11]})
	wantAPIError(t, err, "InvalidInput", "")
	one, err := e.c.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{ResourceType: types.TagResourceTypeHealthcheck, ResourceId: aws.String(ids[0])})
	if err != nil || len(one.ResourceTagSet.Tags) != 1 {
		t.Fatalf("one: %v %+v", err, one)
	}
	if _, err := e.c.DeleteHealthCheck(ctx, &route53.DeleteHealthCheckInput{HealthCheckId: aws.String(ids[0])}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{ResourceType: types.TagResourceTypeHealthcheck, ResourceId: aws.String(ids[0])})
	wantAPIError(t, err, "NoSuchHealthCheck", "")
	_, err = e.c.ChangeTagsForResource(ctx, &route53.ChangeTagsForResourceInput{ResourceType: types.TagResourceTypeHealthcheck,
		ResourceId: aws.String(ids[0]), AddTags: []types.Tag{tag(ids[0])}})
	wantAPIError(t, err, "NoSuchHealthCheck", "")
	if n := e.fake.Calls("ListHealthChecks"); n != 4 {
		t.Errorf("ListHealthChecks counted %d times, want 4", n)
	}
	if n := len(e.fake.HealthChecks()); n != 24 {
		t.Errorf("%d checks left, want 24", n)
	}
}

// TestRequestLogHealthChecks: the log names the check each call is about,
// the one a create made, and the check each record set of a batch names,
// so a test can replay the order of events.
func TestRequestLogHealthChecks(t *testing.T) {
	var log bytes.Buffer
	e := newEnv(t, route53fake.Options{RequestLog: &log})
	ctx := context.Background()
	id := e.healthCheck(t, "logged")
	if _, err := e.c.ChangeTagsForResource(ctx, &route53.ChangeTagsForResourceInput{ResourceType: types.TagResourceTypeHealthcheck,
		ResourceId: aws.String(id), AddTags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
		t.Fatal(err)
	}
	e.mustChange(t, e.zone, create(with(weighted(rrset("w.example.com", types.RRTypeA, 60, "192.0.2.1"), "one", 1),
		func(s *types.ResourceRecordSet) { s.HealthCheckId = &id })))
	if _, err := e.c.DeleteHealthCheck(ctx, &route53.DeleteHealthCheckInput{HealthCheckId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"CreateHealthCheck account=AKIDDEFAULT healthcheck=" + id + " result=ok",
		"ChangeTagsForResource account=AKIDDEFAULT healthcheck=" + id + " result=ok",
		"ChangeResourceRecordSets account=AKIDDEFAULT zone=" + e.zone + " changes=[CREATE w.example.com A set=one healthcheck=" + id + "] result=ok",
		"DeleteHealthCheck account=AKIDDEFAULT healthcheck=" + id + " result=ok",
	}
	if got := strings.Split(strings.TrimSpace(log.String()), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
