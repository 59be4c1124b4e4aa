package route53fake_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/test/route53fake"
)

func TestHostedZones(t *testing.T) {
	e := newEnv(t, route53fake.Options{})
	ctx := context.Background()
	priv := e.fake.Default().AddZoneSpec(route53fake.ZoneSpec{Name: "internal.example.com", Private: true,
		VPCs: []route53fake.VPC{{Region: "eu-west-1", ID: "vpc-0123456789abcdef0"}}})
	other := e.fake.AddZone("Other.NET.", false, nil)

	t.Run("get public", func(t *testing.T) {
		out, err := e.c.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String("/hostedzone/" + e.zone)})
		if err != nil {
			t.Fatal(err)
		}
		z := out.HostedZone
		if aws.ToString(z.Id) != "/hostedzone/"+e.zone || aws.ToString(z.Name) != "example.com." || z.Config.PrivateZone ||
			aws.ToInt64(z.ResourceRecordSetCount) != 2 || len(out.DelegationSet.NameServers) != 4 || len(out.VPCs) != 0 {
			t.Fatalf("unexpected zone %+v %+v", z, out)
		}
	})
	t.Run("get private", func(t *testing.T) {
		out, err := e.c.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(priv)})
		if err != nil {
			t.Fatal(err)
		}
		if !out.HostedZone.Config.PrivateZone || out.DelegationSet != nil || len(out.VPCs) != 1 ||
			aws.ToString(out.VPCs[0].VPCId) != "vpc-0123456789abcdef0" || out.VPCs[0].VPCRegion != "eu-west-1" {
			t.Fatalf("unexpected private zone %+v", out)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		_, err := e.c.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String("/hostedzone/Z2ES8B9AZ6SHAE")})
		wantAPIError(t, err, "NoSuchHostedZone", "No hosted zone found with ID: Z2ES8B9AZ6SHAE")
	})
	t.Run("list pages", func(t *testing.T) {
		var ids []string
		p := route53.NewListHostedZonesPaginator(e.c, &route53.ListHostedZonesInput{MaxItems: aws.Int32(1)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, z := range out.HostedZones {
				ids = append(ids, strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/"))
			}
		}
		if strings.Join(ids, ",") != strings.Join([]string{e.zone, priv, other}, ",") {
			t.Fatalf("zones %v", ids)
		}
	})
	t.Run("private only", func(t *testing.T) {
		out, err := e.c.ListHostedZones(ctx, &route53.ListHostedZonesInput{HostedZoneType: types.HostedZoneTypePrivateHostedZone})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.HostedZones) != 1 || aws.ToString(out.HostedZones[0].Name) != "internal.example.com." {
			t.Fatalf("private zones %+v", out.HostedZones)
		}
	})
	t.Run("by name", func(t *testing.T) {
		out, err := e.c.ListHostedZonesByName(ctx, &route53.ListHostedZonesByNameInput{MaxItems: aws.Int32(2)})
		if err != nil {
			t.Fatal(err)
		}
		// com.example < com.example.internal < net.other
		if len(out.HostedZones) != 2 || aws.ToString(out.HostedZones[1].Name) != "internal.example.com." || !out.IsTruncated ||
			aws.ToString(out.NextDNSName) != "other.net." || aws.ToString(out.NextHostedZoneId) != other {
			t.Fatalf("by name %+v", out)
		}
		out, err = e.c.ListHostedZonesByName(ctx, &route53.ListHostedZonesByNameInput{
			DNSName: out.NextDNSName, HostedZoneId: out.NextHostedZoneId})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.HostedZones) != 1 || out.IsTruncated || out.NextDNSName != nil {
			t.Fatalf("second page %+v", out)
		}
	})
	t.Run("create", func(t *testing.T) {
		in := &route53.CreateHostedZoneInput{Name: aws.String("new.example.org"), CallerReference: aws.String("ref-1"),
			VPC: &types.VPC{VPCId: aws.String("vpc-1"), VPCRegion: types.VPCRegionUsWest2}}
		out, err := e.c.CreateHostedZone(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if !out.HostedZone.Config.PrivateZone || !strings.HasSuffix(aws.ToString(out.Location), aws.ToString(out.HostedZone.Id)[len("/hostedzone"):]) ||
			out.ChangeInfo.Status != types.ChangeStatusPending || out.VPC == nil {
			t.Fatalf("create %+v", out)
		}
		_, err = e.c.CreateHostedZone(ctx, in)
		wantAPIError(t, err, "HostedZoneAlreadyExists", "")
	})
	t.Run("delete", func(t *testing.T) {
		e.mustChange(t, other, create(rrset("www.other.net", types.RRTypeA, 60, "192.0.2.1")))
		_, err := e.c.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: aws.String(other)})
		wantAPIError(t, err, "HostedZoneNotEmpty", "")
		e.mustChange(t, other, del(rrset("www.other.net", types.RRTypeA, 60, "192.0.2.1")))
		if _, err := e.c.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: aws.String(other)}); err != nil {
			t.Fatal(err)
		}
		if e.fake.RecordSets(other) != nil {
			t.Fatal("zone still present")
		}
	})
}

