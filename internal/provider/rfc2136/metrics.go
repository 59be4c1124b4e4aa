package rfc2136

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "exodns", Subsystem: "rfc2136", Name: "requests_total",
			Help: "Requests to the RFC 2136 server, by operation (transfer, update) and result (success, refused, error).",
		}, []string{"op", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "exodns", Subsystem: "rfc2136", Name: "request_duration_seconds",
			Help: "Time of one transfer or update exchange.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 8),
		}, []string{"op"}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.duration)
	}
	return m
}

func (m *metrics) request(op string, err error, took time.Duration) {
	result := "success"
	var re *RcodeError
	switch {
	case err == nil:
	case errors.As(err, &re) && refusedRcode(re.Rcode):
		result = "refused"
	default:
		result = "error"
	}
	m.requests.WithLabelValues(op, result).Inc()
	m.duration.WithLabelValues(op).Observe(took.Seconds())
}
