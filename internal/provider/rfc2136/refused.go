package rfc2136

import (
	"errors"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/provider"
)

// refused tells a verdict on the content of a message, which a smaller
// message may pass, from a failure of the server or the network.
func refused(err error) bool {
	var re *RcodeError
	if errors.As(err, &re) {
		return refusedRcode(re.Rcode)
	}
	return errors.Is(err, provider.ErrInvalid)
}

func refusedRcode(rc int) bool {
	switch rc {
	case dns.RcodeNXRrset, dns.RcodeYXRrset, dns.RcodeYXDomain, dns.RcodeNameError, dns.RcodeFormatError, dns.RcodeRefused, dns.RcodeNotZone:
		return true
	}
	return false
}

// sentinel names the rule a refused message broke.
func sentinel(rc int) error {
	switch rc {
	case dns.RcodeNXRrset:
		return provider.ErrMismatch // the RRset changed since it was read, or is gone
	case dns.RcodeYXRrset:
		return provider.ErrRecordExists
	case dns.RcodeYXDomain:
		return provider.ErrCNAMEConflict // a CNAME's name is in use
	case dns.RcodeNameError:
		return provider.ErrRecordMissing
	case dns.RcodeNotZone:
		return provider.ErrNoZone
	case dns.RcodeFormatError:
		return provider.ErrInvalid
	case dns.RcodeRefused:
		return ErrServerRefused
	}
	return errors.New("update failed")
}
