package route53

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"
)

// Health checks exodns manages are known by their tags: the owner, and the
// record (name, type, set identifier) each one serves. An account's checks
// are listed once per zone resync interval (ListHealthChecks, then
// ListTagsForResources for the candidates) and cached; in between, a
// converged zone costs no health check call at all. The cache learns every
// check exodns creates or deletes.
//
// Only checks whose CallerReference says exodns created them for this
// owner ("exodns-<owner hash>-…") are candidates, so the tags of other
// people's checks are never read. The tags decide: a candidate without our
// owner tag is never deleted, only adopted (tagged) when it is exactly the
// check wanted for a record, which is what a crash between CreateHealthCheck
// and ChangeTagsForResource leaves behind.

// Tags on the checks exodns creates.
const (
	tagOwner     = "external-dns/owner"
	tagRecord    = "external-dns/record-name"
	tagType      = "external-dns/record-type"
	tagSet       = "external-dns/set-identifier"
	tagName      = "Name" // what the Route 53 console shows
	refPrefix    = "exodns-"
	maxTagValue  = 256
	maxTagBatch  = 10 // resources per ListTagsForResources call
	maxCheckPage = 1000
)

// ownedCheck is a health check exodns manages: ours by tag, or (adoptable)
// ours by CallerReference only.
type ownedCheck struct {
	id, ref string
	rec     setKey
	spec    checkSpec
}

// wantKey is a wanted check: the record it serves and what it probes.
type wantKey struct {
	rec  setKey
	spec checkSpec
}

// hash is the stable digest of a wanted check, carried in the
// CallerReference so a check that lost its tags can still be recognised.
func (w wantKey) hash() string {
	s := w.spec
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%s\x00%s\x00%d\x00%d\x00%t",
		w.rec.name, w.rec.typ, w.rec.set, s.Type, s.IP, s.FQDN, s.Port, s.Path, s.Search, s.Interval, s.Threshold, s.SNI))
	return hex.EncodeToString(sum[:8])
}

// accountChecks is what is known of one account's health checks.
type accountChecks struct {
	listedAt time.Time
	// err is the last listing's failure (no permission, say); it stands
	// until retryAt.
	err     error
	retryAt time.Time
	owned   map[string]*ownedCheck  // by ID, ours by tag
	byWant  map[wantKey]*ownedCheck // the same checks
	adopt   map[string]*ownedCheck  // by want hash: our reference, no owner tag
	foreign map[string]bool         // every other ID listed
}

func (st *accountChecks) add(c *ownedCheck) {
	st.owned[c.id] = c
	if old := st.byWant[wantKey{c.rec, c.spec}]; old == nil || c.id < old.id {
		st.byWant[wantKey{c.rec, c.spec}] = c
	}
}

func (st *accountChecks) remove(id string) {
	c := st.owned[id]
	if c == nil {
		return
	}
	delete(st.owned, id)
	k := wantKey{c.rec, c.spec}
	if st.byWant[k] == c {
		delete(st.byWant, k)
		for _, o := range st.owned { // a duplicate takes its place
			if (wantKey{o.rec, o.spec}) == k {
				st.add(o)
			}
		}
	}
}

// ownerHash is the owner's part of our CallerReferences.
func (p *Provider) ownerHash() string {
	sum := sha256.Sum256([]byte(p.cfg.OwnerID))
	return hex.EncodeToString(sum[:4])
}

// newRef is a fresh CallerReference for w: "exodns-<owner>-<want>-<nonce>".
// The nonce makes every creation unique (Route 53 refuses the reference of
// a deleted check forever), and the same reference is reused for retries
// of one creation, which Route 53 answers with the check it made.
func (p *Provider) newRef(w wantKey) string {
	var nonce [6]byte
	_, _ = rand.Read(nonce[:])
	return refPrefix + p.ownerHash() + "-" + w.hash() + "-" + hex.EncodeToString(nonce[:])
}

