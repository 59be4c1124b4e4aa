package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/exodns/exodns/internal/provider"
)

// StatusError is an answer with a status the request does not expect.
type StatusError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s %s answered %d", e.Method, e.Path, e.Status)
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// retryable is a 5xx answer or a failure to reach the server.
func retryable(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status >= 500
	}
	return err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// call sends one request and retries it, with exponential backoff, while
// the server answers 5xx or cannot be reached. want is the one status that
// means success; the body of that answer is decoded into out.
func (p *Provider) call(ctx context.Context, method, path string, body any, want int, out any) ([]byte, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	timeout := p.cfg.ReadTimeout
	if method != http.MethodGet {
		timeout = p.cfg.WriteTimeout
	}
	pause := p.cfg.Backoff
	var err error
	for attempt := 1; ; attempt++ {
		var data []byte
		data, err = p.once(ctx, method, path, payload, timeout, want, out)
		if err == nil || !retryable(err) || attempt >= p.cfg.Attempts {
			return data, err
		}
		p.log.Debug("webhook: retrying", "method", method, "path", path, "attempt", attempt, "err", err)
		if !provider.Sleep(ctx, pause) {
			return nil, errors.Join(err, ctx.Err())
		}
		pause = min(2*pause, 10*time.Second)
	}
}

func (p *Provider) once(ctx context.Context, method, path string, payload []byte, timeout time.Duration, want int, out any) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", MediaType)
	if payload != nil {
		req.Header.Set("Content-Type", MediaType)
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != want {
		return data, &StatusError{Method: method, Path: path, Status: resp.StatusCode, Body: strings.TrimSpace(string(data[:min(len(data), 300)]))}
	}
	if out != nil {
		if ct := resp.Header.Get("Content-Type"); !mediaTypeOK(ct) {
			return nil, fmt.Errorf("%s %s: Content-Type %q, want %s", method, path, ct, MediaType)
		}
		if err := json.Unmarshal(data, out); err != nil {
			return nil, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
		}
	}
	return data, nil
}

// mediaTypeOK accepts the media type with or without spaces around its
// parameter, as servers write it.
func mediaTypeOK(ct string) bool {
	return strings.ReplaceAll(strings.ToLower(ct), " ", "") == MediaType
}
