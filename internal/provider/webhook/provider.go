// Package webhook is the client side of upstream external-dns's webhook
// protocol (--provider=webhook): every provider written for upstream's
// webhook (a sidecar listening on localhost:8888) works with exodns.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
)

// Options are the provider's collaborators; none is a flag.
type Options struct {
	// HTTP sends the requests; nil means a plain client.
	HTTP *http.Client
	// Log receives the provider's logs; nil discards them.
	Log *slog.Logger
	// Registerer receives the provider's metrics; nil registers none.
	Registerer prometheus.Registerer
}

// Provider implements provider.Provider over a webhook server.
type Provider struct {
	cfg     Config
	base    string
	http    *http.Client
	log     *slog.Logger
	filter  endpoint.DomainFilter
	metrics *metrics
}

var _ provider.Provider = (*Provider)(nil)

// New checks cfg and negotiates with the server (GET /, retried while the
// server is starting): it must answer in the protocol's media type, with
// the domain filter it serves.
func New(ctx context.Context, cfg Config, o Options) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	p := &Provider{cfg: cfg, base: strings.TrimSuffix(cfg.URL, "/"), http: o.HTTP, log: o.Log, metrics: newMetrics(o.Registerer)}
	var f Filter
	if _, err := p.call(ctx, http.MethodGet, PathNegotiate, nil, http.StatusOK, &f); err != nil {
		return nil, fmt.Errorf("webhook: negotiate with %s: %w", cfg.URL, err)
	}
	df, err := f.DomainFilter()
	if err != nil {
		return nil, fmt.Errorf("webhook: the server's domain filter: %w", err)
	}
	p.filter = df
	p.log.Info("webhook provider negotiated", "url", cfg.URL, "include", df.Include, "exclude", df.Exclude)
	return p, nil
}

// DomainFilter is the filter the server announced.
func (p *Provider) DomainFilter() endpoint.DomainFilter { return p.filter }

// Records asks the server for every record (GET /records), keeping those
// its domain filter covers.
func (p *Provider) Records(ctx context.Context) ([]*endpoint.Endpoint, error) {
	var eps []*endpoint.Endpoint
	if _, err := p.call(ctx, http.MethodGet, PathRecords, nil, http.StatusOK, &eps); err != nil {
		p.metrics.recordsErrors.Inc()
		return nil, fmt.Errorf("webhook: records: %w", err)
	}
	out := eps[:0]
	for _, e := range eps {
		if e != nil && p.filter.Match(e.DNSName) {
			out = append(out, e)
		}
	}
	return out, nil
}

// AdjustEndpoints asks the server (POST /adjustendpoints) for the form it
// will report desired endpoints in. Held endpoints are not sent; labels
// the server drops are put back (by record key), so ownership and holds
// survive a server that does not echo them. An endpoint outside the
// server's domain filter is held: the server does not manage that name.
func (p *Provider) AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	var send, out []*endpoint.Endpoint
	labels := map[endpoint.Key]endpoint.Labels{}
	for _, e := range eps {
		switch {
		case e.Held():
			out = append(out, e)
		case !p.filter.Match(e.DNSName):
			out = append(out, e.DeepCopy().WithLabel(endpoint.HoldLabel, "webhook: outside the domain filter the webhook provider serves"))
		default:
			send = append(send, e)
			labels[e.Key()] = e.Labels
		}
	}
	if len(send) == 0 {
		return out, nil
	}
	var adjusted []*endpoint.Endpoint
	if _, err := p.call(context.Background(), http.MethodPost, PathAdjust, send, http.StatusOK, &adjusted); err != nil {
		p.metrics.adjustErrors.Inc()
		return nil, fmt.Errorf("webhook: adjust endpoints: %w", err)
	}
	for _, e := range adjusted {
		if e == nil {
			continue
		}
		for k, v := range labels[e.Key()].All() {
			if _, ok := e.Labels.Lookup(k); !ok {
				e.WithLabel(k, v)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// ApplyChanges sends the batch (POST /records); only 204 is success. An
// exodns webhook server answers 422 with the changes its provider refused,
// which come back as a *provider.RefusedError (the rest was applied); any
// other answer fails the batch.
func (p *Provider) ApplyChanges(ctx context.Context, c *plan.Changes) error {
	if !c.HasChanges() {
		return nil
	}
	data, err := p.call(ctx, http.MethodPost, PathRecords, c, http.StatusNoContent, nil)
	var se *StatusError
	if errors.As(err, &se) && se.Status == http.StatusUnprocessableEntity {
		var r Refusals
		if json.Unmarshal(data, &r) == nil && len(r.Refused) > 0 {
			return fmt.Errorf("webhook: %w", r.RefusedError())
		}
	}
	if err != nil {
		p.metrics.applyErrors.Inc()
		return fmt.Errorf("webhook: apply changes: %w", err)
	}
	return nil
}
