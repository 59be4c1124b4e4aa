package route53fake

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// maxHealthChecks is Route 53's default quota of health checks per account.
const maxHealthChecks = 200

type healthCheck struct {
	id, ref string
	cfg     xHealthCheckConfig
	version int64
	deleted bool
}

func (h *healthCheck) wire() xHealthCheck {
	cfg := h.cfg
	// Route 53 always reports these booleans, defaulted to false.
	for _, b := range []**bool{&cfg.MeasureLatency, &cfg.Inverted, &cfg.Disabled, &cfg.EnableSNI} {
		if *b == nil {
			*b = ptr(false)
		}
	}
	return xHealthCheck{ID: h.id, CallerReference: h.ref, HealthCheckConfig: cfg, HealthCheckVersion: h.version}
}

func (a *Account) liveCheck(id string) *healthCheck {
	for _, h := range a.checks {
		if h.id == id {
			return h
		}
	}
	return nil
}

type xHealthCheckResponse struct {
	XMLName     xml.Name
	HealthCheck xHealthCheck `xml:"HealthCheck"`
}

func checkResponse(root string, h *healthCheck) *xHealthCheckResponse {
	return &xHealthCheckResponse{XMLName: xml.Name{Space: xmlns, Local: root}, HealthCheck: h.wire()}
}

// createHealthCheck honours CallerReference idempotency (rules §7): the same
// reference and settings return the existing check; different settings, or
// the reference of a deleted check, give HealthCheckAlreadyExists.
func (a *Account) createHealthCheck(req *request) (*response, *APIError) {
	var in xCreateHealthCheckRequest
	if err := decodeBody(req.body, "CreateHealthCheckRequest", &in); err != nil {
		return nil, err
	}
	if in.CallerReference == nil {
		return nil, errIncomplete("CreateHealthCheckRequest", "CallerReference")
	}
	if in.HealthCheckConfig == nil {
		return nil, errIncomplete("CreateHealthCheckRequest", "HealthCheckConfig")
	}
	if err := checkLen(in.CallerReference, 1, 64, "HealthCheckNonce"); err != nil {
		return nil, err
	}
	cfg := *in.HealthCheckConfig
	if cfg.Type == nil {
		return nil, errIncomplete("HealthCheckConfig", "Type")
	}
	if cfg.RequestInterval == nil {
		cfg.RequestInterval = ptr[int64](30)
	}
	if cfg.FailureThreshold == nil && *cfg.Type != "CALCULATED" {
		cfg.FailureThreshold = ptr[int64](3)
	}
	if cfg.Port == nil && (cfg.IPAddress != nil || cfg.FullyQualifiedDomainName != nil) {
		switch *cfg.Type {
		case "HTTP", "HTTP_STR_MATCH":
			cfg.Port = ptr[int64](80)
		case "HTTPS", "HTTPS_STR_MATCH":
			cfg.Port = ptr[int64](443)
		}
	}
	if err := a.checkHealthConfig(&cfg); err != nil {
		return nil, err
	}
	if old := a.checkRefs[*in.CallerReference]; old != nil {
		if old.deleted || !sameConfig(&old.cfg, &cfg) {
			// [I] wording; code and status are the model's.
			return nil, apiErr(http.StatusConflict, "HealthCheckAlreadyExists",
				"A health check with the specified CallerReference already exists and has different settings, or was deleted.")
		}
		return &response{status: http.StatusCreated, body: checkResponse("CreateHealthCheckResponse", old),
			location: "https://route53.amazonaws.com/2013-04-01/healthcheck/" + old.id}, nil
	}
	if len(a.checks) >= maxHealthChecks { // [I] wording
		return nil, apiErr(http.StatusBadRequest, "TooManyHealthChecks",
			"This AWS account has reached its limit of %d health checks.", maxHealthChecks)
	}
	h := &healthCheck{id: a.f.newUUID(), ref: *in.CallerReference, cfg: cfg, version: 1}
	a.checks = append(a.checks, h)
	a.checkRefs[h.ref] = h
	return &response{status: http.StatusCreated, body: checkResponse("CreateHealthCheckResponse", h),
		location: "https://route53.amazonaws.com/2013-04-01/healthcheck/" + h.id}, nil
}

func sameConfig(a, b *xHealthCheckConfig) bool {
	x, _ := xml.Marshal(a)
	y, _ := xml.Marshal(b)
	return string(x) == string(y)
}

