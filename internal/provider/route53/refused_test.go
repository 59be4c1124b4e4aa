package route53

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/test/route53fake"
)

// TestOneRefusedChangeBlamesOnlyItself sends a batch in which Route 53
// refuses exactly one change (a record created behind the provider's back
// since its last listing). Every other change lands; the report names the
// refused change alone, with its resource and Route 53's own message, and
// does not blame its ownership record, which only went down with it.
func TestOneRefusedChangeBlamesOnlyItself(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: -1})
	zid := e.fake.AddZone("example.com", false, nil)
	c := e.cluster("c1", "", testConfig())
	c.mustConverge(owned("seed.example.com", "A", "service/default/seed", "192.0.2.99"))
	// Someone else creates r05; the provider's cache does not know yet.
	if err := e.fake.PutRecordSets(zid, types.ResourceRecordSet{Name: aws.String("r05.example.com"), Type: types.RRTypeA,
		TTL: aws.Int64(30), ResourceRecords: []types.ResourceRecord{{Value: aws.String("198.51.100.1")}}}); err != nil {
		t.Fatal(err)
	}
	desired := []*endpoint.Endpoint{owned("seed.example.com", "A", "service/default/seed", "192.0.2.99")}
	for i := range 10 {
		desired = append(desired, owned(fmt.Sprintf("r%02d.example.com", i), "A", fmt.Sprintf("service/default/r%02d", i), "192.0.2.1"))
	}
	_, err := c.sync(desired...)
	var ae *ApplyError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want an ApplyError", err)
	}
	want := "CREATE r05.example.com/A (service/default/r05) in example.com: InvalidChangeBatch: " +
		"[Tried to create resource record set [name='r05.example.com.', type='A'] but it already exists]" +
		" (with it, 1 other change(s) at that name not applied)"
	if len(ae.Failed) != 1 || ae.Failed[0] != want {
		t.Fatalf("failed:\n  %s\nwant only\n  %s", strings.Join(ae.Failed, "\n  "), want)
	}
	// The controller sees a refusal, not a failed reconcile, naming the
	// record and its object, with Route 53's reason.
	re, ok := provider.AsRefused(err)
	if !ok || len(re.Refused) != 1 || re.Refused[0].Endpoint.DNSName != "r05.example.com" ||
		re.Refused[0].Endpoint.Resource() != "service/default/r05" || !strings.Contains(re.Refused[0].Err.Error(), "already exists") {
		t.Fatalf("refusals %+v", re)
	}
	for i := range 10 {
		if i == 5 {
			continue
		}
		name := fmt.Sprintf("r%02d.example.com", i)
		for _, n := range []string{name, "a-" + name} {
			if !e.has(zid, n) {
				t.Errorf("%s was not applied", n)
			}
		}
	}
	if e.has(zid, "a-r05.example.com") {
		t.Error("the refused record's ownership record was created alone")
	}
}

// TestRefusedTXTDoesNotTakeANeighbourDown: a TXT record of a user is not
// anybody's ownership record, so it is batched on its own. When Route 53
// refuses it, the record next to it in the batch still lands and is not
// blamed (it used to be grouped with a record of the same parent domain,
// and reported with the TXT record's error).
func TestRefusedTXTDoesNotTakeANeighbourDown(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: -1})
	zid := e.fake.AddZone("example.com", false, nil)
	c := e.cluster("c1", "", fastConfig())
	c.managed = []string{"A", "AAAA", "CNAME", "TXT"}
	c.mustConverge(owned("seed.example.com", "A", "service/default/seed", "192.0.2.99"))
	if err := e.fake.PutRecordSets(zid, types.ResourceRecordSet{Name: aws.String("note.example.com"), Type: types.RRTypeTxt,
		TTL: aws.Int64(30), ResourceRecords: []types.ResourceRecord{{Value: aws.String(`"by hand"`)}}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.sync(owned("seed.example.com", "A", "service/default/seed", "192.0.2.99"),
		owned("note.example.com", "TXT", "configmap/default/note", "hello"),
		owned("y.example.com", "A", "service/default/y", k3sIP))
	var ae *ApplyError
	if !errors.As(err, &ae) || len(ae.Failed) != 1 || !strings.HasPrefix(ae.Failed[0], "CREATE note.example.com/TXT (configmap/default/note) in example.com: InvalidChangeBatch: [Tried to create resource record set [name='note.example.com.', type='TXT']") {
		t.Fatalf("err = %v, want note.example.com/TXT alone refused", err)
	}
	if !e.has(zid, "y.example.com") || !e.has(zid, "a-y.example.com") {
		t.Errorf("the neighbour did not land: %v", e.zoneContent(zid))
	}
}

// TestRefusedRecordIsHeldUntilItChanges: a record Route 53 refuses for a
// reason that lasts (an alias to a name that does not exist) is not sent
// again on every run: it is held, with Route 53's reason, and the runs are
// clean, until it changes.
func TestRefusedRecordIsHeldUntilItChanges(t *testing.T) {
	e := newEnv(t, route53fake.Options{Rate: -1})
	zid := e.fake.AddZone("example.com", false, nil)
	c := e.cluster("c1", "", testConfig())
	good := owned("app.example.com", "A", "service/default/app", rke2IP)
	c.mustConverge(good)
	bad := withProps(owned("www.example.com", "CNAME", "ingress/default/www", "missing.example.com"), propAlias, "true")
	if _, err := c.sync(good, bad); err == nil || !strings.Contains(err.Error(), "that target was not found") {
		t.Fatalf("first run: %v", err)
	}
	before := c.api.calls["ChangeResourceRecordSets"].Load()
	if _, err := c.sync(good, bad); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if n := c.api.calls["ChangeResourceRecordSets"].Load() - before; n != 0 {
		t.Errorf("the refused record was sent again (%d requests)", n)
	}
	probs := c.p.Problems()
	if len(probs) != 1 || probs[0].Resource != "ingress/default/www" || !strings.Contains(probs[0].Reason, "that target was not found") {
		t.Fatalf("problems = %+v", probs)
	}
	// Fixed, it goes through at once.
	fixed := withProps(owned("www.example.com", "CNAME", "ingress/default/www", "app.example.com"), propAlias, "true")
	c.mustConverge(good, fixed)
	if !e.has(zid, "www.example.com") || !e.has(zid, "a-www.example.com") {
		t.Errorf("the fixed record did not land: %v", e.zoneContent(zid))
	}
}

// has reports whether the fake holds a set named name.
func (e *env) has(zoneID, name string) bool {
	for _, s := range e.fake.RecordSets(zoneID) {
		if canonicalName(aws.ToString(s.Name)) == name {
			return true
		}
	}
	return false
}
