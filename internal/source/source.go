// Package source defines where desired records come from, and the pieces
// every source shares: object references, problem reports and options.
package source

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/template"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/exodns/exodns/internal/annotations"
	"github.com/exodns/exodns/internal/endpoint"
)

// Source tells what records should exist.
type Source interface {
	Endpoints(ctx context.Context) ([]*endpoint.Endpoint, error)
	// AddEventHandler registers a function called (possibly often, and from
	// any goroutine) whenever the source's input changed. Callers debounce.
	AddEventHandler(ctx context.Context, handler func())
}

// IncompleteError says the endpoints returned with it are not all that is
// wanted: some input could not be read yet (a manifest file that has never
// parsed), and the names it would publish are unknown. The controller
// applies creates and updates but deletes nothing until it is complete.
type IncompleteError struct{ Errs []error }

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("input incomplete, nothing is deleted until it is read: %v", errors.Join(e.Errs...))
}

// Unwrap gives the causes.
func (e *IncompleteError) Unwrap() []error { return e.Errs }

// AsIncomplete reports whether err is (or wraps) an IncompleteError.
func AsIncomplete(err error) (*IncompleteError, bool) {
	var ie *IncompleteError
	ok := errors.As(err, &ie)
	return ie, ok
}

// ObjectRef names the object an endpoint or a problem came from.
type ObjectRef struct {
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
	UID        string
}

// Resource returns the value of the ownership "resource" label:
// lower(kind)/namespace/name, as upstream writes it into TXT records.
func (o ObjectRef) Resource() string {
	return strings.ToLower(o.Kind) + "/" + o.Namespace + "/" + o.Name
}

// ParseResource reads a resource label back into its parts; it is the
// inverse of ObjectRef.Resource. ok is false for anything not shaped
// kind/namespace/name.
func ParseResource(label string) (kind, namespace, name string, ok bool) {
	parts := strings.SplitN(label, "/", 3)
	if len(parts) != 3 {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// String renders the reference for logs: Kind namespace/name.
func (o ObjectRef) String() string {
	if o.Namespace == "" {
		return o.Kind + " " + o.Name
	}
	return o.Kind + " " + o.Namespace + "/" + o.Name
}

// Problem is one report about an object: usually an input that was
// skipped because it was invalid. Err names the field and value (usually an
// *endpoint.ValidationError).
type Problem struct {
	Object ObjectRef
	Err    error
	// Kind says what is reported; the zero value is invalid input.
	Kind ProblemKind
}

// ProblemKind tells reports apart, for the log message, the Event reason
// and the metrics.
type ProblemKind uint8

const (
	// InvalidInput: an annotation, hostname, TTL or file could not be
	// read; the records it would describe are held, not deleted.
	InvalidInput ProblemKind = iota
	// Refused: the provider would not take a record; its name is held.
	Refused
	// Contested: a record this owner wrote was changed by someone else,
	// typically a second controller with the same owner id.
	Contested
	// Conflict: another object, or another owner, holds the record.
	Conflict
	// NoRecords is not an error: a valid object yields no record yet, such
	// as a LoadBalancer Service whose status has no address.
	NoRecords
)

// String names the kind as logs and Event reasons do.
func (k ProblemKind) String() string {
	switch k {
	case Refused:
		return "ProviderRefused"
	case Contested:
		return "RecordContested"
	case Conflict:
		return "HostnameConflict"
	case NoRecords:
		return "NoRecords"
	}
	return "InvalidInput"
}

func (p Problem) Error() string { return fmt.Sprintf("%s: %v", p.Object, p.Err) }

// Reporter receives problems. The controller's reporter logs each one with
// the object's namespace/name, counts it in a metric, and (with a cluster)
// records a Kubernetes Event on the object.
type Reporter interface {
	Report(p Problem)
}

// ReporterFunc adapts a function to Reporter.
type ReporterFunc func(Problem)

// Report calls f.
func (f ReporterFunc) Report(p Problem) { f(p) }

// Result is what converting one object yields: the endpoints it asks for,
// and the inputs that were skipped.
type Result struct {
	Endpoints []*endpoint.Endpoint
	Problems  []Problem
}

// Options are the settings shared by every conversion from a Kubernetes
// object to endpoints. The zero value is upstream's default behaviour; its
// zero Annotations parser reads both default prefixes.
type Options struct {
	Annotations annotations.Parser

	// LabelFilter and AnnotationFilter select objects (--label-filter,
	// --annotation-filter); nil selects everything.
	LabelFilter      labels.Selector
	AnnotationFilter labels.Selector

	// FQDNTemplate (--fqdn-template) names objects that carry no hostname;
	// with CombineFQDNAnnotation its names are added to annotated ones.
	FQDNTemplate          *template.Template
	CombineFQDNAnnotation bool

	// DefaultTargets (--default-targets) fill in DNSEndpoint entries that
	// have no targets. With ForceDefaultTargets they replace the targets of
	// every address record an object yields, annotated ones included; an
	// object that yields no record still yields none. See Options.Targets.
	DefaultTargets      []string
	ForceDefaultTargets bool

	IgnoreHostnameAnnotation bool // --ignore-hostname-annotation
	IgnoreIngressTLSSpec     bool // --ignore-ingress-tls-spec
	IgnoreIngressRulesSpec   bool // --ignore-ingress-rules-spec
	PublishInternal          bool // --publish-internal-services
	PublishHostIP            bool // --publish-host-ip

	// Controller is this controller's value of the controller annotation;
	// objects naming another controller are skipped. Empty means
	// upstream's "dns-controller".
	Controller string

	// ServiceTypeFilter (--service-type-filter) keeps only Services of these
	// types (ClusterIP, NodePort, LoadBalancer, ExternalName); empty keeps all.
	ServiceTypeFilter []string
	// IngressClassNames (--ingress-class) keeps only Ingresses whose
	// spec.ingressClassName, or when unset whose kubernetes.io/ingress.class
	// annotation, is listed; empty keeps all.
	IngressClassNames []string

	// CRDAPIVersion and CRDKind (--crd-source-apiversion, --crd-source-kind)
	// name the resource read as DNSEndpoints; empty means
	// externaldns.k8s.io/v1alpha1 and DNSEndpoint.
	CRDAPIVersion string
	CRDKind       string
}