func (a *Account) getHealthCheck(req *request) (*response, *APIError) {
	h := a.liveCheck(req.seg[1])
	if h == nil {
		return nil, errNoSuchHealthCheck(req.seg[1])
	}
	return ok(checkResponse("GetHealthCheckResponse", h))
}

// updateHealthCheck applies the changed fields and the reset elements,
// guarded by HealthCheckVersion, and bumps the version (rules §7).
func (a *Account) updateHealthCheck(req *request) (*response, *APIError) {
	h := a.liveCheck(req.seg[1])
	if h == nil {
		return nil, errNoSuchHealthCheck(req.seg[1])
	}
	var in xUpdateHealthCheckRequest
	if err := decodeBody(req.body, "UpdateHealthCheckRequest", &in); err != nil {
		return nil, err
	}
	if in.HealthCheckVersion != nil && *in.HealthCheckVersion != h.version {
		return nil, apiErr(http.StatusConflict, "HealthCheckVersionMismatch", // [I] wording
			"The value of HealthCheckVersion in the request doesn't match the value of HealthCheckVersion in the health check.")
	}
	u, cfg := in.xHealthCheckConfig, h.cfg
	if u.IPAddress != nil && cfg.IPAddress == nil { // [I] wording
		return nil, errInvalidInput("Invalid parameter : IPAddress can be changed but not added to a health check that was created without one.")
	}
	set := func(dst **string, src *string) {
		if src != nil {
			*dst = src
		}
	}
	set(&cfg.IPAddress, u.IPAddress)
	set(&cfg.ResourcePath, u.ResourcePath)
	set(&cfg.FullyQualifiedDomainName, u.FullyQualifiedDomainName)
	set(&cfg.SearchString, u.SearchString)
	set(&cfg.InsufficientDataHealthStatus, u.InsufficientDataHealthStatus)
	for _, p := range []struct{ dst, src **int64 }{{&cfg.Port, &u.Port}, {&cfg.FailureThreshold, &u.FailureThreshold}, {&cfg.HealthThreshold, &u.HealthThreshold}} {
		if *p.src != nil {
			*p.dst = *p.src
		}
	}
	for _, p := range []struct{ dst, src **bool }{{&cfg.Inverted, &u.Inverted}, {&cfg.Disabled, &u.Disabled}, {&cfg.EnableSNI, &u.EnableSNI}} {
		if *p.src != nil {
			*p.dst = *p.src
		}
	}
	if u.ChildHealthChecks != nil {
		cfg.ChildHealthChecks = u.ChildHealthChecks
	}
	if u.Regions != nil {
		cfg.Regions = u.Regions
	}
	if u.AlarmIdentifier != nil {
		cfg.AlarmIdentifier = u.AlarmIdentifier
	}
	for _, r := range in.ResetElements {
		switch r {
		case "FullyQualifiedDomainName":
			cfg.FullyQualifiedDomainName = nil
		case "Regions":
			cfg.Regions = nil
		case "ResourcePath":
			cfg.ResourcePath = nil
		case "ChildHealthChecks":
			cfg.ChildHealthChecks = nil
		default:
			return nil, errEnum(r, []string{"FullyQualifiedDomainName", "Regions", "ResourcePath", "ChildHealthChecks"})
		}
	}
	if err := a.checkHealthConfig(&cfg); err != nil {
		return nil, err
	}
	h.cfg = cfg
	h.version++
	return ok(checkResponse("UpdateHealthCheckResponse", h))
}

type xDeleteHealthCheckResponse struct {
	XMLName xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ DeleteHealthCheckResponse"`
}

// deleteHealthCheck does not check whether records still use the check:
// Route 53 documents HealthCheckInUse as no longer in use (rules §4).
// Options.RefuseDeleteInUse brings the old refusal back, for tests.
func (a *Account) deleteHealthCheck(req *request) (*response, *APIError) {
	h := a.liveCheck(req.seg[1])
	if h == nil {
		return nil, errNoSuchHealthCheck(req.seg[1])
	}
	if a.f.opts.RefuseDeleteInUse {
		if users := a.checkUsers(h.id); len(users) > 0 {
			// The wording of the API reference before the error was
			// retired; the list of records is the fake's own [I].
			return nil, apiErr(http.StatusBadRequest, "HealthCheckInUse",
				"The health check ID for this health check is referenced in the HealthCheckId element in one of the resource record sets in one of the hosted zones that are owned by the current AWS account: %s", strings.Join(users, ", "))
		}
	}
	h.deleted = true
	a.checks = slices.DeleteFunc(a.checks, func(o *healthCheck) bool { return o == h })
	delete(a.tags, "healthcheck/"+h.id)
	return ok(&xDeleteHealthCheckResponse{})
}

