package cloudmapfake

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// The JSON shapes of the API, with AWS's member names.

// DnsRecord is one record type of a service.
type DnsRecord struct {
	Type string `json:"Type"`
	TTL  *int64 `json:"TTL,omitempty"`
}

// DnsConfig is a service's DNS settings.
type DnsConfig struct {
	NamespaceId   string      `json:"NamespaceId,omitempty"`
	RoutingPolicy string      `json:"RoutingPolicy,omitempty"`
	DnsRecords    []DnsRecord `json:"DnsRecords"`
}

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	return json.Marshal(float64(time.Time(e).UnixMilli()) / 1000)
}

type filter struct {
	Name      string   `json:"Name"`
	Values    []string `json:"Values"`
	Condition string   `json:"Condition"`
}

type xNamespace struct {
	Id           string `json:"Id"`
	Arn          string `json:"Arn"`
	Name         string `json:"Name"`
	Type         string `json:"Type"`
	Description  string `json:"Description,omitempty"`
	ServiceCount int    `json:"ServiceCount"`
	CreateDate   epoch  `json:"CreateDate"`
}

type xService struct {
	Id            string     `json:"Id"`
	Arn           string     `json:"Arn"`
	Name          string     `json:"Name"`
	NamespaceId   string     `json:"NamespaceId,omitempty"`
	Description   *string    `json:"Description,omitempty"`
	InstanceCount int        `json:"InstanceCount"`
	DnsConfig     *DnsConfig `json:"DnsConfig,omitempty"`
	Type          string     `json:"Type"`
	CreateDate    epoch      `json:"CreateDate"`
}

type xInstance struct {
	Id         string            `json:"Id,omitempty"`
	InstanceId string            `json:"InstanceId,omitempty"`
	Namespace  string            `json:"NamespaceName,omitempty"`
	Service    string            `json:"ServiceName,omitempty"`
	Health     string            `json:"HealthStatus,omitempty"`
	Attributes map[string]string `json:"Attributes"`
}

type xOperation struct {
	Id         string            `json:"Id"`
	Type       string            `json:"Type"`
	Status     string            `json:"Status"`
	CreateDate epoch             `json:"CreateDate"`
	UpdateDate epoch             `json:"UpdateDate"`
	Targets    map[string]string `json:"Targets"`
}

// APIError is an error the API answers with.
type APIError struct {
	Status  int
	Code    string
	Message string
	// Extra members of the error shape (ServiceAlreadyExists's ServiceId).
	Extra map[string]string
}

func (e APIError) Error() string { return e.Code + ": " + e.Message }

func writeError(w http.ResponseWriter, e APIError) {
	if e.Status == 0 {
		e.Status = http.StatusBadRequest
	}
	body := map[string]string{"__type": e.Code, "Message": e.Message}
	for k, v := range e.Extra {
		body[k] = v
	}
	data, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("X-Amzn-Errortype", e.Code)
	w.WriteHeader(e.Status)
	_, _ = w.Write(data)
}

func invalid(msg string) *APIError {
	return &APIError{Code: "InvalidInput", Message: msg}
}

func decode(body []byte, v any) *APIError {
	if err := json.Unmarshal(body, v); err != nil {
		return &APIError{Code: "SerializationException", Message: err.Error()}
	}
	return nil
}
