//go:build integration

package aws2

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/test/dynalite"
	"github.com/exodns/exodns/test/route53fake"
)

// tableItems renders every item as "k o=owner l={key=value,...}", sorted,
// reading the raw attributes so the layout itself is checked.
func tableItems(t *testing.T, c *dynamodb.Client, table string) []string {
	t.Helper()
	out, err := c.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, it := range out.Items {
		var b strings.Builder
		names := make([]string, 0, len(it))
		for n := range it {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			switch v := it[n].(type) {
			case *dtypes.AttributeValueMemberS:
				if n == "k" {
					fmt.Fprintf(&b, "%s", v.Value)
				} else {
					fmt.Fprintf(&b, " %s=%s", n, v.Value)
				}
			case *dtypes.AttributeValueMemberM:
				var kv []string
				for lk, lv := range v.Value {
					s, ok := lv.(*dtypes.AttributeValueMemberS)
					if !ok {
						t.Fatalf("label %s is %T, not a string", lk, lv)
					}
					kv = append(kv, lk+"="+s.Value)
				}
				sort.Strings(kv)
				fmt.Fprintf(&b, " %s={%s}", n, strings.Join(kv, ","))
			default:
				t.Fatalf("attribute %s is %T", n, v)
			}
		}
		lines = append(lines, b.String())
	}
	sort.Strings(lines)
	return lines
}

func dynamoArgs(e *r53, dyn *dynalite.Server, owner, dir string, extra ...string) []string {
	return route53Args(e, owner, dir, append([]string{"--registry=dynamodb", "--dynamodb-endpoint=" + dyn.URL, "--dynamodb-table=owners"}, extra...)...)
}

// TestDynamoDBTwoOwners: two clusters share a hosted zone and one table. The
// table (created by the first run) holds each name once, under the owner
// that published it first; the zone holds no TXT record; the second
// cluster's claim on the shared name is refused and its address never lands.
func TestDynamoDBTwoOwners(t *testing.T) {
	e := newRoute53(t, route53fake.Options{Rate: -1})
	dyn := dynalite.Start(t, dynalite.Options{CreateTableMs: 100})
	exodns(t, dynamoArgs(e, dyn, "c1", manifests(t, "a.example.com=192.0.2.1", "shared.example.com=192.0.2.10"))...)
	log := exodns(t, dynamoArgs(e, dyn, "c2", manifests(t, "b.example.com=192.0.2.2", "shared.example.com=192.0.2.20"))...)
	expect(t, "zone", e.sets("A", "TXT"),
		"a.example.com A 192.0.2.1", "b.example.com A 192.0.2.2", "shared.example.com A 192.0.2.10")
	expect(t, "table", tableItems(t, dyn.Client(), "owners"),
		"a.example.com#A# l={resource=service/default/a} o=c1",
		"b.example.com#A# l={resource=service/default/b} o=c2",
		"shared.example.com#A# l={resource=service/default/shared} o=c1")
	if !strings.Contains(log, "shared.example.com") {
		t.Errorf("the lost name is not reported:\n%s", log)
	}
	// Each cluster goes on managing its own: c2 moves b, c1 drops a.
	exodns(t, dynamoArgs(e, dyn, "c2", manifests(t, "b.example.com=192.0.2.3", "shared.example.com=192.0.2.20"))...)
	exodns(t, dynamoArgs(e, dyn, "c1", manifests(t, "shared.example.com=192.0.2.10"), "--policy=sync")...)
	expect(t, "zone after", e.sets("A", "TXT"), "b.example.com A 192.0.2.3", "shared.example.com A 192.0.2.10")
	expect(t, "table after", tableItems(t, dyn.Client(), "owners"),
		"b.example.com#A# l={resource=service/default/b} o=c2",
		"shared.example.com#A# l={resource=service/default/shared} o=c1")
}

