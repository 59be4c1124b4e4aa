package dnsserver

import (
	"log/slog"
	"sync"
	"time"
)

// tsigLogBurst is how many refused TSIGs are logged per minute; the rest
// are counted, and the count is logged with the next line that goes out.
// Anyone can send bad signatures, and the log must not become the attack.
const tsigLogBurst = 20

// logLimiter logs at most burst lines per period.
type logLimiter struct {
	log    *slog.Logger
	burst  int
	period time.Duration

	mu         sync.Mutex
	start      time.Time
	n          int
	suppressed int
}

func newLogLimiter(log *slog.Logger, burst int, period time.Duration) *logLimiter {
	return &logLimiter{log: log, burst: burst, period: period}
}

// warn logs msg unless the period's burst is spent.
func (l *logLimiter) warn(msg string, args ...any) {
	if l == nil || l.log == nil {
		return
	}
	l.mu.Lock()
	now := time.Now()
	if now.Sub(l.start) > l.period {
		l.start, l.n = now, 0
	}
	if l.n >= l.burst {
		l.suppressed++
		l.mu.Unlock()
		return
	}
	l.n++
	suppressed := l.suppressed
	l.suppressed = 0
	l.mu.Unlock()
	if suppressed > 0 {
		args = append(args, "suppressed_before", suppressed)
	}
	l.log.Warn(msg, args...)
}
