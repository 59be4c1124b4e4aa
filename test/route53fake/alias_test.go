package route53fake_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/test/route53fake"
)

func TestAliasRecords(t *testing.T) {
	e := newEnv(t, route53fake.Options{})
	lb := with(alias("www.example.com", types.RRTypeA, elbZone, "LB-1.us-east-1.ELB.amazonaws.com"), func(s *types.ResourceRecordSet) {
		s.AliasTarget.EvaluateTargetHealth = true
	})
	apex := alias("example.com", types.RRTypeA, "/hostedzone/"+e.zone, "www.example.com")
	apex.AliasTarget.HostedZoneId = aws.String(e.zone)
	e.mustChange(t, e.zone, create(lb), create(apex))
	out, err := e.c.ListResourceRecordSets(context.Background(), &route53.ListResourceRecordSetsInput{
		HostedZoneId: aws.String(e.zone), StartRecordName: aws.String("www.example.com"), StartRecordType: types.RRTypeA})
	if err != nil {
		t.Fatal(err)
	}
	got := out.ResourceRecordSets[0]
	if at := got.AliasTarget; at == nil || aws.ToString(at.DNSName) != "lb-1.us-east-1.elb.amazonaws.com." || !at.EvaluateTargetHealth ||
		got.TTL != nil || got.ResourceRecords != nil {
		t.Fatalf("alias listed as %+v / %+v", got, got.AliasTarget)
	}
	// The client's spelling of the target still deletes the set.
	e.mustChange(t, e.zone, del(apex), del(lb))
	if n := len(e.fake.RecordSets(e.zone)); n != 2 {
		t.Fatalf("%d sets left", n)
	}
}
