//go:build !linux

package dnsserver

import "syscall"

// Only Linux balances queries across SO_REUSEPORT sockets; elsewhere one
// UDP socket serves them all.
const reusePortSupported = false

func reusePort(_, _ string, _ syscall.RawConn) error { return nil }
