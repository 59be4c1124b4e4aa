package plan

import "fmt"

// Policy limits which kinds of change a plan may contain, from --policy.
type Policy string

// The policies upstream offers, with upstream's spelling so existing flags
// and Helm values keep working.
const (
	// PolicySync creates, updates and deletes.
	PolicySync Policy = "sync"
	// PolicyUpsertOnly creates and updates but never deletes.
	PolicyUpsertOnly Policy = "upsert-only"
	// PolicyCreateOnly only creates; existing records are left alone.
	PolicyCreateOnly Policy = "create-only"
)

// ParsePolicy accepts exactly the spellings of the --policy flag. It does
// not pick a default for "": whoever owns the flag decides that.
func ParsePolicy(s string) (Policy, error) {
	switch p := Policy(s); p {
	case PolicySync, PolicyUpsertOnly, PolicyCreateOnly:
		return p, nil
	}
	return "", fmt.Errorf("plan: unknown policy %q: want sync, upsert-only or create-only", s)
}

// An unknown policy (including the zero value) allows only creates: a plan
// built from a half-filled Input must not be able to destroy records.

func (p Policy) allowsUpdate() bool { return p == PolicySync || p == PolicyUpsertOnly }

func (p Policy) allowsDelete() bool { return p == PolicySync }
