// Package webhook serves any exodns provider over upstream external-dns's
// webhook protocol (exodns webhook, or --webhook-server), so upstream
// external-dns, or another exodns, can use exodns's providers as a
// sidecar.
package webhook

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/provider"
	wh "github.com/exodns/exodns/internal/provider/webhook"
)

// maxBody bounds a request body: a batch of 100k changes fits.
const maxBody = 256 << 20

// Options are the server's collaborators.
type Options struct {
	// Log receives one line per failed request; nil discards.
	Log *slog.Logger
	// Registerer receives the server's metrics; nil registers none.
	Registerer prometheus.Registerer
	// FailureThreshold is how many provider calls may fail in a row
	// before /healthz fails (default 3).
	FailureThreshold int
}

// Server answers the protocol's four requests for one provider. Calls to
// the provider are serialised, so a provider need not be safe for
// concurrent use.
type Server struct {
	p      provider.Provider
	filter wh.Filter
	log    *slog.Logger

	mu       sync.Mutex // serialises provider calls
	failures int        // provider calls failed in a row
	limit    int

	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// New returns the server for p, announcing filter on GET /.
func New(p provider.Provider, filter endpoint.DomainFilter, o Options) *Server {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.FailureThreshold < 1 {
		o.FailureThreshold = 3
	}
	s := &Server{p: p, filter: wh.FilterOf(filter), log: o.Log, limit: o.FailureThreshold,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "exodns", Subsystem: "webhook", Name: "requests_total",
			Help: "Webhook requests answered, by route and status code."}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "exodns", Subsystem: "webhook", Name: "request_duration_seconds",
			Help: "Time to answer a webhook request, by route.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 9)}, []string{"route"}),
	}
	if o.Registerer != nil {
		o.Registerer.MustRegister(s.requests, s.duration)
	}
	return s
}

// Handler is the provider API (localhost:8888 by convention).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", s.route("negotiate", s.negotiate))
	mux.HandleFunc(wh.PathRecords, s.route("records", s.records))
	mux.HandleFunc(wh.PathAdjust, s.route("adjustendpoints", s.adjust))
	return mux
}

// Healthz fails once the provider failed FailureThreshold calls in a
// row, and recovers with the next success.
func (s *Server) Healthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		n := s.failures
		s.mu.Unlock()
		if n >= s.limit {
			http.Error(w, strconv.Itoa(n)+" provider calls failed in a row", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) { w.code = code; w.ResponseWriter.WriteHeader(code) }

func (s *Server) route(name string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h(sw, r)
		s.requests.WithLabelValues(name, strconv.Itoa(sw.code)).Inc()
		s.duration.WithLabelValues(name).Observe(time.Since(start).Seconds())
	}
}

// call runs one provider call, counting failures for /healthz.
func (s *Server) call(f func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := f()
	if _, refused := provider.AsRefused(err); err != nil && !refused {
		s.failures++
	} else {
		s.failures = 0
	}
	return err
}

func allow(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", joinMethods(methods))
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

func joinMethods(ms []string) string {
	out := ms[0]
	for _, m := range ms[1:] {
		out += ", " + m
	}
	return out
}

// reply writes v in the protocol's media type.
func (s *Server) reply(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.log.Error("webhook: encoding an answer", "err", err)
		http.Error(w, "encoding the answer failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", wh.MediaType)
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, code int, err error) {
	s.log.Warn("webhook: request failed", "method", r.Method, "path", r.URL.Path, "status", code, "err", err)
	http.Error(w, err.Error(), code)
}

// negotiate answers GET / with the domain filter. Vary names Content-Type,
// as older clients check.
func (s *Server) negotiate(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet) {
		return
	}
	w.Header().Set("Vary", "Content-Type")
	s.reply(w, http.StatusOK, s.filter)
}

func (s *Server) records(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	if r.Method == http.MethodGet {
		var eps []*endpoint.Endpoint
		if err := s.call(func() (err error) { eps, err = s.p.Records(r.Context()); return err }); err != nil {
			s.fail(w, r, http.StatusInternalServerError, err)
			return
		}
		if eps == nil {
			eps = []*endpoint.Endpoint{}
		}
		s.reply(w, http.StatusOK, eps)
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	c, err := wh.DecodeChanges(data)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	err = s.call(func() error { return s.p.ApplyChanges(r.Context(), c) })
	var re *provider.RefusedError
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.As(err, &re) && provider.OnlyRefused(err):
		s.log.Warn("webhook: changes refused", "refused", len(re.Refused), "applied", re.Applied, "err", err)
		s.reply(w, http.StatusUnprocessableEntity, wh.RefusalsOf(re))
	default:
		s.fail(w, r, http.StatusInternalServerError, err)
	}
}

func (s *Server) adjust(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodPost) {
		return
	}
	var eps []*endpoint.Endpoint
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	if err := dec.Decode(&eps); err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	for _, e := range eps {
		if e == nil {
			s.fail(w, r, http.StatusBadRequest, errors.New("a null endpoint"))
			return
		}
	}
	var out []*endpoint.Endpoint
	if err := s.call(func() (err error) { out, err = s.p.AdjustEndpoints(eps); return err }); err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	if out == nil {
		out = []*endpoint.Endpoint{}
	}
	s.reply(w, http.StatusOK, out)
}
