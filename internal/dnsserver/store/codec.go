package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
)

// The file holds three buckets: the controller's records, the records of
// RFC 2136 updates (dynamic), and the zones' serials. Records are flat, keyed by record key, not
// nested by zone: which zone a name belongs to is decided from the
// configured zones at load time, so adding a zone below an existing one
// needs no migration.
const (
	bucketRecords = "records"
	bucketDynamic = "dynamic"
	bucketSerials = "serials"
)

// keySep cannot occur in a normalised name or a record type; the set
// identifier comes last, so it may hold anything.
const keySep = "\x00"

func encodeKey(k endpoint.Key) []byte {
	return []byte(k.DNSName + keySep + k.RecordType + keySep + k.SetIdentifier)
}

// record is the stored value: JSON with short names, readable with bbolt's
// own tools and small enough that a 10k-record zone stays around a megabyte.
type record struct {
	Targets          []string                  `json:"t"`
	TTL              endpoint.TTL              `json:"ttl,omitempty"`
	ProviderSpecific endpoint.ProviderSpecific `json:"ps,omitempty"`
}

func encodeRecord(e *endpoint.Endpoint) ([]byte, error) {
	b, err := json.Marshal(record{Targets: e.Targets, TTL: e.RecordTTL, ProviderSpecific: e.ProviderSpecific})
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", e.Key(), err)
	}
	return b, nil
}

func decodeRecord(k, v []byte) (*endpoint.Endpoint, error) {
	parts := strings.SplitN(string(k), keySep, 3)
	if len(parts) != 3 {
		return nil, fmt.Errorf("malformed record key %q", k)
	}
	var r record
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("decode record %q: %w", k, err)
	}
	return &endpoint.Endpoint{
		DNSName:          parts[0],
		RecordType:       parts[1],
		SetIdentifier:    parts[2],
		Targets:          r.Targets,
		RecordTTL:        r.TTL,
		ProviderSpecific: r.ProviderSpecific,
	}, nil
}

func encodeSerial(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }

func decodeSerial(b []byte) (uint32, error) {
	if len(b) != 4 {
		return 0, fmt.Errorf("serial is %d bytes, want 4", len(b))
	}
	return binary.BigEndian.Uint32(b), nil
}
