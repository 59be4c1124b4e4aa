package route53fake

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
)

// APIError is an error the fake answers with. Tests use it to inject
// failures; the fake uses it for every rule it enforces, so an injected error
// and a real one look the same on the wire.
type APIError struct {
	StatusCode int    // HTTP status, 400 when zero
	Code       string // e.g. "InvalidChangeBatch", "Throttling"
	Message    string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

func apiErr(status int, code, format string, args ...any) *APIError {
	return &APIError{StatusCode: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func errInvalidInput(format string, args ...any) *APIError {
	return apiErr(http.StatusBadRequest, "InvalidInput", format, args...)
}

// errInvalidXML mirrors the schema-validation failures Route 53 reports from
// its XML validator, e.g. "Invalid XML ; cvc-length-valid: Value 'Default'
// with length = '7' is not facet-valid with respect to length '2' for type
// 'ContinentCode'." (seen in kubernetes-sigs/external-dns#1541).
func errInvalidXML(format string, args ...any) *APIError {
	return errInvalidInput("Invalid XML ; "+format, args...)
}

// errChangeBatch joins messages the way current Route 53 does: a bracketed
// list separated by ", " (rules §3).
func errChangeBatch(msgs []string) *APIError {
	return &APIError{StatusCode: http.StatusBadRequest, Code: "InvalidChangeBatch",
		Message: "[" + strings.Join(msgs, ", ") + "]"}
}

func errNoSuchHostedZone(id string) *APIError {
	return apiErr(http.StatusNotFound, "NoSuchHostedZone", "No hosted zone found with ID: %s", id)
}

// The NoSuchHealthCheck wording is moto's; the real text is unverified (§8).
func errNoSuchHealthCheck(id string) *APIError {
	return apiErr(http.StatusNotFound, "NoSuchHealthCheck", "A health check with id %s does not exist.", id)
}

func errThrottling() *APIError {
	return apiErr(http.StatusBadRequest, "Throttling", "Rate exceeded")
}

func errPriorRequestNotComplete() *APIError {
	return apiErr(http.StatusBadRequest, "PriorRequestNotComplete",
		"The request was rejected because Route 53 was still processing a prior request.")
}

type xErrorResponse struct {
	XMLName xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ErrorResponse"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// writeError writes the ErrorResponse envelope that every Route 53 operation
// uses (rules §3), so the SDK's generic deserializer extracts Code, Message
// and RequestId exactly as it does against AWS.
func writeError(w http.ResponseWriter, requestID string, e *APIError) {
	status := e.StatusCode
	if status == 0 {
		status = http.StatusBadRequest
	}
	var body xErrorResponse
	body.Error.Type = "Sender"
	if status >= 500 {
		body.Error.Type = "Receiver"
	}
	body.Error.Code = e.Code
	body.Error.Message = e.Message
	body.RequestID = requestID
	writeXML(w, requestID, status, &body)
}

// writeXML writes a response document with the headers Route 53 sends.
func writeXML(w http.ResponseWriter, requestID string, status int, v any) {
	out, err := xml.Marshal(v)
	if err != nil {
		// Only a programming error in this package can get here.
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", requestID)
	w.WriteHeader(status)
	_, _ = w.Write([]byte("<?xml version=\"1.0\"?>\n"))
	_, _ = w.Write(out)
}
