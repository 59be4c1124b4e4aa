package route53fake_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/exodns/exodns/test/route53fake"
)

const batchHead = `<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes>`
const batchTail = `</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`

// FuzzChangeBatch feeds arbitrary bodies to ChangeResourceRecordSets through
// ServeHTTP directly, so that a panic reaches the fuzzer instead of being
// swallowed by net/http. Any body must get a 200 or a 4xx, and the zone
// must still list afterwards.
func FuzzChangeBatch(f *testing.F) {
	for _, change := range []string{
		`<Change><Action>CREATE</Action><ResourceRecordSet><Name>a.example.com</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>`,
		`<Change><Action>UPSERT</Action><ResourceRecordSet><Name>\052.example.com.</Name><Type>TXT</Type><TTL>1</TTL><ResourceRecords><ResourceRecord><Value>"x"</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>`,
		`<Change><Action>DELETE</Action><ResourceRecordSet><Name>\</Name><Type>A</Type><SetIdentifier>x</SetIdentifier><Weight>9999999999999999999999</Weight></ResourceRecordSet></Change>`,
		`<Change><Action>CREATE</Action><ResourceRecordSet><Name>a\400.example.com</Name><Type>A</Type><AliasTarget><HostedZoneId>Z1</HostedZoneId><DNSName>..</DNSName><EvaluateTargetHealth>true</EvaluateTargetHealth></AliasTarget></ResourceRecordSet></Change>`,
		`<Change><Action>CREATE</Action><ResourceRecordSet><Name>g.example.com</Name><Type>A</Type><SetIdentifier>g</SetIdentifier><GeoProximityLocation><Coordinates><Latitude>9</Latitude></Coordinates></GeoProximityLocation><TTL>5</TTL><ResourceRecords/></ResourceRecordSet></Change>`,
		`<Change><Action>CREATE</Action><ResourceRecordSet><Name>g.example.com</Name><Type>A</Type><SetIdentifier>g</SetIdentifier><GeoLocation/><TTL>5</TTL><ResourceRecords><ResourceRecord/></ResourceRecords></ResourceRecordSet></Change>`,
		`<Change/>`, ``,
	} {
		f.Add(batchHead + change + batchTail)
	}
	f.Add(`<ChangeResourceRecordSetsRequest>`)
	f.Add(`<Other xmlns="https://route53.amazonaws.com/doc/2013-04-01/"/>`)
	fake := route53fake.New(route53fake.Options{Rate: -1})
	zone := fake.AddZone("example.com", false, nil)
	f.Fuzz(func(t *testing.T, body string) {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/2013-04-01/hostedzone/"+zone+"/rrset/", strings.NewReader(body))
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDFUZZ/20260101/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=0")
		fake.ServeHTTP(w, r)
		if w.Code != http.StatusOK && (w.Code < 400 || w.Code >= 500) {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body)
		}
		if !strings.Contains(w.Body.String(), "2013-04-01") {
			t.Fatalf("response without namespace: %s", w.Body)
		}
		_ = fake.RecordSets(zone)
	})
}