func TestMultiAccount(t *testing.T) {
	e := newEnv(t, route53fake.Options{})
	ctx := context.Background()
	a, b := e.fake.Account("AKIDA"), e.fake.Account("AKIDB")
	za := a.AddZone("example.com", false, map[string]string{"team": "a"})
	zb := b.AddZone("example.com", true, nil)
	ca, cb := e.client(t, "AKIDA"), e.client(t, "AKIDB")

	names := func(c *route53.Client) []string {
		out, err := c.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, z := range out.HostedZones {
			ids = append(ids, strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/"))
		}
		return ids
	}
	if got := names(ca); len(got) != 1 || got[0] != za {
		t.Fatalf("account A sees %v", got)
	}
	if got := names(cb); len(got) != 1 || got[0] != zb {
		t.Fatalf("account B sees %v", got)
	}
	if got := names(e.client(t, "AKIDUNREGISTERED")); len(got) != 1 || got[0] != e.zone {
		t.Fatalf("an unregistered key sees %v, want the default account", got)
	}
	_, err := cb.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(za)})
	wantAPIError(t, err, "NoSuchHostedZone", "No hosted zone found with ID: "+za)

	if err := (&env{c: ca}).change(t, za, create(rrset("www.example.com", types.RRTypeA, 60, "192.0.2.1"))); err != nil {
		t.Fatal(err)
	}
	if len(e.fake.RecordSets(za)) != 3 || len(e.fake.RecordSets(zb)) != 2 {
		t.Fatal("a change leaked across accounts")
	}
	if a.Calls("ChangeResourceRecordSets") != 1 || b.Calls("ChangeResourceRecordSets") != 0 {
		t.Fatal("calls were not counted per account")
	}

	t.Run("own throttle buckets", func(t *testing.T) {
		a.SetRate(0.001, 1)
		cA := e.client(t, "AKIDA", noRetries)
		cA.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
		_, err := cA.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
		wantAPIError(t, err, "Throttling", "Rate exceeded")
		if _, err := e.client(t, "AKIDB", noRetries).ListHostedZones(ctx, &route53.ListHostedZonesInput{}); err != nil {
			t.Fatalf("account B throttled by account A: %v", err)
		}
	})
	t.Run("strict accounts", func(t *testing.T) {
		s := newEnv(t, route53fake.Options{StrictAccounts: true})
		_, err := s.c.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
		wantAPIError(t, err, "InvalidClientTokenId", "The security token included in the request is invalid.")
	})
}

func TestTags(t *testing.T) {
	e := newEnv(t, route53fake.Options{})
	ctx := context.Background()
	z := e.fake.AddZone("tagged.example.com", false, map[string]string{"owner": "exodns"})
	list := func(id string) map[string]string {
		out, err := e.c.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{ResourceType: types.TagResourceTypeHostedzone, ResourceId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, tag := range out.ResourceTagSet.Tags {
			m[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		return m
	}
	if got := list(z); got["owner"] != "exodns" || len(got) != 1 {
		t.Fatalf("seeded tags %v", got)
	}
	_, err := e.c.ChangeTagsForResource(ctx, &route53.ChangeTagsForResourceInput{ResourceType: types.TagResourceTypeHostedzone, ResourceId: aws.String(z),
		AddTags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}, RemoveTagKeys: []string{"owner"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := list(z); got["env"] != "prod" || len(got) != 1 {
		t.Fatalf("changed tags %v", got)
	}
	out, err := e.c.ListTagsForResources(ctx, &route53.ListTagsForResourcesInput{ResourceType: types.TagResourceTypeHostedzone,
		ResourceIds: []string{z, e.zone}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ResourceTagSets) != 2 || aws.ToString(out.ResourceTagSets[0].ResourceId) != z || len(out.ResourceTagSets[1].Tags) != 0 {
		t.Fatalf("tag sets %+v", out.ResourceTagSets)
	}
	_, err = e.c.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{ResourceType: types.TagResourceTypeHostedzone, ResourceId: aws.String("ZNOPE")})
	wantAPIError(t, err, "NoSuchHostedZone", "No hosted zone found with ID: ZNOPE")
	tooMany := make([]types.Tag, 11)
	for i := range tooMany {
		tooMany[i] = types.Tag{Key: aws.String(strings.Repeat("k", i+1)), Value: aws.String("v")}
	}
	_, err = e.c.ChangeTagsForResource(ctx, &route53.ChangeTagsForResourceInput{ResourceType: types.TagResourceTypeHostedzone, ResourceId: aws.String(z), AddTags: tooMany})
	wantAPIError(t, err, "InvalidInput", "")

	hc := e.healthCheck(t, "tagged")
	_, err = e.c.ChangeTagsForResource(ctx, &route53.ChangeTagsForResourceInput{ResourceType: types.TagResourceTypeHealthcheck, ResourceId: aws.String(hc),
		AddTags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("origin")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.fake.Tags("healthcheck", hc); got["Name"] != "origin" {
		t.Fatalf("health check tags %v", got)
	}
}
