package controller

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Health turns reconcile results into a /healthz answer. It fails after
// Threshold reconciles in a row have failed, so a controller that cannot
// reach its provider is restarted or alerted on instead of looking fine.
type Health struct {
	Threshold int

	mu          sync.Mutex
	consecutive int
	lastErr     error
	lastSuccess time.Time
	// ready is set by the first successful reconcile, or by MarkReady.
	ready bool
}

// NewHealth returns a Health that fails after threshold consecutive errors
// (at least 1).
func NewHealth(threshold int) *Health {
	return &Health{Threshold: max(threshold, 1)}
}

// Record notes the result of one reconcile.
func (h *Health) Record(err error, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err == nil {
		h.consecutive, h.lastErr, h.lastSuccess, h.ready = 0, nil, now, true
		return
	}
	h.consecutive++
	h.lastErr = err
}

// Check returns an error while the controller is unhealthy.
func (h *Health) Check() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.consecutive >= h.Threshold {
		return fmt.Errorf("last %d reconciles failed; latest: %v", h.consecutive, h.lastErr)
	}
	return nil
}

// ServeHTTP answers 200 "ok" or 503 with the reason.
func (h *Health) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	if err := h.Check(); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

// MarkReady says the replica is ready without a reconcile of its own: a
// standby that does not write, once its caches are warm.
func (h *Health) MarkReady() {
	h.mu.Lock()
	h.ready = true
	h.mu.Unlock()
}

// Ready returns an error until the replica can serve: its sources have
// been read and what they ask for is applied (for the embedded server: the
// zone is loaded). A Service must not send it queries before.
func (h *Health) Ready() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.ready {
		if h.lastErr != nil {
			return fmt.Errorf("not ready: no reconcile has succeeded yet; latest: %v", h.lastErr)
		}
		return fmt.Errorf("not ready: sources not read and applied yet")
	}
	return nil
}

// ReadyHandler answers /readyz: 200 "ok" once ready, else 503 with the
// reason. It is separate from /healthz, which only fails after repeated
// errors: a replica still loading is healthy but not ready.
func (h *Health) ReadyHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if err := h.Ready(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
}