// TestDynamoDBMigrationFromTXT: a zone owned through TXT records (written by
// exodns's TXT registry, byte for byte upstream's, with a prefix) moves to
// the table: items with the TXT records' labels, the TXT records deleted
// when TXT is a managed type and kept otherwise; another owner's TXT
// record is neither migrated nor deleted.
func TestDynamoDBMigrationFromTXT(t *testing.T) {
	for _, tc := range []struct {
		name    string
		managed string
		wantTXT []string
	}{
		{"TXT managed: deleted", "A,CNAME,TXT", []string{
			"a-other.example.com TXT \"heritage=external-dns,external-dns/owner=team-b,external-dns/resource=service/default/other\""}},
		{"TXT not managed: kept", "A,CNAME", []string{
			"a-other.example.com TXT \"heritage=external-dns,external-dns/owner=team-b,external-dns/resource=service/default/other\"",
			"own-a-app.example.com TXT \"heritage=external-dns,external-dns/owner=c1,external-dns/resource=service/default/app\"",
			"own-a-web.example.com TXT \"heritage=external-dns,external-dns/owner=c1,external-dns/resource=service/default/web\""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newRoute53(t, route53fake.Options{Rate: -1})
			dyn := dynalite.Start(t, dynalite.Options{CreateTableMs: 50})
			dir := manifests(t, "app.example.com=192.0.2.1", "web.example.com=192.0.2.2")
			exodns(t, route53Args(e, "c1", dir, "--txt-prefix=own-")...)
			if err := e.fake.PutRecordSets(e.zoneID,
				r53types.ResourceRecordSet{Name: aws.String("other.example.com"), Type: r53types.RRTypeA, TTL: aws.Int64(300),
					ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("192.0.2.9")}}},
				r53types.ResourceRecordSet{Name: aws.String("a-other.example.com"), Type: r53types.RRTypeTxt, TTL: aws.Int64(300),
					ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(`"heritage=external-dns,external-dns/owner=team-b,external-dns/resource=service/default/other"`)}}},
			); err != nil {
				t.Fatal(err)
			}
			args := dynamoArgs(e, dyn, "c1", dir, "--txt-prefix=own-", "--managed-record-types="+tc.managed)
			exodns(t, args...)
			expect(t, "table", tableItems(t, dyn.Client(), "owners"),
				"app.example.com#A# l={resource=service/default/app} o=c1",
				"web.example.com#A# l={resource=service/default/web} o=c1")
			expect(t, "TXT records", e.sets("TXT"), tc.wantTXT...)
			// From the table on: a changed address is an update, nothing
			// else moves.
			dir2 := manifests(t, "app.example.com=192.0.2.5", "web.example.com=192.0.2.2")
			exodns(t, dynamoArgs(e, dyn, "c1", dir2, "--txt-prefix=own-", "--managed-record-types="+tc.managed)...)
			expect(t, "A records", e.sets("A"), "app.example.com A 192.0.2.5", "other.example.com A 192.0.2.9", "web.example.com A 192.0.2.2")
			expect(t, "TXT records after", e.sets("TXT"), tc.wantTXT...)
		})
	}
}

