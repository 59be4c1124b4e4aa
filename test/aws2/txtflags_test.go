//go:build integration

package aws2

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/test/route53fake"
)

func route53Args(e *r53, owner string, dir string, extra ...string) []string {
	return append([]string{"--source=manifest", "--manifest-path=" + dir, "--provider=aws", "--aws-endpoint=" + e.url,
		"--domain-filter=example.com", "--txt-owner-id=" + owner, "--aws-batch-change-interval=0s"}, extra...)
}

// TestTXTNewFormatOnly: --txt-new-format-only, true or false, is accepted and
// exodns writes the typed ownership record only, as upstream does since
// v0.18 (v0.16 wrote a type-less twin unless the flag was set).
func TestTXTNewFormatOnly(t *testing.T) {
	for _, flag := range []string{"--txt-new-format-only", "--txt-new-format-only=false"} {
		t.Run(flag, func(t *testing.T) {
			e := newRoute53(t, route53fake.Options{Rate: -1})
			exodns(t, route53Args(e, "c1", manifests(t, "app.example.com=192.0.2.10"), flag)...)
			expect(t, "TXT sets", e.sets("TXT"),
				`a-app.example.com TXT "heritage=external-dns,external-dns/owner=c1,external-dns/resource=service/default/app"`)
		})
	}
}

// TestMigrateFromTXTOwner: a zone written by owner "old" (as upstream left it)
// is taken over by --txt-owner-id=new --migrate-from-txt-owner=old: the
// ownership records are rewritten, a record of a third owner is left alone,
// and the new owner then manages the records (a changed address lands).
func TestMigrateFromTXTOwner(t *testing.T) {
	for _, flag := range []string{"--migrate-from-txt-owner=old", "--txt-owner-old=old"} {
		t.Run(flag, func(t *testing.T) {
			e := newRoute53(t, route53fake.Options{Rate: -1})
			txt := func(name, value string) types.ResourceRecordSet {
				return types.ResourceRecordSet{Name: aws.String(name), Type: types.RRTypeTxt, TTL: aws.Int64(300),
					ResourceRecords: []types.ResourceRecord{{Value: aws.String(value)}}}
			}
			a := func(name, ip string) types.ResourceRecordSet {
				return types.ResourceRecordSet{Name: aws.String(name), Type: types.RRTypeA, TTL: aws.Int64(300),
					ResourceRecords: []types.ResourceRecord{{Value: aws.String(ip)}}}
			}
			if err := e.fake.PutRecordSets(e.zoneID,
				a("app.example.com", "192.0.2.10"),
				txt("a-app.example.com", `"heritage=external-dns,external-dns/owner=old,external-dns/resource=service/default/app"`),
				a("other.example.com", "192.0.2.20"),
				txt("a-other.example.com", `"heritage=external-dns,external-dns/owner=team-b,external-dns/resource=service/default/other"`),
			); err != nil {
				t.Fatal(err)
			}
			dir := manifests(t, "app.example.com=192.0.2.11", "other.example.com=192.0.2.21")
			exodns(t, route53Args(e, "new", dir, flag)...)
			expect(t, "after migration", e.sets("A", "TXT"),
				"a-app.example.com TXT \"heritage=external-dns,external-dns/owner=new,external-dns/resource=service/default/app\"",
				"a-other.example.com TXT \"heritage=external-dns,external-dns/owner=team-b,external-dns/resource=service/default/other\"",
				"app.example.com A 192.0.2.11",
				"other.example.com A 192.0.2.20",
			)
		})
	}
}
