//go:build !linux

package dnsserver

import "net"

// newBatchConn returns nil: golang.org/x/net reads one datagram per call
// outside Linux, so the plain loop, which allocates nothing, serves.
func newBatchConn(*net.UDPConn) batchConn { return nil }
