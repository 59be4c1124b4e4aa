package source

import (
	"context"

	"github.com/exodns/exodns/internal/endpoint"
)

// Incremental is a Source that can also say which of its objects changed,
// so the controller re-plans only the names those objects touch.
//
// Endpoints stays the full read: it answers for every object and starts
// the tracking of changes anew. Changes answers for the objects changed
// since the previous Endpoints or Changes call. Either may be called at
// any time; an object changed while a call runs is answered again by the
// next one, which is harmless, as answers are whole objects.
type Incremental interface {
	Source
	// Changes returns the objects changed since the previous call of
	// Changes or Endpoints. ok is false when the source cannot tell (an
	// object that depends on others changed, such as a Node behind a
	// NodePort Service): then the caller reads Endpoints. Problems of the
	// changed objects go to the source's reporter, as with Endpoints.
	Changes(ctx context.Context) (d Delta, ok bool, err error)
}

// Delta is what changed in an incremental source.
type Delta struct {
	Objects []ObjectChange
}

// ObjectChange is one changed object and everything it now asks for.
type ObjectChange struct {
	// Key is the resource label every endpoint of the object carries
	// (endpoint.ResourceLabel, as ObjectRef.Resource writes it for most
	// kinds; "crd/namespace/name" for DNSEndpoints).
	Key string
	// Ref names the object as its reports do, so the reports standing
	// on it can be replaced by the ones this change gave.
	Ref ObjectRef
	// Endpoints are all the endpoints the object yields now, held ones
	// included; none when it was deleted or yields nothing.
	Endpoints []*endpoint.Endpoint
}
