package route53fake

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

const apiPrefix = "/2013-04-01/"

// maxBody bounds what the fake reads; Route 53's own limits (1,000 records,
// 32,000 value characters) keep real requests far below it.
const maxBody = 8 << 20

type request struct {
	r    *http.Request
	body []byte
	seg  []string // path segments after /2013-04-01/
	q    url.Values
}

type response struct {
	status   int
	body     any
	location string // Location header of the 201 answers
}

type handler func(a *Account, req *request) (*response, *APIError)

func ok(body any) (*response, *APIError) { return &response{status: http.StatusOK, body: body}, nil }

// route maps method and path to the operation name the SDK uses, which is
// also the key of the call counters.
func route(method string, seg []string) (string, handler) {
	key := method + " " + strings.Join(pattern(seg), "/")
	switch key {
	case "GET hostedzone":
		return "ListHostedZones", (*Account).listHostedZones
	case "POST hostedzone":
		return "CreateHostedZone", (*Account).createHostedZone
	case "GET hostedzone/*":
		return "GetHostedZone", (*Account).getHostedZone
	case "DELETE hostedzone/*":
		return "DeleteHostedZone", (*Account).deleteHostedZone
	case "GET hostedzone/*/rrset":
		return "ListResourceRecordSets", (*Account).listResourceRecordSets
	case "POST hostedzone/*/rrset":
		return "ChangeResourceRecordSets", (*Account).changeResourceRecordSets
	case "GET hostedzonesbyname":
		return "ListHostedZonesByName", (*Account).listHostedZonesByName
	case "GET hostedzonecount":
		return "GetHostedZoneCount", (*Account).getHostedZoneCount
	case "GET change/*":
		return "GetChange", (*Account).getChange
	case "GET tags/*/*":
		return "ListTagsForResource", (*Account).listTagsForResource
	case "POST tags/*/*":
		return "ChangeTagsForResource", (*Account).changeTagsForResource
	case "POST tags/*":
		return "ListTagsForResources", (*Account).listTagsForResources
	case "GET healthcheck":
		return "ListHealthChecks", (*Account).listHealthChecks
	case "POST healthcheck":
		return "CreateHealthCheck", (*Account).createHealthCheck
	case "GET healthcheck/*":
		return "GetHealthCheck", (*Account).getHealthCheck
	case "POST healthcheck/*":
		return "UpdateHealthCheck", (*Account).updateHealthCheck
	case "DELETE healthcheck/*":
		return "DeleteHealthCheck", (*Account).deleteHealthCheck
	case "GET healthcheckcount":
		return "GetHealthCheckCount", (*Account).getHealthCheckCount
	}
	return "", nil
}

// pattern replaces the variable segments with "*": the ID after the
// resource name, and for tags both the resource type and the ID.
func pattern(seg []string) []string {
	out := slices.Clone(seg)
	if len(out) > 1 {
		out[1] = "*"
	}
	if len(out) > 2 && out[0] == "tags" {
		out[2] = "*"
	}
	return out
}

// ServeHTTP answers one API request: identify the operation and account,
// count it, apply the account's throttle and any injected failure, then run
// the operation.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	reqID := f.newUUID()
	f.mu.Unlock()

	i := strings.Index(r.URL.Path, apiPrefix)
	if i < 0 {
		writeError(w, reqID, apiErr(http.StatusNotFound, "UnknownOperationException",
			"route53fake serves API version 2013-04-01 only: %s", r.URL.Path))
		return
	}
	seg := strings.Split(strings.Trim(r.URL.Path[i+len(apiPrefix):], "/"), "/")
	op, h := route(r.Method, seg)
	if h == nil {
		writeError(w, reqID, apiErr(http.StatusNotFound, "UnknownOperationException",
			"route53fake does not implement %s %s", r.Method, r.URL.Path))
		return
	}
	key, hasAuth := accessKey(r.Header.Get("Authorization"))
	if !hasAuth {
		writeError(w, reqID, apiErr(http.StatusForbidden, "MissingAuthenticationToken", "Missing Authentication Token"))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		writeError(w, reqID, errInvalidInput("Could not read request body"))
		return
	}

	req := &request{r: r, body: body, seg: seg, q: r.URL.Query()}
	resp, aerr := f.serve(op, h, key, req)
	f.logRequest(op, key, req, resp, aerr)
	if aerr != nil {
		writeError(w, reqID, aerr)
		return
	}
	if resp.location != "" {
		w.Header().Set("Location", resp.location)
	}
	writeXML(w, reqID, resp.status, resp.body)
}

func (f *Fake) serve(op string, h handler, key string, req *request) (*response, *APIError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.accountFor(key)
	if a == nil {
		return nil, apiErr(http.StatusForbidden, "InvalidClientTokenId",
			"The security token included in the request is invalid.")
	}
	a.calls[op]++
	if !a.bucket.take(f.now()) {
		a.throttled[op]++
		return nil, errThrottling()
	}
	if q := f.inject[op]; len(q) > 0 {
		e := q[0]
		f.inject[op] = q[1:]
		return nil, &e
	}
	if op == "ChangeResourceRecordSets" {
		a.changeCalls++
		if n := f.opts.PriorRequestEvery; n > 0 && a.changeCalls%n == 0 {
			return nil, errPriorRequestNotComplete()
		}
	}
	return h(a, req)
}

// accessKey extracts the access key id from a SigV4 Authorization header
// ("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/route53/aws4_request,
// ..."). Signatures are not verified: the fake has no secrets to check them
// against, and the SDK always signs correctly.
func accessKey(auth string) (string, bool) {
	_, rest, found := strings.Cut(auth, "Credential=")
	if !found {
		return "", false
	}
	key, _, _ := strings.Cut(rest, "/")
	return key, key != ""
}

// decodeBody parses a POST body whose root element must be root in the API
// namespace, as Route 53's schema validation demands.
func decodeBody(body []byte, root string, v any) *APIError {
	if err := xml.Unmarshal(body, v); err != nil {
		return errInvalidXML("%s", err.Error())
	}
	name := rootName(v)
	if name.Local != root || name.Space != xmlns {
		// The wording is the XML validator's, seen from Route 53 when the
		// namespace was missing (flexera-public/right_aws_api#30).
		return errInvalidXML("cvc-elt.1: Cannot find the declaration of element '%s'.", name.Local)
	}
	return nil
}

func rootName(v any) xml.Name {
	switch t := v.(type) {
	case *xChangeBatchRequest:
		return t.XMLName
	case *xCreateHostedZoneRequest:
		return t.XMLName
	case *xChangeTagsRequest:
		return t.XMLName
	case *xListTagsForResourcesRequest:
		return t.XMLName
	case *xCreateHealthCheckRequest:
		return t.XMLName
	case *xUpdateHealthCheckRequest:
		return t.XMLName
	}
	return xml.Name{}
}
