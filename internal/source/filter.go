package source

import (
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/exodns/exodns/internal/annotations"
)

// DefaultController is upstream's value of the controller annotation.
const DefaultController = "dns-controller"

// ParseLabelFilter parses --label-filter. An empty filter yields nil, which
// selects everything.
func ParseLabelFilter(s string) (labels.Selector, error) {
	return parseSelector("--label-filter", s)
}

// ParseAnnotationFilter parses --annotation-filter, which uses label
// selector syntax against annotations. Empty yields nil.
func ParseAnnotationFilter(s string) (labels.Selector, error) {
	return parseSelector("--annotation-filter", s)
}

func parseSelector(flag, s string) (labels.Selector, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	sel, err := labels.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("source: %s %q: %w", flag, s, err)
	}
	return sel, nil
}

// Selects reports whether an object with these labels and annotations
// passes --label-filter and --annotation-filter.
func (o Options) Selects(objLabels, objAnnotations map[string]string) bool {
	if o.LabelFilter != nil && !o.LabelFilter.Matches(labels.Set(objLabels)) {
		return false
	}
	return o.AnnotationFilter == nil || o.AnnotationFilter.Matches(labels.Set(objAnnotations))
}

// ControllerValue is the controller annotation value this controller owns.
func (o Options) ControllerValue() string {
	if o.Controller == "" {
		return DefaultController
	}
	return o.Controller
}

// Owns reports whether the parsed annotations leave the object to this
// controller: no controller annotation, or one naming it. As upstream, an
// empty controller annotation names nobody.
func (o Options) Owns(v annotations.Values) bool {
	return !v.HasController || v.Controller == o.ControllerValue()
}

// NewObjectRef names a typed object. Informers leave TypeMeta empty, so the
// caller supplies apiVersion and kind.
func NewObjectRef(apiVersion, kind string, meta *metav1.ObjectMeta) ObjectRef {
	return ObjectRef{
		APIVersion: apiVersion,
		Kind:       kind,
		Namespace:  meta.Namespace,
		Name:       meta.Name,
		UID:        string(meta.UID),
	}
}

// StartAnnotated begins the conversion of an object that is configured by
// annotations (Service, Ingress, Gateway routes): it applies the filters and
// the controller annotation and parses the annotations into the builder.
// ok is false when the object is not for this controller; its annotation
// problems are then not reported either, since they are not ours to judge.
func StartAnnotated(ref ObjectRef, meta *metav1.ObjectMeta, opts Options) (b *Builder, ok bool) {
	if !opts.Selects(meta.Labels, meta.Annotations) {
		return nil, false
	}
	v, errs := opts.Annotations.Parse(meta.Annotations)
	if !opts.Owns(v) {
		return nil, false
	}
	b = NewBuilder(ref, ref.Resource())
	b.Values = v
	for _, err := range errs {
		b.Report(err)
	}
	b.holdAll = len(errs) > 0
	return b, true
}