// TestDynamoDBUpstreamTable: a table created and filled the way upstream's
// docs describe (aws dynamodb create-table with hash key k of type S;
// items {k: "name#type#set", o: owner, l: {resource: ...}}), written here
// through the SDK, is read by exodns: our items let us update and delete
// our records, another owner's item keeps us off its record, and items
// exodns writes have the same layout.
func TestDynamoDBUpstreamTable(t *testing.T) {
	e := newRoute53(t, route53fake.Options{Rate: -1})
	dyn := dynalite.Start(t, dynalite.Options{CreateTableMs: 20})
	c := dyn.Client()
	ctx := context.Background()
	if _, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:             aws.String("external-dns"),
		AttributeDefinitions:  []dtypes.AttributeDefinition{{AttributeName: aws.String("k"), AttributeType: dtypes.ScalarAttributeTypeS}},
		KeySchema:             []dtypes.KeySchemaElement{{AttributeName: aws.String("k"), KeyType: dtypes.KeyTypeHash}},
		ProvisionedThroughput: &dtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)},
	}); err != nil {
		t.Fatal(err)
	}
	if err := dynalite.WaitActive(ctx, c, "external-dns"); err != nil {
		t.Fatal(err)
	}
	put := func(k, o string, labels map[string]string) {
		l := map[string]dtypes.AttributeValue{}
		for lk, lv := range labels {
			l[lk] = &dtypes.AttributeValueMemberS{Value: lv}
		}
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("external-dns"), Item: map[string]dtypes.AttributeValue{
			"k": &dtypes.AttributeValueMemberS{Value: k}, "o": &dtypes.AttributeValueMemberS{Value: o},
			"l": &dtypes.AttributeValueMemberM{Value: l},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	a := func(name, ip string, setID string, weight int64) r53types.ResourceRecordSet {
		rr := r53types.ResourceRecordSet{Name: aws.String(name), Type: r53types.RRTypeA, TTL: aws.Int64(300),
			ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(ip)}}}
		if setID != "" {
			rr.SetIdentifier, rr.Weight = aws.String(setID), aws.Int64(weight)
		}
		return rr
	}
	if err := e.fake.PutRecordSets(e.zoneID, a("app.example.com", "192.0.2.1", "", 0), a("old.example.com", "192.0.2.2", "", 0),
		a("theirs.example.com", "192.0.2.3", "", 0), a("w.example.com", "192.0.2.4", "blue", 10)); err != nil {
		t.Fatal(err)
	}
	put("app.example.com#A#", "c1", map[string]string{"resource": "service/default/app"})
	put("old.example.com#A#", "c1", map[string]string{"resource": "service/default/old"})
	put("theirs.example.com#A#", "team-b", map[string]string{"resource": "service/default/theirs"})
	put("w.example.com#A#blue", "c1", map[string]string{"resource": "service/default/w"})

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "m.yaml"), `apiVersion: externaldns.k8s.io/v1alpha1
kind: DNSEndpoint
metadata: {name: m, namespace: default}
spec:
  endpoints:
  - {dnsName: app.example.com, recordType: A, targets: [192.0.2.11]}
  - {dnsName: theirs.example.com, recordType: A, targets: [192.0.2.13]}
  - {dnsName: w.example.com, recordType: A, targets: [192.0.2.14], setIdentifier: blue, providerSpecific: [{name: aws/weight, value: "10"}]}
  - {dnsName: new.example.com, recordType: A, targets: [192.0.2.15]}
`)
	exodns(t, route53Args(e, "c1", dir, "--registry=dynamodb", "--dynamodb-endpoint="+dyn.URL, "--policy=sync")...)
	expect(t, "zone", e.sets("A"), "app.example.com A 192.0.2.11", "new.example.com A 192.0.2.15",
		"theirs.example.com A 192.0.2.3", "w.example.com A 192.0.2.14")
	expect(t, "table", tableItems(t, c, "external-dns"),
		"app.example.com#A# l={resource=crd/default/m} o=c1",
		"new.example.com#A# l={resource=crd/default/m} o=c1",
		"theirs.example.com#A# l={resource=service/default/theirs} o=team-b",
		"w.example.com#A#blue l={resource=crd/default/m} o=c1")
}

// TestDynamoDBEmbedded: the registry works with the embedded provider: a
// second run reads its records back as ours (an address change is an
// update, not a create), and the store holds no TXT record.
func TestDynamoDBEmbedded(t *testing.T) {
	awsEnv(t)
	dyn := dynalite.Start(t, dynalite.Options{CreateTableMs: 20})
	db := filepath.Join(t.TempDir(), "db")
	args := func(dir string) []string {
		return []string{"--source=manifest", "--manifest-path=" + dir, "--provider=embedded", "--embedded-zone=example.com",
			"--embedded-db=" + db, "--embedded-listen=127.0.0.1:0", "--txt-owner-id=emb", "--registry=dynamodb",
			"--dynamodb-endpoint=" + dyn.URL, "--log-format=json"}
	}
	log := exodns(t, args(manifests(t, "app.example.com=192.0.2.1"))...)
	if !strings.Contains(log, `"action":"create"`) || strings.Contains(log, `"type":"TXT"`) {
		t.Errorf("first run:\n%s", log)
	}
	log = exodns(t, args(manifests(t, "app.example.com=192.0.2.2"))...)
	if !strings.Contains(log, `"action":"update"`) || strings.Contains(log, `"action":"create"`) {
		t.Errorf("second run is not an update of our record:\n%s", log)
	}
	expect(t, "table", tableItems(t, dyn.Client(), "external-dns"), "app.example.com#A# l={resource=service/default/app} o=emb")
}