// refWant returns the want hash of one of our references, or "".
func (p *Provider) refWant(ref string) string {
	rest, ok := strings.CutPrefix(ref, refPrefix+p.ownerHash()+"-")
	if !ok {
		return ""
	}
	h, _, ok := strings.Cut(rest, "-")
	if !ok || len(h) != 16 {
		return ""
	}
	return h
}

// checksOf returns the account's checks, listing them when unknown or due
// (every zone resync interval). A failed listing is retried after
// missingCheckTTL; until then its error is returned.
func (p *Provider) checksOf(ctx context.Context, a *account) (*accountChecks, error) {
	if p.hc.accts == nil {
		p.hc.accts = map[*account]*accountChecks{}
	}
	now := p.now()
	st := p.hc.accts[a]
	switch {
	case st != nil && st.err != nil && now.Before(st.retryAt):
		return nil, st.err
	case st != nil && st.err == nil && now.Before(st.listedAt.Add(p.cfg.ZoneResyncInterval)):
		return st, nil
	}
	fresh, err := p.listChecks(ctx, a)
	if err != nil {
		p.hc.accts[a] = &accountChecks{err: err, retryAt: now.Add(missingCheckTTL)}
		p.log.Warn("route53: cannot list the health checks exodns manages", "account", a.name, "err", err)
		return nil, err
	}
	fresh.listedAt = now
	p.hc.accts[a] = fresh
	p.m.checks.WithLabelValues(a.name).Set(float64(len(fresh.owned)))
	return fresh, nil
}

