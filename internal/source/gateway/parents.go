package gateway

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/exodns/exodns/internal/source"
)

// Parents are the Gateways and ListenerSets routes attach to, resolved
// once per reconcile: filtered, with their listeners, their targets and
// whether they are attached at all. Build it with NewParents.
type Parents struct {
	byKey map[parentKey]*parent
	// namespaces holds the labels of every namespace, for listeners that
	// take routes from namespaces chosen by a selector.
	namespaces map[string]map[string]string
	// Problems are the invalid inputs found on Gateways and ListenerSets
	// (label selectors that do not parse); routes that would have been
	// published through them keep their records held.
	Problems []source.Problem
}

type parentKey struct{ kind, namespace, name string }

// parent is a Gateway, or a ListenerSet with its Gateway.
type parent struct {
	// namespace is where allowedRoutes "Same" points: the Gateway's, or
	// the ListenerSet's own.
	namespace string
	gateway   *Gateway
	listeners []listener
	// targets are the target annotation's (the ListenerSet's, else the
	// Gateway's) or else the Gateway's addresses.
	targets  []string
	attached bool
	// undecided is set when invalid input keeps exodns from telling
	// whether the parent is attached; its routes' names are then held.
	undecided bool
}

// listener is a Listener with what was judged about it once.
type listener struct {
	Listener
	attached bool
	selector labels.Selector
	// invalid is set when allowedRoutes cannot be judged.
	invalid bool
}

// NewParents resolves Gateways and (with opts.ListenerSets) ListenerSets.
// Gateways outside --gateway-namespace, --gateway-label-filter and
// --gateway-name, and those whose controller annotation names another
// controller, are left out: routes attached to them, or to ListenerSets
// of them, yield nothing. namespaces maps each namespace to its labels.
func NewParents(gateways []*Gateway, sets []*ListenerSet, namespaces map[string]map[string]string, opts Options) *Parents {
	p := &Parents{byKey: map[parentKey]*parent{}, namespaces: namespaces}
	for _, gw := range gateways {
		if gw == nil || !opts.selects(gw) {
			continue
		}
		ref := source.NewObjectRef(APIVersion, KindGateway, &gw.ObjectMeta)
		gp := &parent{namespace: gw.Namespace, gateway: gw, attached: true,
			targets: opts.targetAnnotation(gw.Annotations)}
		if len(gp.targets) == 0 {
			gp.targets = addresses(gw)
		}
		for _, l := range gw.Spec.Listeners {
			gp.listeners = append(gp.listeners, p.judge(ref, l, true))
		}
		p.byKey[parentKey{KindGateway, gw.Namespace, gw.Name}] = gp
	}
	if !opts.ListenerSets {
		return p
	}
	for _, ls := range sets {
		if ls != nil {
			p.byKey[parentKey{KindListenerSet, ls.Namespace, ls.Name}] = p.listenerSet(ls, opts)
		}
	}
	return p
}

// selects applies the Gateway filters and the controller annotation.
func (opts Options) selects(gw *Gateway) bool {
	if opts.GatewayNamespace != "" && gw.Namespace != opts.GatewayNamespace {
		return false
	}
	if opts.GatewayName != "" && gw.Name != opts.GatewayName {
		return false
	}
	if opts.GatewayLabelFilter != nil && !opts.GatewayLabelFilter.Matches(labels.Set(gw.Labels)) {
		return false
	}
	v, _ := opts.Annotations.Parse(gw.Annotations)
	return opts.Owns(v)
}

// listenerSet attaches a ListenerSet to its Gateway as the Gateway API
// does: the Gateway must exist (and pass the filters), allow ListenerSets
// from the set's namespace, and its controller must have accepted the set;
// each listener counts once accepted itself.
func (p *Parents) listenerSet(ls *ListenerSet, opts Options) *parent {
	ref := source.NewObjectRef(APIVersion, KindListenerSet, &ls.ObjectMeta)
	out := &parent{namespace: ls.Namespace}
	pr := ls.Spec.ParentRef
	var gp *parent
	if orDefault(pr.Group, Group) == Group && orDefault(pr.Kind, KindGateway) == KindGateway {
		gp = p.byKey[parentKey{KindGateway, orDefault(pr.Namespace, ls.Namespace), pr.Name}]
	}
	if gp != nil {
		out.gateway = gp.gateway
		out.targets = opts.targetAnnotation(ls.Annotations)
		if len(out.targets) == 0 {
			out.targets = gp.targets
		}
		allowed, undecided := p.allowsListenerSet(gp.gateway, ls)
		accepted := conditionTrue(ls.Status.Conditions, "Accepted")
		out.attached = allowed && accepted
		out.undecided = undecided && accepted
	}
	for _, l := range ls.Spec.Listeners {
		accepted := false
		for _, st := range ls.Status.Listeners {
			if st.Name == l.Name {
				accepted = conditionTrue(st.Conditions, "Accepted")
			}
		}
		out.listeners = append(out.listeners, p.judge(ref, l, (out.attached || out.undecided) && accepted))
	}
	return out
}

