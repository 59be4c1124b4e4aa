package probe

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// WriteJSON writes the run (settings, summary, every sample) as indented
// JSON. Durations are milliseconds (fields ending _ms); times are RFC 3339.
func (r RoutingResult) WriteJSON(w io.Writer) error {
	if r.Samples == nil {
		r.Samples = []Sample{}
	}
	return encode(w, r)
}

// WriteJSON writes the run (settings, summary, downtimes, every check) as
// indented JSON. Durations are milliseconds (fields ending _ms); times are
// RFC 3339.
func (r FailoverResult) WriteJSON(w io.Writer) error {
	if r.Checks == nil {
		r.Checks = []Check{}
	}
	if r.Downtimes == nil {
		r.Downtimes = []Downtime{}
	}
	return encode(w, r)
}

func encode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("probe: json: %w", err)
	}
	return nil
}

// writeFile creates path and lets write fill it, reporting a failed close.
func writeFile(path string, write func(f *os.File) error) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("probe: %w", cerr)
		}
	}()
	return write(f)
}

// WriteJSONFile writes the JSON to path.
func (r RoutingResult) WriteJSONFile(path string) error {
	return writeFile(path, func(f *os.File) error { return r.WriteJSON(f) })
}

// WriteJSONFile writes the JSON to path.
func (r FailoverResult) WriteJSONFile(path string) error {
	return writeFile(path, func(f *os.File) error { return r.WriteJSON(f) })
}
