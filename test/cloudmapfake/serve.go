package cloudmapfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

const targetPrefix = "Route53AutoNaming_v20170314."

// ServeHTTP serves the JSON 1.1 API: POST / with X-Amz-Target naming the
// operation. GET /_fake/calls serves the counters.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == "/_fake/calls" {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(f.Counts())
		return
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	if r.Method != http.MethodPost || !ok {
		writeError(w, APIError{Status: http.StatusBadRequest, Code: "UnknownOperationException", Message: "Unknown operation " + r.Header.Get("X-Amz-Target")})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, APIError{Status: http.StatusBadRequest, Code: "SerializationException", Message: err.Error()})
		return
	}
	out, aerr := f.call(op, body)
	f.logRequest(op, body, aerr)
	if aerr != nil {
		writeError(w, *aerr)
		return
	}
	body, err = json.Marshal(out)
	if err != nil {
		writeError(w, APIError{Status: http.StatusInternalServerError, Code: "InternalFailure", Message: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("X-Amzn-Requestid", requestID(op))
	_, _ = w.Write(body)
}

// requestID makes a request ID; no random state is shared between the
// concurrent requests of the HTTP server.
func requestID(op string) string {
	return fmt.Sprintf("%s-%d-fake", strings.ToLower(op), time.Now().UnixNano())
}

func (f *Fake) call(op string, body []byte) (any, *APIError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[op]++
	f.settle()
	b := f.control
	if op == "DiscoverInstances" {
		b = f.discover
	}
	if b != nil && !b.take(f.now()) {
		f.throttled[op]++
		if op == "DiscoverInstances" {
			return nil, &APIError{Status: http.StatusBadRequest, Code: "RequestLimitExceeded", Message: "The operation can't be completed because you've reached the quota for the number of requests."}
		}
		return nil, &APIError{Status: http.StatusBadRequest, Code: "ThrottlingException", Message: "Rate exceeded"}
	}
	if q := f.inject[op]; len(q) > 0 {
		f.inject[op] = q[1:]
		e := q[0]
		return nil, &e
	}
	h, ok := handlers[op]
	if !ok {
		return nil, &APIError{Status: http.StatusBadRequest, Code: "UnknownOperationException", Message: "The fake does not serve " + op}
	}
	return h(f, body)
}

// settle counts down pending instance operations and applies those done.
func (f *Fake) settle() {
	kept := f.pending[:0]
	for _, o := range f.pending {
		o.remaining--
		if o.remaining > 0 {
			kept = append(kept, o)
			continue
		}
		f.complete(o)
	}
	f.pending = kept
}

func (f *Fake) complete(o *operation) {
	o.status, o.updated = "SUCCESS", f.now()
	s := f.services[o.serviceID]
	if s == nil {
		return
	}
	if o.attrs == nil {
		delete(s.instances, o.instID)
	} else {
		s.instances[o.instID] = o.attrs
	}
}

func (f *Fake) logRequest(op string, body []byte, aerr *APIError) {
	w := f.opts.RequestLog
	if w == nil {
		return
	}
	var in map[string]any
	_ = json.Unmarshal(body, &in)
	var parts []string
	for _, k := range []string{"Name", "Id", "ServiceId", "InstanceId", "NamespaceName", "ServiceName"} {
		if v, ok := in[k].(string); ok {
			parts = append(parts, k+"="+v)
		}
	}
	sort.Strings(parts)
	result := "ok"
	if aerr != nil {
		result = aerr.Code + ": " + aerr.Message
	}
	fmt.Fprintf(w, "%s %s result=%s\n", op, strings.Join(parts, " "), result)
}

// bucket is a token bucket.
type bucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate float64, burst int, now time.Time) *bucket {
	return &bucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

func (b *bucket) take(now time.Time) bool {
	if d := now.Sub(b.last).Seconds(); d > 0 {
		b.tokens = min(b.burst, b.tokens+d*b.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
