package source

import (
	"context"
	"fmt"

	"github.com/exodns/exodns/internal/endpoint"
)

// Multi combines sources. A failing source fails the whole read: planning
// without it would delete every record it asked for. A source that is only
// incomplete (IncompleteError) does not: its endpoints are used and the
// whole read is incomplete, so nothing is deleted.
type Multi []Source

// Endpoints concatenates the endpoints of every source. Duplicate claims are
// left to the plan, which resolves them deterministically and reports them.
func (m Multi) Endpoints(ctx context.Context) ([]*endpoint.Endpoint, error) {
	var out []*endpoint.Endpoint
	var incomplete []error
	for i, s := range m {
		eps, err := s.Endpoints(ctx)
		if ie, ok := AsIncomplete(err); ok {
			incomplete = append(incomplete, ie.Errs...)
		} else if err != nil {
			return nil, fmt.Errorf("source %d: %w", i, err)
		}
		out = append(out, eps...)
	}
	if len(incomplete) > 0 {
		return out, &IncompleteError{Errs: incomplete}
	}
	return out, nil
}

// AddEventHandler registers handler with every source.
func (m Multi) AddEventHandler(ctx context.Context, handler func()) {
	for _, s := range m {
		s.AddEventHandler(ctx, handler)
	}
}
