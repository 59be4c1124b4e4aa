package route53

import "github.com/exodns/exodns/internal/provider"

// The batching and bisection this provider uses moved to internal/provider,
// where every backend with an all-or-nothing batch API shares them. These
// names keep the rest of the package unchanged.
type (
	// Cost is provider.Cost.
	Cost = provider.Cost
	// Group is provider.Group.
	Group[T any] = provider.Group[T]
	// Failure is provider.Failure.
	Failure[T any] = provider.Failure[T]
	// Submitter is provider.Submitter.
	Submitter[T any] = provider.Submitter[T]
)

// Pack is provider.Pack.
func Pack[T any](groups []Group[T], limit Cost) [][]Group[T] { return provider.Pack(groups, limit) }

var errNotSent = provider.ErrNotSent
