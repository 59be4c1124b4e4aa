package route53fake_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/test/route53fake"
)

type setID struct{ name, typ, id string }

func idOf(s types.ResourceRecordSet) setID {
	return setID{aws.ToString(s.Name), string(s.Type), aws.ToString(s.SetIdentifier)}
}

// listAll pages through a zone with the SDK's own paginator.
func listAll(t *testing.T, c *route53.Client, zone string, maxItems int32) ([]setID, []int) {
	t.Helper()
	in := &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zone)}
	if maxItems > 0 {
		in.MaxItems = aws.Int32(maxItems)
	}
	var ids []setID
	var sizes []int
	p := route53.NewListResourceRecordSetsPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(out.ResourceRecordSets))
		for _, s := range out.ResourceRecordSets {
			ids = append(ids, idOf(s))
		}
	}
	return ids, sizes
}

func seedA(t *testing.T, e *env, n int) {
	t.Helper()
	sets := make([]types.ResourceRecordSet, n)
	for i := range sets {
		sets[i] = *rrset(fmt.Sprintf("r%04d.example.com", i), types.RRTypeA, 60, "192.0.2.1")
	}
	if err := e.fake.PutRecordSets(e.zone, sets...); err != nil {
		t.Fatal(err)
	}
}

func TestListPaging(t *testing.T) {
	e := newEnv(t, route53fake.Options{})
	seedA(t, e, 1000) // plus SOA and NS: 1002 sets
	want := make([]setID, 0, 1002)
	for _, s := range e.fake.RecordSets(e.zone) {
		want = append(want, idOf(s))
	}
	for _, tc := range []struct {
		maxItems  int32
		wantSizes []int
	}{
		{0, []int{300, 300, 300, 102}},
		{300, []int{300, 300, 300, 102}},
		{1000, []int{300, 300, 300, 102}}, // capped at 300
		{250, []int{250, 250, 250, 250, 2}},
	} {
		t.Run(fmt.Sprint(tc.maxItems), func(t *testing.T) {
			e.fake.ResetCalls()
			got, sizes := listAll(t, e.c, e.zone, tc.maxItems)
			if fmt.Sprint(sizes) != fmt.Sprint(tc.wantSizes) {
				t.Fatalf("page sizes %v, want %v", sizes, tc.wantSizes)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("listing differs from state")
			}
			if n := e.fake.Calls("ListResourceRecordSets"); n != len(tc.wantSizes) {
				t.Fatalf("%d calls, want %d", n, len(tc.wantSizes))
			}
		})
	}
	out, err := e.c.ListResourceRecordSets(context.Background(), &route53.ListResourceRecordSetsInput{
		HostedZoneId: aws.String(e.zone), MaxItems: aws.Int32(1000)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(out.MaxItems) != 300 || !out.IsTruncated || aws.ToString(out.NextRecordName) != "r0298.example.com." {
		t.Fatalf("MaxItems %d, truncated %v, next %q", aws.ToInt32(out.MaxItems), out.IsTruncated, aws.ToString(out.NextRecordName))
	}
}

// TestListOrderAndContinuation pages one set at a time and more, so that
// continuation tokens land between types of one name, inside a group of
// set identifiers, and on escaped names.
func TestListOrderAndContinuation(t *testing.T) {
	e := newEnv(t, route53fake.Options{})
	var changes []types.Change
	for _, typ := range []types.RRType{types.RRTypeTxt, types.RRTypeA, types.RRTypeMx, types.RRTypeAaaa} {
		v := map[types.RRType]string{types.RRTypeTxt: `"t"`, types.RRTypeA: "192.0.2.1", types.RRTypeMx: "10 mx.example.com", types.RRTypeAaaa: "2001:db8::1"}[typ]
		changes = append(changes, create(rrset("Same.Example.com", typ, 60, v)))
	}
	for _, id := range []string{"e", "b", "a", "d", "c"} {
		changes = append(changes, create(weighted(rrset("w.example.com", types.RRTypeA, 60, "192.0.2.1"), id, 10)))
	}
	changes = append(changes,
		create(rrset("*.example.com", types.RRTypeA, 60, "192.0.2.9")),
		create(rrset("a.b.example.com", types.RRTypeA, 60, "192.0.2.9")),
		create(rrset("z.example.com", types.RRTypeA, 60, "192.0.2.9")),
		create(rrset("b.example.com", types.RRTypeA, 60, "192.0.2.9")),
	)
	e.mustChange(t, e.zone, changes...)
	want := []setID{
		{"example.com.", "NS", ""}, {"example.com.", "SOA", ""},
		{`\052.example.com.`, "A", ""},
		{"b.example.com.", "A", ""}, {"a.b.example.com.", "A", ""},
		{"same.example.com.", "A", ""}, {"same.example.com.", "AAAA", ""}, {"same.example.com.", "MX", ""}, {"same.example.com.", "TXT", ""},
		{"w.example.com.", "A", "a"}, {"w.example.com.", "A", "b"}, {"w.example.com.", "A", "c"}, {"w.example.com.", "A", "d"}, {"w.example.com.", "A", "e"},
		{"z.example.com.", "A", ""},
	}
	for _, n := range []int32{1, 2, 3, 4, 5, 300} {
		got, _ := listAll(t, e.c, e.zone, n)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("maxitems %d:\n got %v\nwant %v", n, got, want)
		}
	}

	// A page boundary inside the weighted group hands out an identifier.
	out, err := e.c.ListResourceRecordSets(context.Background(), &route53.ListResourceRecordSetsInput{
		HostedZoneId: aws.String(e.zone), StartRecordName: aws.String("w.example.com"),
		StartRecordType: types.RRTypeA, StartRecordIdentifier: aws.String("b"), MaxItems: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.NextRecordIdentifier); got != "d" || idOf(out.ResourceRecordSets[0]).id != "b" {
		t.Fatalf("next identifier %q, first %v", got, idOf(out.ResourceRecordSets[0]))
	}

	// Starting at a name that does not exist begins at the next one.
	out, err = e.c.ListResourceRecordSets(context.Background(), &route53.ListResourceRecordSetsInput{
		HostedZoneId: aws.String(e.zone), StartRecordName: aws.String("c.example.com"), MaxItems: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.ResourceRecordSets[0].Name); got != "same.example.com." || aws.ToString(out.NextRecordName) != "same.example.com." {
		t.Fatalf("first %q next %q", got, aws.ToString(out.NextRecordName))
	}
	if out.NextRecordIdentifier != nil {
		t.Fatalf("NextRecordIdentifier present for a simple set")
	}
}

func TestListErrors(t *testing.T) {
	e := newEnv(t, route53fake.Options{})
	for _, tc := range []struct {
		name string
		in   route53.ListResourceRecordSetsInput
		code string
	}{
		{"type without name", route53.ListResourceRecordSetsInput{StartRecordType: types.RRTypeA}, "InvalidInput"},
		{"empty label", route53.ListResourceRecordSetsInput{StartRecordName: aws.String("example.org..")}, "InvalidInput"},
		{"unknown zone", route53.ListResourceRecordSetsInput{HostedZoneId: aws.String("/hostedzone/ZNOPE")}, "NoSuchHostedZone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in.HostedZoneId == nil {
				in.HostedZoneId = aws.String(e.zone)
			}
			_, err := e.c.ListResourceRecordSets(context.Background(), &in)
			msg := ""
			if tc.code == "NoSuchHostedZone" {
				msg = "No hosted zone found with ID: ZNOPE"
			}
			wantAPIError(t, err, tc.code, msg)
		})
	}
}
