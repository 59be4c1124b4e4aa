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
		h.consecutive, h.lastErr, h.lastSuccess = 0, nil, now
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
