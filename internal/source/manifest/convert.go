package manifest

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/exodns/exodns/internal/source"
	"github.com/exodns/exodns/internal/source/dnsendpoint"
	"github.com/exodns/exodns/internal/source/ingress"
	"github.com/exodns/exodns/internal/source/service"
)

// fileDoc is a document with the file it came from, for problem reports.
type fileDoc struct {
	file string
	doc  document
}

// convert turns documents into endpoints with the Kubernetes conversion
// functions. Nodes are gathered first, since NodePort Services publish their
// addresses. Kinds exodns does not read are ignored, so a manifest folder
// can hold a whole application.
func convert(docs []fileDoc, opts source.Options) source.Result {
	var res source.Result
	var nodes []*corev1.Node
	for _, fd := range docs {
		if fd.doc.APIVersion == "v1" && fd.doc.Kind == "Node" {
			var n corev1.Node
			if err := json.Unmarshal(fd.doc.JSON, &n); err != nil {
				res.Problems = append(res.Problems, decodeProblem(fd, err))
				continue
			}
			nodes = append(nodes, &n)
		}
	}
	add := func(r source.Result) {
		res.Endpoints = append(res.Endpoints, r.Endpoints...)
		res.Problems = append(res.Problems, r.Problems...)
	}
	for _, fd := range docs {
		d := fd.doc
		switch {
		case d.APIVersion == "v1" && d.Kind == "Service":
			var svc corev1.Service
			if err := json.Unmarshal(d.JSON, &svc); err != nil {
				res.Problems = append(res.Problems, decodeProblem(fd, err))
				continue
			}
			defaultNamespace(&svc.Namespace)
			add(service.Endpoints(&svc, nodes, opts))
		case d.APIVersion == "networking.k8s.io/v1" && d.Kind == "Ingress":
			var ing networkingv1.Ingress
			if err := json.Unmarshal(d.JSON, &ing); err != nil {
				res.Problems = append(res.Problems, decodeProblem(fd, err))
				continue
			}
			defaultNamespace(&ing.Namespace)
			add(ingress.Endpoints(&ing, opts))
		case dnsendpoint.Matches(d.APIVersion, d.Kind, opts):
			obj, err := dnsendpoint.Decode(d.JSON)
			if err != nil {
				res.Problems = append(res.Problems, decodeProblem(fd, err))
				continue
			}
			defaultNamespace(&obj.Namespace)
			add(dnsendpoint.Endpoints(obj, opts))
		}
	}
	return res
}

// defaultNamespace mirrors kubectl apply: an object without a namespace
// lands in "default", and its resource label says so.
func defaultNamespace(ns *string) {
	if *ns == "" {
		*ns = "default"
	}
}

func decodeProblem(fd fileDoc, err error) source.Problem {
	ref := fileRef(fd.file, fd.doc.Index)
	return source.Problem{Object: ref, Err: fmt.Errorf("%s %s/%s: %w", fd.doc.Kind, fd.doc.Namespace, fd.doc.Name, err)}
}
