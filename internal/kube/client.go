package kube

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/flowcontrol"
	kjson "sigs.k8s.io/json"
)

// Client reads and writes API objects as JSON, by path, into plain Go
// structs: the k8s.io/api types or smaller ones holding only what exodns
// reads. client-go's typed clients would do the same, but each of them
// links the types of every API group (their apply configurations import
// discovery, which imports the scheme of all groups): some 18 MB of
// binary. The requests are client-go's own (rest.Interface), so
// authentication, rate limits, retries and API errors
// (apierrors.IsNotFound, IsConflict) are as they were.
type Client struct {
	rest rest.Interface
	// strings is shared by every object the client's informers decode.
	strings *interner
}

// Clients are the clients of one rate limit.
type Clients struct {
	// Core serves every API group; each request names its resource. The
	// field keeps the name it had when it was client-go's typed core
	// client.
	Core *Client
}

// NewClients builds a client from rc, with a rate limiter of its own of
// rc.QPS and rc.Burst, as a clientset has.
func NewClients(rc *rest.Config) (*Clients, error) {
	c, err := NewClient(rc)
	if err != nil {
		return nil, err
	}
	return &Clients{Core: c}, nil
}

// NewClient builds a JSON client from rc, with a rate limiter of its own.
func NewClient(rc *rest.Config) (*Client, error) {
	rc = dynamic.ConfigFor(rc) // a copy, with the serializer API errors are decoded with
	// JSON only, even where the CBOR feature gates are on: the decoding
	// here is JSON.
	rc.ContentType, rc.AcceptContentTypes = "application/json", "application/json"
	rc.GroupVersion, rc.APIPath = nil, ""
	if rc.RateLimiter == nil && rc.QPS > 0 {
		burst := rc.Burst
		if burst <= 0 {
			burst = int(rc.QPS)
		}
		rc.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(rc.QPS, max(burst, 1))
	}
	hc, err := rest.HTTPClientFor(rc)
	if err != nil {
		return nil, fmt.Errorf("kube: http client: %w", err)
	}
	rst, err := rest.UnversionedRESTClientForConfigAndClient(rc, hc)
	if err != nil {
		return nil, fmt.Errorf("kube: rest client: %w", err)
	}
	return &Client{rest: rst, strings: newInterner()}, nil
}

// NewClientFor wraps a REST client (in tests, one of an httptest server).
func NewClientFor(r rest.Interface) *Client { return &Client{rest: r, strings: newInterner()} }

// Path is the URL path of a resource's collection in namespace ns (empty:
// all namespaces, or a cluster-scoped resource), or of the object name
// when name is not empty, followed by the subresources.
func Path(gvr schema.GroupVersionResource, ns, name string, sub ...string) string {
	p := "/apis/" + gvr.Group + "/" + gvr.Version
	if gvr.Group == "" {
		p = "/api/" + gvr.Version
	}
	if ns != "" {
		p += "/namespaces/" + ns
	}
	p += "/" + gvr.Resource
	if name != "" {
		p += "/" + name
	}
	for _, s := range sub {
		p += "/" + s
	}
	return p
}

// Get reads the JSON at path into out.
func (c *Client) Get(ctx context.Context, path string, out any) error {
	return c.do(ctx, c.rest.Get().AbsPath(path), out)
}

// Create posts in to the collection at path, and reads the created object
// into out (nil: discarded).
func (c *Client) Create(ctx context.Context, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("kube: encoding: %w", err)
	}
	return c.do(ctx, c.rest.Post().AbsPath(path).Body(body), out)
}

// Update puts in at path (the object's own), and reads the stored object
// into out. in's resourceVersion makes it fail with a conflict if the
// object changed since in was read.
func (c *Client) Update(ctx context.Context, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("kube: encoding: %w", err)
	}
	return c.do(ctx, c.rest.Put().AbsPath(path).Body(body), out)
}

// Patch sends a patch of type pt to path and reads the result into out.
func (c *Client) Patch(ctx context.Context, path string, pt types.PatchType, patch []byte, out any) error {
	return c.do(ctx, c.rest.Patch(pt).AbsPath(path).Body(patch), out)
}

// List opens one page of a collection: the response body, one JSON list.
//
// The body is decoded as it arrives, item by item (decodeList), not read
// whole first: a list of 5,000 Services is 6 MB of JSON, most of it fields
// no one reads, and reading it whole allocated 29 MB against 8 item by
// item (BenchmarkListServices5k). Informers list only where the API server
// does not send the initial objects as watch events (client-go's
// WatchListClient, which servers before Kubernetes 1.32 refuse), and
// after a watch they cannot resume.
func (c *Client) List(ctx context.Context, path string, opts metav1.ListOptions) (io.ReadCloser, error) {
	return listRequest(c.rest.Get().AbsPath(path), opts).Stream(ctx)
}

// Watch opens a watch of a collection: the response body, a stream of
// JSON watch events.
func (c *Client) Watch(ctx context.Context, path string, opts metav1.ListOptions) (io.ReadCloser, error) {
	opts.Watch = true
	return listRequest(c.rest.Get().AbsPath(path), opts).Stream(ctx)
}

// listRequest adds list options as query parameters, and their timeout
// as the request's, as client-go's typed clients do.
func listRequest(r *rest.Request, opts metav1.ListOptions) *rest.Request {
	if opts.TimeoutSeconds != nil {
		r = r.Timeout(time.Duration(*opts.TimeoutSeconds) * time.Second)
	}
	return r.SpecificallyVersionedParams(&opts, metav1.ParameterCodec, metav1.SchemeGroupVersion)
}

func (c *Client) do(ctx context.Context, r *rest.Request, out any) error {
	res := r.Do(ctx)
	if err := res.Error(); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	body, err := res.Raw()
	if err != nil {
		return err
	}
	return decode(body, out)
}

// decode reads JSON as the API machinery does: field names match case
// sensitively, numbers in untyped fields stay integers where they are.
func decode(data []byte, out any) error {
	if err := kjson.UnmarshalCaseSensitivePreserveInts(data, out); err != nil {
		return fmt.Errorf("kube: decoding %s: %w", snippet(data), err)
	}
	return nil
}

func snippet(data []byte) string {
	if len(data) > 80 {
		data = append(bytes.Clone(data[:77]), "..."...)
	}
	return fmt.Sprintf("%q", data)
}