// TestDynamoDBDryRun: a dry run neither creates the table nor writes it.
func TestDynamoDBDryRun(t *testing.T) {
	e := newRoute53(t, route53fake.Options{Rate: -1})
	dyn := dynalite.Start(t, dynalite.Options{})
	exodns(t, dynamoArgs(e, dyn, "c1", manifests(t, "a.example.com=192.0.2.1"), "--dry-run")...)
	for _, op := range []string{"CreateTable", "PutItem", "BatchWriteItem"} {
		if n := dyn.Calls(op); n != 0 {
			t.Errorf("dry run called %s %d times", op, n)
		}
	}
	out, err := dyn.Client().ListTables(context.Background(), &dynamodb.ListTablesInput{})
	if err != nil || len(out.TableNames) != 0 {
		t.Errorf("tables %v, %v", out.TableNames, err)
	}
	if got := e.sets("A"); len(got) != 0 {
		t.Errorf("dry run wrote %v", got)
	}
}

// TestDynamoDBWrongSchema: a table with another key is refused with the
// layout it needs, before anything is written.
func TestDynamoDBWrongSchema(t *testing.T) {
	e := newRoute53(t, route53fake.Options{Rate: -1})
	dyn := dynalite.Start(t, dynalite.Options{CreateTableMs: 20})
	c := dyn.Client()
	if _, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String("owners"),
		AttributeDefinitions: []dtypes.AttributeDefinition{{AttributeName: aws.String("k"), AttributeType: dtypes.ScalarAttributeTypeS}, {AttributeName: aws.String("r"), AttributeType: dtypes.ScalarAttributeTypeS}},
		KeySchema:            []dtypes.KeySchemaElement{{AttributeName: aws.String("k"), KeyType: dtypes.KeyTypeHash}, {AttributeName: aws.String("r"), KeyType: dtypes.KeyTypeRange}},
		BillingMode:          dtypes.BillingModePayPerRequest,
	}); err != nil {
		t.Fatal(err)
	}
	if err := dynalite.WaitActive(context.Background(), c, "owners"); err != nil {
		t.Fatal(err)
	}
	out, err := tryExodns(t, dynamoArgs(e, dyn, "c1", manifests(t, "a.example.com=192.0.2.1"))...)
	if err == nil || !strings.Contains(out+err.Error(), "sort (range) key") {
		t.Errorf("err %v\n%s", err, out)
	}
	if got := e.sets("A"); len(got) != 0 || slices.Contains(keys(dyn.Counts()), "PutItem") {
		t.Errorf("wrote with a wrong table: %v %v", got, dyn.Counts())
	}
}

func keys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestDynamoDBMigrateOwner: --migrate-from-txt-owner works on the table too:
// the old owner's items become ours with a conditional write (a changed
// address lands in the same run), a third owner's item stays theirs.
func TestDynamoDBMigrateOwner(t *testing.T) {
	e := newRoute53(t, route53fake.Options{Rate: -1})
	dyn := dynalite.Start(t, dynalite.Options{CreateTableMs: 20})
	dir := manifests(t, "a.example.com=192.0.2.1", "b.example.com=192.0.2.2", "c.example.com=192.0.2.3")
	exodns(t, dynamoArgs(e, dyn, "old", dir)...)
	c := dyn.Client()
	if _, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("owners"), Item: map[string]dtypes.AttributeValue{
		"k": &dtypes.AttributeValueMemberS{Value: "c.example.com#A#"}, "o": &dtypes.AttributeValueMemberS{Value: "team-c"},
		"l": &dtypes.AttributeValueMemberM{Value: map[string]dtypes.AttributeValue{}}}}); err != nil {
		t.Fatal(err)
	}
	dir2 := manifests(t, "a.example.com=192.0.2.11", "b.example.com=192.0.2.2", "c.example.com=192.0.2.13")
	exodns(t, dynamoArgs(e, dyn, "new", dir2, "--migrate-from-txt-owner=old")...)
	expect(t, "table", tableItems(t, c, "owners"),
		"a.example.com#A# l={resource=service/default/a} o=new",
		"b.example.com#A# l={resource=service/default/b} o=new",
		"c.example.com#A# l={} o=team-c")
	expect(t, "zone", e.sets("A"), "a.example.com A 192.0.2.11", "b.example.com A 192.0.2.2", "c.example.com A 192.0.2.3")
}
