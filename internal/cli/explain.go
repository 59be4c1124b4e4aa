package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/exodns/exodns/internal/controller"
)

// explainHandler serves /explain?name=N[&type=T] as JSON. extra, when set,
// adds what the DNS server knows (routed sets and their health).
func explainHandler(ctl *controller.Controller, extra func(*controller.Explanation)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimSpace(r.URL.Query().Get("name"))
		if name == "" {
			http.Error(w, "explain: the name parameter is required, e.g. /explain?name=app.example.com", http.StatusBadRequest)
			return
		}
		x := ctl.Explain(name, r.URL.Query().Get("type"))
		if extra != nil {
			extra(&x)
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(x)
	})
}

func newExplainCommand() *cobra.Command {
	var server, typ, output string
	cmd := &cobra.Command{
		Use:   "explain NAME",
		Short: "Ask a running exodns everything it knows about a name, and why it answers what it does",
		Long: "explain asks a running exodns, on its metrics listener (--metrics-address), what the sources want\n" +
			"at NAME and which objects ask for it, who owns it, what is live, the last change and whether the\n" +
			"name is held, conflicted or refused, and why. For routed names it shows each set and its health.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := url.Values{"name": {args[0]}}
			if typ != "" {
				q.Set("type", typ)
			}
			client := &http.Client{Timeout: 10 * time.Second}
			resp, err := client.Get(strings.TrimSuffix(server, "/") + "/explain?" + q.Encode())
			if err != nil {
				return fmt.Errorf("explain: asking %s: %w", server, err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
			if err != nil {
				return fmt.Errorf("explain: reading the answer: %w", err)
			}
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("explain: %s answered %s: %s", server, resp.Status, strings.TrimSpace(string(body)))
			}
			if output == "json" {
				_, err = cmd.OutOrStdout().Write(body)
				return err
			}
			var x controller.Explanation
			if err := json.Unmarshal(body, &x); err != nil {
				return fmt.Errorf("explain: the answer is not an explanation: %w", err)
			}
			writeExplanation(cmd.OutOrStdout(), x)
			return nil
		},
	}
	cmd.Flags().StringVar(&server, "server", "http://127.0.0.1:7979", "Address of the running exodns's metrics listener")
	cmd.Flags().StringVar(&typ, "type", "", "Only records of this type (A, AAAA, CNAME, TXT, ...)")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "Output format: text or json")
	return cmd
}

// writeExplanation renders x for a person.
func writeExplanation(w io.Writer, x controller.Explanation) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	p("%s%s  (as of the reconcile at %s)", x.Name, map[bool]string{true: " " + x.Type, false: ""}[x.Type != ""], x.Reconciled.Format(time.RFC3339))
	p("")
	switch {
	case len(x.Held) > 0:
		p("Status: HELD: nothing at this name changes until the input is fixed")
	case len(x.Refused) > 0:
		p("Status: REFUSED by the provider; the name is held")
	case len(x.Conflicts) > 0 && len(x.Desired) > 0:
		p("Status: CONFLICT")
	case len(x.Desired) == 0 && len(x.Live) == 0:
		p("Status: unknown to exodns: no object asks for it and nothing is live")
	case len(x.Desired) == 0:
		p("Status: not asked for by any object")
	case x.Owner != "" && !x.OwnedByUs:
		p("Status: owned by another owner (%s); exodns leaves it alone", x.Owner)
	default:
		p("Status: published")
	}
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		p("")
		p("%s:", title)
		for _, l := range lines {
			p("  %s", l)
		}
	}
	section("Wanted by the sources", records(x.Desired, true))
	section("Live at the provider", records(x.Live, false))
	if x.Owner != "" {
		p("")
		p("Owner: %s (this exodns: %v)", x.Owner, x.OwnedByUs)
	}
	section("Held", x.Held)
	section("Conflicts", x.Conflicts)
	section("Refused", x.Refused)
	section("Changed by someone else", x.Contested)
	section("Reports on the objects involved", x.Reports)
	if x.LastChange != nil {
		p("")
		p("Last change: %s %s %s at %s", x.LastChange.Action, x.LastChange.Type, strings.Join(x.LastChange.Targets, ","), x.LastChange.At.Format(time.RFC3339))
	}
	if len(x.Sets) > 0 {
		var lines []string
		for _, s := range x.Sets {
			targets := make([]string, 0, len(s.Targets))
			for t, h := range s.Targets {
				targets = append(targets, t+" "+h)
			}
			sort.Strings(targets)
			lines = append(lines, fmt.Sprintf("%s (%s): %s", s.SetIdentifier, s.Policy, strings.Join(targets, ", ")))
		}
		section("Routed sets", lines)
	}
}

func records(rs []controller.Record, withResource bool) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		line := r.Type
		if r.SetIdentifier != "" {
			line += " set=" + r.SetIdentifier
		}
		if r.TTL > 0 {
			line += fmt.Sprintf(" ttl=%d", r.TTL)
		}
		line += " " + strings.Join(r.Targets, ",")
		keys := make([]string, 0, len(r.Properties))
		for k := range r.Properties {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			line += " " + k + "=" + r.Properties[k]
		}
		if withResource && r.Resource != "" {
			line += "  <- " + r.Resource
		}
		if !withResource && r.Owner != "" {
			line += "  owner=" + r.Owner
		}
		out = append(out, line)
	}
	return out
}
