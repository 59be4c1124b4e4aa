package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	kjson "sigs.k8s.io/json"
)

// wireObject is a wire type (wire.go), converted to its API type once
// decoded.
type wireObject interface {
	object(in *interner) runtime.Object
}

// kind is how the objects of one resource are read.
type kind struct {
	gvr schema.GroupVersionResource
	// newObject returns an empty object of the API type: the informer's
	// example, and the object of a watch bookmark.
	newObject func() runtime.Object
	// decode and decodeList share the strings of what they decode
	// through in (nil: no sharing).
	decode     func(data []byte, in *interner) (runtime.Object, error)
	decodeList func(r io.Reader, in *interner) (*objectList, error)
	// byNamespace keeps an index by namespace, for a lister asked for
	// the objects of one namespace. Without one a lookup by name still
	// works (by key), and the index, a set of every object's key, is
	// not kept for nothing.
	byNamespace bool
}

// indexedByNamespace returns k with an index by namespace.
func (k kind) indexedByNamespace() kind {
	k.byNamespace = true
	return k
}

// kindOf reads objects of gvr through the wire type W.
func kindOf[W any, PW interface {
	*W
	wireObject
}](gvr schema.GroupVersionResource, newObject func() runtime.Object) kind {
	return kind{
		gvr:       gvr,
		newObject: newObject,
		decode: func(data []byte, in *interner) (runtime.Object, error) {
			var w W
			if err := decode(data, &w); err != nil {
				return nil, err
			}
			return PW(&w).object(in), nil
		},
		decodeList: func(r io.Reader, in *interner) (*objectList, error) {
			out := &objectList{}
			err := decodeList(r, &out.ListMeta, func(dec kjson.Decoder) error {
				var w W
				if err := dec.Decode(&w); err != nil {
					return err
				}
				out.Items = append(out.Items, PW(&w).object(in))
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("kube: decoding a list of %s: %w", gvr.Resource, err)
			}
			return out, nil
		},
	}
}

// decodeList reads a JSON list from r, one item at a time: the list's
// metadata into meta, and each element of its items through item, which
// decodes it with dec. Other members (kind, apiVersion) are skipped.
func decodeList(r io.Reader, meta *metav1.ListMeta, item func(dec kjson.Decoder) error) error {
	dec := kjson.NewDecoderCaseSensitivePreserveInts(r)
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	sawItems := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case "metadata":
			if err := dec.Decode(meta); err != nil {
				return err
			}
		case "items":
			if sawItems {
				return errors.New("items twice")
			}
			sawItems = true
			t, err := dec.Token()
			if err != nil {
				return err
			}
			if t == nil { // null
				continue
			}
			if delim(t) != '[' {
				return fmt.Errorf("items is %v, not an array", t)
			}
			for dec.More() {
				if err := item(dec); err != nil {
					return err
				}
			}
			if err := expectDelim(dec, ']'); err != nil {
				return err
			}
		default:
			var v skipped
			if err := dec.Decode(&v); err != nil {
				return err
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return err
	}
	// One list per body: anything after it is a broken response.
	if t, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("data after the list: %v, %v", t, err)
	}
	return nil
}

func expectDelim(dec kjson.Decoder, want rune) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if delim(t) != want {
		return fmt.Errorf("%v where %c was expected", t, want)
	}
	return nil
}

// delim is the delimiter a token is, or 0. The decoder's delimiters are of
// its own type, not encoding/json's Delim, and print as themselves.
func delim(t any) rune {
	if d, ok := t.(fmt.Stringer); ok {
		if s := d.String(); len(s) == 1 && strings.ContainsAny(s, "{}[]") {
			return rune(s[0])
		}
	}
	return 0
}

// objectList is a page of a list as the reflector takes it: list metadata
// (resourceVersion, continue) and the items.
type objectList struct {
	metav1.TypeMeta
	metav1.ListMeta
	Items []runtime.Object
}

func (l *objectList) DeepCopyObject() runtime.Object {
	c := &objectList{TypeMeta: l.TypeMeta, Items: make([]runtime.Object, len(l.Items))}
	l.ListMeta.DeepCopyInto(&c.ListMeta)
	for i, o := range l.Items {
		c.Items[i] = o.DeepCopyObject()
	}
	return c
}

// listWatch lists and watches k in namespace ns (empty: all) through c;
// tweak, if set, adjusts every request's options (a field selector).
func (c *Client) listWatch(k kind, ns string, tweak func(*metav1.ListOptions)) *cache.ListWatch {
	path := Path(k.gvr, ns, "")
	return &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			if tweak != nil {
				tweak(&o)
			}
			body, err := c.List(ctx, path, o)
			if err != nil {
				return nil, err
			}
			defer body.Close()
			return k.decodeList(body, c.strings)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			if tweak != nil {
				tweak(&o)
			}
			body, err := c.Watch(ctx, path, o)
			if err != nil {
				return nil, err
			}
			// As client-go's own watches do: a stream that cannot be
			// decoded ends in an Error event, the reflector's cue to
			// list again.
			return watch.NewStreamWatcher(&eventDecoder{body: body, dec: json.NewDecoder(body), kind: k, strings: c.strings},
				apierrors.NewClientErrorReporter(http.StatusInternalServerError, "GET", "ClientWatchDecoding")), nil
		},
	}
}

// eventDecoder reads a JSON watch stream: {"type": ..., "object": ...}
// per event.
type eventDecoder struct {
	body    io.ReadCloser
	dec     *json.Decoder
	kind    kind
	strings *interner
	// ev is the event read last. Its object's bytes are read into the
	// same buffer each time (RawMessage appends to what it holds), where
	// a buffer per event was a copy of every object of the initial
	// events; nothing decoded keeps a reference to them.
	ev struct {
		Type   watch.EventType `json:"type"`
		Object json.RawMessage `json:"object"`
	}
}

func (d *eventDecoder) Decode() (watch.EventType, runtime.Object, error) {
	d.ev.Type, d.ev.Object = "", d.ev.Object[:0]
	ev := &d.ev
	if err := d.dec.Decode(ev); err != nil {
		return "", nil, err
	}
	switch ev.Type {
	case watch.Added, watch.Modified, watch.Deleted:
		obj, err := d.kind.decode(ev.Object, d.strings)
		return ev.Type, obj, err
	case watch.Bookmark:
		// Only the resourceVersion and annotations of a bookmark count
		// (the end of the initial events of a streaming list is
		// announced in one), and the wire types of Pods and Nodes drop
		// annotations.
		var b struct {
			Metadata struct {
				ResourceVersion string            `json:"resourceVersion"`
				Annotations     map[string]string `json:"annotations"`
			} `json:"metadata"`
		}
		if err := decode(ev.Object, &b); err != nil {
			return "", nil, err
		}
		obj := d.kind.newObject()
		m, err := meta.Accessor(obj)
		if err != nil {
			return "", nil, err
		}
		m.SetResourceVersion(b.Metadata.ResourceVersion)
		m.SetAnnotations(b.Metadata.Annotations)
		return watch.Bookmark, obj, nil
	case watch.Error:
		var st metav1.Status
		if err := decode(ev.Object, &st); err != nil {
			return "", nil, err
		}
		return watch.Error, &st, nil
	}
	return "", nil, fmt.Errorf("kube: watch event of unknown type %q", ev.Type)
}

func (d *eventDecoder) Close() { _ = d.body.Close() }