// listChecks reads the account's checks and the tags of our candidates.
func (p *Provider) listChecks(ctx context.Context, a *account) (*accountChecks, error) {
	st := &accountChecks{owned: map[string]*ownedCheck{}, byWant: map[wantKey]*ownedCheck{}, adopt: map[string]*ownedCheck{}, foreign: map[string]bool{}}
	var cands []types.HealthCheck
	in := &route53.ListHealthChecksInput{MaxItems: aws.Int32(maxCheckPage)}
	for {
		page, err := a.api.ListHealthChecks(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("route53: listing health checks: %w", err)
		}
		for _, h := range page.HealthChecks {
			if p.refWant(aws.ToString(h.CallerReference)) != "" {
				cands = append(cands, h)
			} else {
				st.foreign[aws.ToString(h.Id)] = true
			}
		}
		if !page.IsTruncated || page.NextMarker == nil {
			break
		}
		in.Marker = page.NextMarker
	}
	for chunk := range slices.Chunk(cands, maxTagBatch) {
		ids := make([]string, len(chunk))
		for i, h := range chunk {
			ids[i] = aws.ToString(h.Id)
		}
		out, err := a.api.ListTagsForResources(ctx, &route53.ListTagsForResourcesInput{
			ResourceType: types.TagResourceTypeHealthcheck, ResourceIds: ids})
		if err != nil {
			return nil, fmt.Errorf("route53: reading health check tags: %w", err)
		}
		tags := map[string]map[string]string{}
		for _, ts := range out.ResourceTagSets {
			m := map[string]string{}
			for _, t := range ts.Tags {
				m[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			tags[aws.ToString(ts.ResourceId)] = m
		}
		for _, h := range chunk {
			id, ref := aws.ToString(h.Id), aws.ToString(h.CallerReference)
			t := tags[id]
			c := &ownedCheck{id: id, ref: ref, spec: specOf(h.HealthCheckConfig)}
			owner, hasOwner := t[tagOwner]
			switch {
			case hasOwner && owner == truncate(p.cfg.OwnerID, maxTagValue) && t[tagRecord] != "" && t[tagType] != "":
				c.rec = setKey{name: canonicalName(t[tagRecord]), typ: t[tagType], set: t[tagSet]}
				st.add(c)
			case !hasOwner:
				st.adopt[p.refWant(ref)] = c
			default:
				st.foreign[id] = true
			}
		}
	}
	return st, nil
}

// ownerTags are the tags of the check serving rec.
func (p *Provider) ownerTags(rec setKey) []types.Tag {
	name := rec.name + " " + rec.typ
	if rec.set != "" {
		name += " " + rec.set
	}
	name += " (exodns " + p.cfg.OwnerID + ")"
	tags := []types.Tag{
		{Key: aws.String(tagOwner), Value: aws.String(truncate(p.cfg.OwnerID, maxTagValue))},
		{Key: aws.String(tagRecord), Value: aws.String(rec.name)},
		{Key: aws.String(tagType), Value: aws.String(rec.typ)},
		{Key: aws.String(tagName), Value: aws.String(truncate(name, maxTagValue))},
	}
	if rec.set != "" {
		tags = append(tags, types.Tag{Key: aws.String(tagSet), Value: aws.String(rec.set)})
	}
	return tags
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// errTagging marks a check that exists but could not be tagged: it is not
// attached (untagged, it would not be known as ours after a restart), and
// is adopted on the next try.
var errTagging = errors.New("route53: tagging a health check")

// createCheck makes the check pc wants exist, tagged, and returns its ID:
// an untagged check of ours with exactly this want is adopted; otherwise
// one is created with pc's CallerReference (retries reuse it, and Route 53
// answers them with the check it made), then tagged.
func (p *Provider) createCheck(ctx context.Context, st *accountChecks, pc *pendingCheck) (string, error) {
	a := pc.acct
	if c := st.byWant[pc.want]; c != nil {
		return c.id, nil
	}
	h := pc.want.hash()
	c := st.adopt[h]
	if c == nil || c.spec != pc.want.spec {
		out, err := a.api.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{
			CallerReference: aws.String(pc.ref), HealthCheckConfig: pc.want.spec.config()})
		if err != nil {
			if isAPICode(err, "HealthCheckAlreadyExists") {
				pc.ref = p.newRef(pc.want) // spent; the next try gets a new one
			}
			p.m.checkChanges.WithLabelValues("create", "failed").Inc()
			return "", err
		}
		p.m.checkChanges.WithLabelValues("create", "applied").Inc()
		c = &ownedCheck{id: aws.ToString(out.HealthCheck.Id), ref: pc.ref, spec: pc.want.spec}
		st.adopt[h] = c
		p.log.Info("route53: health check created", "account", a.name, "health_check", c.id,
			"record", pc.want.rec.String(), "check", pc.want.spec.String())
	}
	if _, err := a.api.ChangeTagsForResource(ctx, &route53.ChangeTagsForResourceInput{
		ResourceType: types.TagResourceTypeHealthcheck, ResourceId: aws.String(c.id), AddTags: p.ownerTags(pc.want.rec)}); err != nil {
		return "", fmt.Errorf("%w %s: %w", errTagging, c.id, err)
	}
	delete(st.adopt, h)
	c.rec = pc.want.rec
	st.add(c)
	p.m.checks.WithLabelValues(a.name).Set(float64(len(st.owned)))
	return c.id, nil
}

// deleteCheck deletes one of our checks; one already gone counts as done.
func (p *Provider) deleteCheck(ctx context.Context, a *account, st *accountChecks, c *ownedCheck) error {
	_, err := a.api.DeleteHealthCheck(ctx, &route53.DeleteHealthCheckInput{HealthCheckId: aws.String(c.id)})
	if err != nil && !isAPICode(err, "NoSuchHealthCheck") {
		p.m.checkChanges.WithLabelValues("delete", "failed").Inc()
		return err
	}
	p.m.checkChanges.WithLabelValues("delete", "applied").Inc()
	st.remove(c.id)
	p.m.checks.WithLabelValues(a.name).Set(float64(len(st.owned)))
	p.log.Info("route53: health check deleted", "account", a.name, "health_check", c.id, "record", c.rec.String(), "check", c.spec.String())
	return nil
}

func isAPICode(err error, codes ...string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && slices.Contains(codes, ae.ErrorCode())
}
