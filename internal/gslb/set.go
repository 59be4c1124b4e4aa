// Package gslb decides which targets answer a query for a routed name: the
// record sets of one name and type, each with a set identifier and a
// routing policy (weighted, failover, latency, geolocation, geoproximity,
// multivalue, or exodns's failover-latency), filtered by health.
//
// It is pure: no I/O, no clocks, no global state. SetsFrom parses endpoints
// into Sets once per zone change; Select runs per query with the health of
// each target (from internal/healthcheck) and where the client is (from
// internal/geo). Dependencies point one way: healthcheck imports gslb (to
// build checks from a Set and report gslb.Health), gslb imports neither
// healthcheck nor anything that does I/O.
package gslb

import (
	"time"

	"github.com/exodns/exodns/internal/geo"
)

// Policy is a record set's routing policy. Every set of one name and type
// has the same one, as Route 53 requires.
type Policy uint8

// Routing policies. PolicySimple is a record without a set identifier:
// every healthy target answers.
const (
	PolicySimple Policy = iota
	PolicyWeighted
	PolicyFailover
	PolicyLatency
	PolicyGeolocation
	PolicyGeoproximity
	PolicyMultiValue
	// PolicyFailoverLatency answers the nearest healthy region, then the
	// next nearest, and so on: failover across regions ordered by the
	// client's distance to them. exodns's own; see README.md.
	PolicyFailoverLatency
)

var policyNames = [...]string{"simple", "weighted", "failover", "latency", "geolocation", "geoproximity", "multivalue", "failover-latency"}

func (p Policy) String() string {
	if int(p) < len(policyNames) {
		return policyNames[p]
	}
	return "unknown"
}

// locationBased reports whether the answer depends on where the client is,
// which is what makes an ECS scope other than 0 necessary.
func (p Policy) locationBased() bool {
	switch p {
	case PolicyLatency, PolicyGeolocation, PolicyGeoproximity, PolicyFailoverLatency:
		return true
	}
	return false
}

// Role is a failover set's role.
type Role uint8

// Failover roles.
const (
	RoleNone Role = iota
	RolePrimary
	RoleSecondary
)

func (r Role) String() string {
	switch r {
	case RolePrimary:
		return "PRIMARY"
	case RoleSecondary:
		return "SECONDARY"
	}
	return ""
}

// Geolocation is the place a geolocation set serves. Country "*" is the
// default set, for clients no other set matches. Codes are upper case.
type Geolocation struct {
	Continent   string
	Country     string
	Subdivision string
}

// Health is what is known of a target.
type Health uint8

// Health values. Unknown (no check, or no verdict yet) counts as healthy:
// a target leaves the answers only when its check says so.
const (
	HealthUnknown Health = iota
	Healthy
	Unhealthy
)

func (h Health) String() string {
	switch h {
	case Healthy:
		return "healthy"
	case Unhealthy:
		return "unhealthy"
	}
	return "unknown"
}

// Client is where the query comes from; see geo.LocateClient.
type Client = geo.Client

// Set is one record set of a routed name, parsed and validated.
type Set struct {
	// Name and RecordType are the record's; Name is the default Host
	// header of an HTTP health check.
	Name       string
	RecordType string
	// ID is the set identifier; empty only for PolicySimple.
	ID      string
	Targets []string

	Policy Policy
	// Weight is aws/weight (0..255), for PolicyWeighted.
	Weight int
	// Role is aws/failover, for PolicyFailover.
	Role Role
	// Region is aws/region (latency, failover-latency) or
	// aws/geoproximity-region; empty for coordinates.
	Region string
	// Point is where the set's targets are, for latency, failover-latency
	// and geoproximity: the region's coordinates, or
	// aws/geoproximity-coordinates.
	Point geo.Point
	// Geo is the location a geolocation set serves.
	Geo Geolocation
	// Bias is aws/geoproximity-bias, -99..99.
	Bias int

	// TTL is gslb/ttl in seconds, 0 when not set.
	TTL uint32
	// RecordTTL is the record's own TTL (the ttl annotation), 0 when not
	// set. It can only shorten the default GSLB TTL; see Answer.TTL.
	RecordTTL uint32

	// Check is the active health check of every target; Kind "" for none.
	Check HealthCheck
}

// CheckKind is the protocol of a health check.
type CheckKind string

// Health check kinds; "" is no check.
const (
	CheckNone  CheckKind = ""
	CheckHTTP  CheckKind = "http"
	CheckHTTPS CheckKind = "https"
	CheckTCP   CheckKind = "tcp"
)

// StatusRange is an inclusive range of HTTP status codes.
type StatusRange struct{ Min, Max int }

// HealthCheck is a set's gslb/health-check-* settings, with defaults filled
// in. The same settings apply to each target of the set.
type HealthCheck struct {
	Kind CheckKind
	// Port defaults to 80 (http) or 443 (https); tcp needs one.
	Port int
	// Path, Host, Statuses and Body are for http and https only. Host is
	// the Host header and TLS server name; empty means the record's name.
	Path     string
	Host     string
	Statuses []StatusRange
	// Body, when set, must occur in the first BodyLimit bytes of the
	// response body (case-sensitive substring, as Route 53's string match).
	Body string

	Interval time.Duration
	Timeout  time.Duration
	Rise     int
	Fall     int
}

// Enabled reports whether there is a check at all.
func (h HealthCheck) Enabled() bool { return h.Kind != CheckNone }

// StatusOK reports whether an HTTP status code counts as healthy.
func (h HealthCheck) StatusOK(code int) bool {
	if len(h.Statuses) == 0 {
		return code >= 200 && code <= 399
	}
	for _, r := range h.Statuses {
		if code >= r.Min && code <= r.Max {
			return true
		}
	}
	return false
}

// Defaults. They are chosen so that a failover completes within about 3 s
// on average for clients that re-resolve when the TTL runs out; README.md
// has the arithmetic.
const (
	// DefaultTTL is the TTL of GSLB answers, in seconds.
	DefaultTTL = 2
	// DefaultInterval is the time between the starts of two checks of a
	// target.
	DefaultInterval = time.Second
	// DefaultTimeout bounds one check, connection included.
	DefaultTimeout = time.Second
	// DefaultRise is the number of successes in a row that make a target
	// healthy; DefaultFall the failures in a row that make it unhealthy.
	DefaultRise = 2
	DefaultFall = 2
	// BodyLimit is how much of a response body a body match reads:
	// Route 53's string matching reads the same 5,120 bytes.
	BodyLimit = 5120
	// MaxMultiValue is the most targets a multivalue answer holds, as
	// Route 53 answers at most eight healthy records.
	MaxMultiValue = 8
)
