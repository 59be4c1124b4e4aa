package manifest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// maxDocumentBytes bounds one YAML document, so a corrupt or hostile file
// cannot make the controller allocate without limit.
const maxDocumentBytes = 4 << 20

// document is one object read from a manifest file, kept as JSON so it can
// be decoded into whichever typed object its kind asks for.
type document struct {
	Index      int // position in the file, from 0, counting List items as their List
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
	JSON       []byte
}

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Items []json.RawMessage `json:"items"`
}

// docError is a document that could not be read; the others still are.
type docError struct {
	Index int
	Err   error
}

func (e docError) Error() string { return fmt.Sprintf("document %d: %v", e.Index, e.Err) }

// parseDocuments splits a multi-document YAML or JSON stream into objects.
// A broken document is reported and skipped; it never hides the others.
func parseDocuments(data []byte) ([]document, []docError) {
	var docs []document
	var errs []docError
	r := utilyaml.NewYAMLReader(bufio.NewReaderSize(bytes.NewReader(data), 64<<10))
	for i := 0; ; i++ {
		raw, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// The reader cannot resynchronise after a framing error.
			errs = append(errs, docError{Index: i, Err: err})
			break
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			i--
			continue
		}
		if len(raw) > maxDocumentBytes {
			errs = append(errs, docError{Index: i, Err: fmt.Errorf("document is %d bytes, the limit is %d", len(raw), maxDocumentBytes)})
			continue
		}
		js, err := yaml.YAMLToJSON(raw)
		if err != nil {
			errs = append(errs, docError{Index: i, Err: err})
			continue
		}
		if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
			i-- // a comment-only document
			continue
		}
		var tm typeMeta
		if err := json.Unmarshal(js, &tm); err != nil {
			errs = append(errs, docError{Index: i, Err: fmt.Errorf("not a Kubernetes object: %w", err)})
			continue
		}
		if tm.Kind == "" || tm.APIVersion == "" {
			errs = append(errs, docError{Index: i, Err: errors.New("apiVersion and kind are required")})
			continue
		}
		if tm.Kind == "List" || (len(tm.Items) > 0 && len(tm.Kind) > 4 && tm.Kind[len(tm.Kind)-4:] == "List") {
			for _, item := range tm.Items {
				var it typeMeta
				if err := json.Unmarshal(item, &it); err != nil || it.Kind == "" || it.APIVersion == "" {
					errs = append(errs, docError{Index: i, Err: errors.New("list item without apiVersion/kind")})
					continue
				}
				docs = append(docs, newDocument(i, it, item))
			}
			continue
		}
		docs = append(docs, newDocument(i, tm, js))
	}
	return docs, errs
}

func newDocument(i int, tm typeMeta, js []byte) document {
	return document{Index: i, APIVersion: tm.APIVersion, Kind: tm.Kind,
		Namespace: tm.Metadata.Namespace, Name: tm.Metadata.Name, JSON: js}
}
