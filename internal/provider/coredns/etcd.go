package coredns

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// KV is one etcd key with its value and the revision it was last changed
// at, which a transaction compares to change it only as it was read.
type KV struct {
	Key         string
	Value       []byte
	ModRevision int64
}

// Op is one operation of a transaction: a put (Value set) or a delete.
type Op struct {
	Key    string
	Value  []byte
	Delete bool
}

// Cond requires a key to be unchanged since it was read (ModRevision),
// or absent (ModRevision 0).
type Cond struct {
	Key         string
	ModRevision int64
}

// KVClient is what the provider needs of etcd; tests hand in a fake.
type KVClient interface {
	// Prefix returns every key under prefix.
	Prefix(ctx context.Context, prefix string) ([]KV, error)
	// Txn applies ops if every cond holds, all or nothing; ok is false
	// when a cond failed.
	Txn(ctx context.Context, conds []Cond, ops []Op) (ok bool, err error)
	// Stamp returns how many keys are under prefix and the highest
	// revision any of them was last changed at, reading no value.
	Stamp(ctx context.Context, prefix string) (PrefixStamp, error)
}

// PrefixStamp is a key prefix's count of keys and their highest
// ModRevision. Every change under the prefix changes it, and an unchanged
// stamp means unchanged keys: a put gives its key a revision above every
// other, so the highest moves unless that key is deleted again; deletes
// alone lower the count; and for the stamp to come back, every key put
// since must be gone, which leaves a subset of the keys there were, with
// their revisions and so their values, as many of them as before: the
// same keys.
type PrefixStamp struct {
	Count, MaxModRevision int64
}

// gateway speaks etcd's JSON gateway (/v3/...), which every etcd since
// 3.3 serves on its client URL: no gRPC client is linked in.
type gateway struct {
	endpoints []string
	user      string
	password  string
	http      *http.Client

	mu    sync.Mutex
	token string // from /v3/auth/authenticate, when a user is set
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// prefixEnd is the first key after every key starting with prefix.
func prefixEnd(prefix string) string {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return "\x00"
}

func (g *gateway) Prefix(ctx context.Context, prefix string) ([]KV, error) {
	var resp struct {
		KVs []struct {
			Key         string `json:"key"`
			Value       string `json:"value"`
			ModRevision string `json:"mod_revision"`
		} `json:"kvs"`
	}
	if err := g.call(ctx, "/v3/kv/range", map[string]any{"key": b64(prefix), "range_end": b64(prefixEnd(prefix))}, &resp); err != nil {
		return nil, err
	}
	out := make([]KV, 0, len(resp.KVs))
	for _, kv := range resp.KVs {
		k, err1 := base64.StdEncoding.DecodeString(kv.Key)
		v, err2 := base64.StdEncoding.DecodeString(kv.Value)
		rev, err3 := strconv.ParseInt(kv.ModRevision, 10, 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, fmt.Errorf("etcd range: a key does not read: %w", err)
		}
		out = append(out, KV{Key: string(k), Value: v, ModRevision: rev})
	}
	return out, nil
}

func (g *gateway) Stamp(ctx context.Context, prefix string) (PrefixStamp, error) {
	var resp struct {
		KVs []struct {
			ModRevision string `json:"mod_revision"`
		} `json:"kvs"`
		Count string `json:"count"`
	}
	req := map[string]any{"key": b64(prefix), "range_end": b64(prefixEnd(prefix)), "limit": 1, "keys_only": true,
		"sort_order": "DESCEND", "sort_target": "MOD"}
	if err := g.call(ctx, "/v3/kv/range", req, &resp); err != nil {
		return PrefixStamp{}, err
	}
	var st PrefixStamp
	var err error
	if resp.Count != "" {
		if st.Count, err = strconv.ParseInt(resp.Count, 10, 64); err != nil {
			return PrefixStamp{}, fmt.Errorf("etcd range: count %q: %w", resp.Count, err)
		}
	}
	if len(resp.KVs) > 0 {
		if st.MaxModRevision, err = strconv.ParseInt(resp.KVs[0].ModRevision, 10, 64); err != nil {
			return PrefixStamp{}, fmt.Errorf("etcd range: mod_revision %q: %w", resp.KVs[0].ModRevision, err)
		}
	}
	return st, nil
}

func (g *gateway) Txn(ctx context.Context, conds []Cond, ops []Op) (bool, error) {
	req := map[string]any{}
	var compare, success []map[string]any
	for _, c := range conds {
		if c.ModRevision == 0 {
			compare = append(compare, map[string]any{"key": b64(c.Key), "target": "VERSION", "result": "EQUAL", "version": "0"})
		} else {
			compare = append(compare, map[string]any{"key": b64(c.Key), "target": "MOD", "result": "EQUAL", "mod_revision": strconv.FormatInt(c.ModRevision, 10)})
		}
	}
	for _, o := range ops {
		if o.Delete {
			success = append(success, map[string]any{"request_delete_range": map[string]any{"key": b64(o.Key)}})
		} else {
			success = append(success, map[string]any{"request_put": map[string]any{"key": b64(o.Key), "value": base64.StdEncoding.EncodeToString(o.Value)}})
		}
	}
	req["compare"], req["success"] = compare, success
	var resp struct {
		Succeeded bool `json:"succeeded"`
	}
	if err := g.call(ctx, "/v3/kv/txn", req, &resp); err != nil {
		return false, err
	}
	return resp.Succeeded, nil
}

// call posts to each endpoint in turn until one answers.
func (g *gateway) call(ctx context.Context, path string, body, out any) error {
	var errs []error
	for _, ep := range g.endpoints {
		err := g.callOne(ctx, strings.TrimSuffix(ep, "/"), path, body, out)
		if err == nil {
			return nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return fmt.Errorf("etcd %s: %w", path, errors.Join(errs...))
}

func (g *gateway) callOne(ctx context.Context, base, path string, body, out any) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.user != "" && g.token == "" {
		var auth struct {
			Token string `json:"token"`
		}
		if err := g.post(ctx, base, "/v3/auth/authenticate", map[string]any{"name": g.user, "password": g.password}, &auth); err != nil {
			return fmt.Errorf("authenticate as %s: %w", g.user, err)
		}
		g.token = auth.Token
	}
	err := g.post(ctx, base, path, body, out)
	var se *statusError
	if errors.As(err, &se) && g.user != "" && strings.Contains(se.body, "token") {
		g.token = "" // expired: authenticate again on the next call
	}
	return err
}

type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string { return fmt.Sprintf("etcd answered %d: %s", e.status, e.body) }

func (g *gateway) post(ctx context.Context, base, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if g.token != "" {
		req.Header.Set("Authorization", g.token)
	}
	resp, err := g.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 512<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return &statusError{status: resp.StatusCode, body: strings.TrimSpace(string(data[:min(len(data), 300)]))}
	}
	return json.Unmarshal(data, out)
}
