package annotations

import (
	"errors"
	"strings"
)

// psRule maps annotation names to provider-specific property names.
type psRule struct {
	// match is the annotation name without prefix. Ending in "-" it matches
	// every name that starts with it; otherwise only itself.
	match string
	// name replaces match in the property name, keeping what follows.
	name string
	// fullKey names the property by the whole annotation key under
	// PrefixAlpha. Cloudflare's properties have always been named this way,
	// and DNSEndpoints and webhooks carry those names, so they stay the
	// same whichever prefix the annotation was read from.
	fullKey bool
}

// providerSpecificRules is the whole mapping; see README.md. Properties
// under exodns/ and gslb/ are exodns's own (embedded GSLB).
var providerSpecificRules = []psRule{
	{match: "aws-", name: "aws/"},
	{match: "azure-tags", name: "azure/tags"},
	{match: "cloudflare-", fullKey: true},
	{match: "coredns-", name: "coredns/"},
	{match: "exodns-", name: "exodns/"},
	{match: "gslb-", name: "gslb/"},
	{match: "ibmcloud-", name: "ibmcloud-"},
	{match: "scw-", name: "scw/"},
	{match: "webhook-", name: "webhook/"},
}

// providerSpecificName returns the property name for an annotation name
// (without prefix), or ok=false when no rule matches.
func providerSpecificName(name string) (psName string, ok bool, err error) {
	for _, r := range providerSpecificRules {
		var rest string
		if strings.HasSuffix(r.match, "-") {
			var found bool
			if rest, found = strings.CutPrefix(name, r.match); !found {
				continue
			}
			if rest == "" {
				return "", false, errors.New("no property name after " + r.match)
			}
		} else if name != r.match {
			continue
		}
		if r.fullKey {
			return PrefixAlpha + name, true, nil
		}
		return r.name + rest, true, nil
	}
	return "", false, nil
}
