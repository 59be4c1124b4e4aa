package route53

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/smithy-go"
)

// A record naming a health check that does not exist is refused by Route
// 53, and with it everything it is batched with, on every run. The
// provider checks each health check once with GetHealthCheck, before the
// record is sent, and remembers the answer: an existing check until the
// next zone resync, a missing one for missingCheckTTL, so a check created
// after the annotation is picked up within a minute. Malformed IDs never
// get that far: parseRouting refuses them.

// missingCheckTTL is how long "no such health check" is believed.
const missingCheckTTL = time.Minute

// healthCheckIDRE is the shape of Route 53 health check IDs: UUIDs.
var healthCheckIDRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

type checkKey struct{ account, id string }

type checkState uint8

const (
	checkExists checkState = iota
	checkMissing
	// checkUnknown: the lookup failed for another reason (most often no
	// route53:GetHealthCheck permission); the record is sent as it is.
	checkUnknown
)

type checkResult struct {
	state checkState
	until time.Time
}

// healthCheckProblem returns why the health check id of account a cannot
// be used, or "" when it can (or cannot be told).
func (p *Provider) healthCheckProblem(ctx context.Context, a *account, id string) string {
	if p.knownCheck(a, id) {
		return "" // one exodns manages (hcattach.go)
	}
	k := checkKey{a.name, id}
	r, ok := p.checks[k]
	if !ok || !p.now().Before(r.until) {
		r = p.lookUpHealthCheck(ctx, a, id)
		if p.checks == nil {
			p.checks = map[checkKey]checkResult{}
		}
		p.checks[k] = r
	}
	if r.state != checkMissing {
		return ""
	}
	return fmt.Sprintf("health check %s does not exist in AWS account %s (GetHealthCheck says NoSuchHealthCheck); create it, or fix the ID", id, a.name)
}

func (p *Provider) lookUpHealthCheck(ctx context.Context, a *account, id string) checkResult {
	_, err := a.api.GetHealthCheck(ctx, &route53.GetHealthCheckInput{HealthCheckId: aws.String(id)})
	var ae smithy.APIError
	switch {
	case err == nil:
		return checkResult{state: checkExists, until: p.now().Add(p.cfg.ZoneResyncInterval)}
	case errors.As(err, &ae) && ae.ErrorCode() == "NoSuchHealthCheck":
		return checkResult{state: checkMissing, until: p.now().Add(missingCheckTTL)}
	}
	p.log.Warn("route53: cannot look up a health check, so records naming it are sent unchecked; grant route53:GetHealthCheck to have unknown IDs refused before use",
		"account", a.name, "health_check", id, "err", err)
	return checkResult{state: checkUnknown, until: p.now().Add(p.cfg.ZoneResyncInterval)}
}
