package route53fake

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
)

// maxLoggedChanges bounds the changes one log line lists; a 1,000-change
// batch would otherwise make a line nobody reads.
const maxLoggedChanges = 20

// logRequest writes one line for an API call when Options.RequestLog is
// set: operation, account, zone or health check, the changes of a change
// batch (with the health check each set names), and the result ("ok" or
// the error code and message). It is what an operator reads to see what a
// controller did.
func (f *Fake) logRequest(op, key string, req *request, resp *response, aerr *APIError) {
	w := f.opts.RequestLog
	if w == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s account=%s", op, key)
	switch {
	case len(req.seg) > 1 && (req.seg[0] == "hostedzone" || req.seg[0] == "healthcheck"):
		fmt.Fprintf(&b, " %s=%s", map[string]string{"hostedzone": "zone", "healthcheck": "healthcheck"}[req.seg[0]], req.seg[1])
	case len(req.seg) > 2 && req.seg[0] == "tags":
		fmt.Fprintf(&b, " %s=%s", map[string]string{"hostedzone": "zone", "healthcheck": "healthcheck"}[req.seg[1]], req.seg[2])
	case op == "CreateHealthCheck" && aerr == nil && resp != nil:
		if r, ok := resp.body.(*xHealthCheckResponse); ok {
			fmt.Fprintf(&b, " healthcheck=%s", r.HealthCheck.ID)
		}
	}
	if op == "ChangeResourceRecordSets" {
		fmt.Fprintf(&b, " changes=[%s]", changeSummary(req.body))
	}
	if aerr != nil {
		fmt.Fprintf(&b, " result=%s: %s", aerr.Code, aerr.Message)
	} else {
		b.WriteString(" result=ok")
	}
	b.WriteByte('\n')
	f.logMu.Lock()
	defer f.logMu.Unlock()
	_, _ = w.Write([]byte(b.String()))
}

// changeSummary lists a batch's changes as "ACTION name type [set=id]".
func changeSummary(body []byte) string {
	var in xChangeBatchRequest
	if xml.Unmarshal(body, &in) != nil || in.ChangeBatch == nil || in.ChangeBatch.Changes == nil {
		return "unreadable"
	}
	changes := in.ChangeBatch.Changes.Change
	parts := make([]string, 0, min(len(changes), maxLoggedChanges)+1)
	for i, c := range changes {
		if i == maxLoggedChanges {
			parts = append(parts, fmt.Sprintf("and %d more", len(changes)-i))
			break
		}
		if c.Action == nil || c.ResourceRecordSet == nil {
			parts = append(parts, "incomplete change")
			continue
		}
		s := *c.Action + " " + strings.TrimSuffix(c.ResourceRecordSet.Name, ".") + " " + c.ResourceRecordSet.Type
		if id := c.ResourceRecordSet.SetIdentifier; id != nil {
			s += " set=" + *id
		}
		if hc := c.ResourceRecordSet.HealthCheckID; hc != nil {
			s += " healthcheck=" + *hc
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// OpCount is the count of one operation's calls.
type OpCount struct {
	Calls     int `json:"calls"`
	Throttled int `json:"throttled"`
}

// Counts is every account's calls by operation, as CountsHandler serves
// them. Throttled calls are counted in Calls too.
type Counts struct {
	Total      int                `json:"total"`
	Operations map[string]OpCount `json:"operations"`
}

// Counts returns the call counters of every account, summed.
func (f *Fake) Counts() Counts {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := Counts{Operations: map[string]OpCount{}}
	for _, a := range f.allAccounts() {
		for op, n := range a.calls {
			c := out.Operations[op]
			c.Calls += n
			c.Throttled += a.throttled[op]
			out.Operations[op] = c
			out.Total += n
		}
	}
	return out
}

// CountsHandler serves Counts as JSON, for the standalone command's
// /_fake/calls.
func (f *Fake) CountsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(f.Counts())
	})
}
