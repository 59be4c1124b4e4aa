// Package plan turns what should exist (desired) and what does exist
// (current) into the changes that make one into the other.
package plan

import "github.com/exodns/exodns/internal/endpoint"

// Changes is one batch of record changes. UpdateOld[i] is replaced by
// UpdateNew[i]; both lists always have the same length and order.
//
// The JSON names are upstream's webhook wire names.
type Changes struct {
	Create    []*endpoint.Endpoint `json:"create,omitempty"`
	UpdateOld []*endpoint.Endpoint `json:"updateOld,omitempty"`
	UpdateNew []*endpoint.Endpoint `json:"updateNew,omitempty"`
	Delete    []*endpoint.Endpoint `json:"delete,omitempty"`
}

// HasChanges reports whether applying c would change anything.
func (c *Changes) HasChanges() bool {
	return c != nil && len(c.Create)+len(c.UpdateNew)+len(c.Delete) > 0
}

// Len counts the record sets touched.
func (c *Changes) Len() int {
	if c == nil {
		return 0
	}
	return len(c.Create) + len(c.UpdateNew) + len(c.Delete)
}
