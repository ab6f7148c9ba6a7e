package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/secretsctl/secretsctl/internal/bundlescan"
	"github.com/secretsctl/secretsctl/internal/ledger"
	"github.com/secretsctl/secretsctl/store"
)

// issueBundleCheck is what issue runs on its own output before it commits:
// the verify-bundle scan for the plan's infrastructure and stripped secrets.
// A value no source has cannot be looked for; it is named on stderr and the
// rest are still checked.
func issueBundleCheck(e *env) ledger.BundleCheck {
	return func(ctx context.Context, sn *store.Snapshot, m *store.Manifest, dir string) error {
		ss, err := scanSetFor(ctx, sn, m, verifyBundleOptions{AllowMissing: true, Scope: scopeStore,
			resolve: bundleValues(e), storeValues: storeValues(e, false)})
		if err != nil {
			return err
		}
		unscannable := ss.unscannable
		for _, u := range ss.summary.Unreadable {
			unscannable = append(unscannable, bundlescan.Unscannable{Secret: u.What, Reason: "could not be read"})
		}
		var rep *bundlescan.Report
		if len(ss.secrets) > 0 {
			if rep, err = bundlescan.Scan(ctx, dir, ss.secrets, bundlescan.Options{}); err != nil {
				return err
			}
			unscannable = append(unscannable, rep.Unscannable...)
		}
		// One line per reason, so a routine issue stays quiet.
		var reasons []string
		byReason := map[string][]string{}
		for _, u := range unscannable {
			if _, ok := byReason[u.Reason]; !ok {
				reasons = append(reasons, u.Reason)
			}
			byReason[u.Reason] = append(byReason[u.Reason], u.Secret)
		}
		for _, r := range reasons {
			fmt.Fprintf(e.stderr, "secretsctl: issue: not checked in the bundle (%s): %s\n", r, strings.Join(byReason[r], ", "))
		}
		if rep == nil || len(rep.Findings) == 0 {
			return nil
		}
		var b strings.Builder
		fmt.Fprintf(&b, "it carries %d value(s) that must never ship; nothing was committed and nothing was written to --out:", len(rep.Findings))
		for _, f := range rep.Findings {
			b.WriteString("\n  " + f.String())
		}
		return checkFailed{msg: b.String()}
	}
}