// allowsListenerSet applies the Gateway's allowedListeners; without it no
// ListenerSet may attach.
func (p *Parents) allowsListenerSet(gw *Gateway, ls *ListenerSet) (allowed, undecided bool) {
	var from string
	var sel *metav1.LabelSelector
	if al := gw.Spec.AllowedListeners; al != nil && al.Namespaces != nil {
		from, sel = deref(al.Namespaces.From), al.Namespaces.Selector
	}
	switch from {
	case "All":
		return true, false
	case "Same":
		return gw.Namespace == ls.Namespace, false
	case "Selector":
		s, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil || sel == nil {
			p.report(source.NewObjectRef(APIVersion, KindGateway, &gw.ObjectMeta),
				fmt.Errorf("spec.allowedListeners.namespaces.selector: %s", selectorProblem(sel, err)))
			return false, true
		}
		nsLabels, ok := p.namespaces[ls.Namespace]
		return ok && s.Matches(labels.Set(nsLabels)), false
	}
	return false, false
}

// judge parses a listener's namespace selector once per reconcile.
func (p *Parents) judge(owner source.ObjectRef, l Listener, attached bool) listener {
	out := listener{Listener: l, attached: attached}
	if l.AllowedRoutes == nil || l.AllowedRoutes.Namespaces == nil || deref(l.AllowedRoutes.Namespaces.From) != "Selector" {
		return out
	}
	sel := l.AllowedRoutes.Namespaces.Selector
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil || sel == nil {
		out.invalid = true
		p.report(owner, fmt.Errorf("listener %q: allowedRoutes.namespaces.selector: %s", l.Name, selectorProblem(sel, err)))
		return out
	}
	out.selector = s
	return out
}

func selectorProblem(sel *metav1.LabelSelector, err error) string {
	if sel == nil {
		return "from: Selector needs a selector"
	}
	return err.Error()
}

func (p *Parents) report(ref source.ObjectRef, err error) {
	p.Problems = append(p.Problems, source.Problem{Object: ref, Err: err})
}

// lookup finds the parent a route's parentRef names, or nil.
func (p *Parents) lookup(routeNS string, pr ParentReference) *parent {
	if p == nil || orDefault(pr.Group, Group) != Group {
		return nil
	}
	kind := orDefault(pr.Kind, KindGateway)
	if kind != KindGateway && kind != KindListenerSet {
		return nil
	}
	return p.byKey[parentKey{kind, orDefault(pr.Namespace, routeNS), pr.Name}]
}

// admits reports whether a listener takes routes of this kind from the
// route's namespace (allowedRoutes; the default is the listener owner's
// namespace only). undecided is set when the listener's selector is
// invalid, so the answer is unknown.
func (p *Parents) admits(owner *parent, l listener, kind RouteKind, routeNS string) (ok, undecided bool) {
	var from string
	var kinds []RouteGroupKind
	if ar := l.AllowedRoutes; ar != nil {
		kinds = ar.Kinds
		if ar.Namespaces != nil {
			from = deref(ar.Namespaces.From)
		}
	}
	switch from {
	case "", "Same":
		ok = owner.namespace == routeNS
	case "All":
		ok = true
	case "Selector":
		if l.invalid {
			return false, true
		}
		nsLabels, found := p.namespaces[routeNS]
		ok = found && l.selector.Matches(labels.Set(nsLabels))
	}
	if !ok || len(kinds) == 0 {
		return ok, false
	}
	for _, k := range kinds {
		if k.Kind == kind.Kind && orDefault(k.Group, Group) == Group {
			return true, false
		}
	}
	return false, false
}

// addresses are the Gateway's published addresses. A NamedAddress names
// an address pool or similar inside the implementation, not a DNS name,
// so it is not a target (upstream publishes it as a CNAME).
func addresses(gw *Gateway) []string {
	var out []string
	for _, a := range gw.Status.Addresses {
		if t := deref(a.Type); a.Value != "" && (t == "" || t == "IPAddress" || t == "Hostname") {
			out = append(out, a.Value)
		}
	}
	return out
}

// targetAnnotation reads the target annotation of a Gateway or ListenerSet.
// Only this annotation is read from them, as upstream does; a malformed
// target surfaces in the records of the routes it serves.
func (o Options) targetAnnotation(ann map[string]string) []string {
	v, _ := o.Annotations.Parse(ann)
	return v.Targets
}

func conditionTrue(conds []metav1.Condition, typ string) bool {
	for _, c := range conds {
		if c.Type == typ {
			return c.Status == metav1.ConditionTrue
		}
	}
	return false
}
