// Package annotations reads external-dns annotations into typed values.
package annotations

// Parser reads annotations under one or more prefixes.
type Parser struct {
	prefixes []string
}
