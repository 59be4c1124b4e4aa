package route53

import (
	"fmt"

	"github.com/exodns/exodns/internal/endpoint"
)

// Problem is a desired endpoint the provider refused before calling AWS,
// because Route 53 would reject it. The endpoint was marked held
// (endpoint.HoldLabel), so the plan leaves its name as it is.
type Problem struct {
	// Record is the refused endpoint's key.
	Record endpoint.Key
	// Resource is the Kubernetes object it came from, if known.
	Resource string
	// Property is the provider-specific property at fault ("aws/weight"),
	// or "" when the fault is elsewhere (targets, type).
	Property string
	// Annotation is the annotation users set to fix it.
	Annotation string
	// Reason says what is wrong, in words a user can act on.
	Reason string
}

// Error renders the problem as one line naming record, annotation and reason.
func (p Problem) Error() string {
	s := "route53: " + p.Record.String()
	if p.Resource != "" {
		s += " (" + p.Resource + ")"
	}
	if p.Annotation != "" {
		s += ": " + p.Annotation
	}
	return s + ": " + p.Reason
}

func newProblem(ep *endpoint.Endpoint, prop, format string, args ...any) Problem {
	return Problem{
		Record:     ep.Key(),
		Resource:   ep.Resource(),
		Property:   prop,
		Annotation: annotationFor(prop),
		Reason:     fmt.Sprintf(format, args...),
	}
}
