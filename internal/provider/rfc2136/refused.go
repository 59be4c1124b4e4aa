package rfc2136

import (
	"errors"
	"slices"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
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

func actionOf(c *plan.Changes, e *endpoint.Endpoint) string {
	switch {
	case slices.Contains(c.Delete, e):
		return "delete"
	case slices.Contains(c.UpdateNew, e):
		return "update"
	}
	return "create"
}

// primary is the change a user would recognise in a group: the first that
// is not an ownership record.
func primary(items []change) *endpoint.Endpoint {
	for _, it := range items {
		if it.ep.RecordType != endpoint.RecordTypeTXT || it.ep.Labels[endpoint.OwnedRecordLabel] == "" {
			return it.ep
		}
	}
	return items[0].ep
}