// checkUsers names the record sets of the account that use check id.
func (a *Account) checkUsers(id string) []string {
	var out []string
	for _, z := range a.zones {
		for k, s := range z.sets {
			if s.x.HealthCheckID != nil && *s.x.HealthCheckID == id {
				u := strings.TrimSuffix(string(k.name), ".") + " " + k.typ
				if k.id != "" {
					u += " set=" + k.id
				}
				out = append(out, u)
			}
		}
	}
	slices.Sort(out)
	return out
}

// DanglingHealthChecks lists the record sets, in any account, that name a
// health check that does not exist ("zone name type [set=id] -> check"):
// what a deletion before the records moved off the check leaves behind.
func (f *Fake) DanglingHealthChecks() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, a := range f.allAccounts() {
		for _, z := range a.zones {
			for k, s := range z.sets {
				if id := s.x.HealthCheckID; id != nil && a.liveCheck(*id) == nil {
					u := z.id + " " + strings.TrimSuffix(string(k.name), ".") + " " + k.typ
					if k.id != "" {
						u += " set=" + k.id
					}
					out = append(out, u+" -> "+*id)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// HealthChecks returns the live health checks of every account.
func (f *Fake) HealthChecks() []types.HealthCheck {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []types.HealthCheck
	for _, a := range f.allAccounts() {
		for _, h := range a.checks {
			out = append(out, h.sdk())
		}
	}
	return out
}

type xListHealthChecksResponse struct {
	XMLName      xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListHealthChecksResponse"`
	HealthChecks struct {
		Checks []xHealthCheck `xml:"HealthCheck"`
	} `xml:"HealthChecks"`
	Marker      *string `xml:"Marker,omitempty"`
	IsTruncated bool    `xml:"IsTruncated"`
	NextMarker  *string `xml:"NextMarker,omitempty"`
	MaxItems    int     `xml:"MaxItems"`
}

func (a *Account) listHealthChecks(req *request) (*response, *APIError) {
	limit, err := maxItems(req.q, maxHealthPage)
	if err != nil {
		return nil, err
	}
	if !req.q.Has("maxitems") {
		limit = 100
	}
	out := &xListHealthChecksResponse{MaxItems: limit}
	i := 0
	if req.q.Has("marker") {
		m := req.q.Get("marker")
		out.Marker = &m
		if i = slices.IndexFunc(a.checks, func(h *healthCheck) bool { return h.id == m }); i < 0 {
			return nil, errInvalidInput("Invalid request: marker %s does not name a health check", m)
		}
	}
	end := min(len(a.checks), i+limit)
	for _, h := range a.checks[i:end] {
		out.HealthChecks.Checks = append(out.HealthChecks.Checks, h.wire())
	}
	if end < len(a.checks) {
		out.IsTruncated, out.NextMarker = true, ptr(a.checks[end].id)
	}
	return ok(out)
}

type xGetHealthCheckCountResponse struct {
	XMLName          xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetHealthCheckCountResponse"`
	HealthCheckCount int64    `xml:"HealthCheckCount"`
}

func (a *Account) getHealthCheckCount(*request) (*response, *APIError) {
	return ok(&xGetHealthCheckCountResponse{HealthCheckCount: int64(len(a.checks))})
}

// sdk is the check as the SDK reports it: ID, reference, version and the
// endpoint settings (the ones a controller sets).
func (h *healthCheck) sdk() types.HealthCheck {
	c := h.cfg
	i32 := func(v *int64) *int32 {
		if v == nil {
			return nil
		}
		n := int32(*v)
		return &n
	}
	return types.HealthCheck{
		Id: ptr(h.id), CallerReference: ptr(h.ref), HealthCheckVersion: ptr(h.version),
		HealthCheckConfig: &types.HealthCheckConfig{
			Type: types.HealthCheckType(deref(c.Type)), IPAddress: c.IPAddress, Port: i32(c.Port),
			ResourcePath: c.ResourcePath, FullyQualifiedDomainName: c.FullyQualifiedDomainName,
			SearchString: c.SearchString, RequestInterval: i32(c.RequestInterval), FailureThreshold: i32(c.FailureThreshold),
			EnableSNI: c.EnableSNI, Inverted: c.Inverted, Disabled: c.Disabled, MeasureLatency: c.MeasureLatency,
		},
	}
}
