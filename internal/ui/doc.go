// Package ui is the read-only web dashboard `secretsctl serve` offers at
// /ui/: plain HTML, CSS and a little JavaScript embedded in the binary, no
// framework, no build step, nothing loaded from elsewhere.
//
// The page reads only the JSON API of package internal/api (coverage,
// tiers, scenarios, plans, revisions, plan diffs): there is no second path
// to the data, and since the API carries no secret value, neither can the
// page.
//
// # Views
//
//   - #/ — the scenario × tier matrix coloured by readiness, with counts,
//     filters by scenario name and classification, and a legend;
//   - #/plan/{scenario}/{tier} — one plan, blocking secrets first;
//   - #/compare?base=&head= — the plan diff between two revisions.
//
// Every view takes ?rev= (a commit, branch or tag; HEAD when empty).
//
// # Security
//
// [Handler] sends a strict Content-Security-Policy (scripts, styles and
// fetches from the same origin only; no inline script or style, no
// frames), nosniff and no-referrer. The assets hold no data, so they are
// served without a token; the data is not. When the API answers 401 the page
// asks for a bearer token once, keeps it in sessionStorage (gone when the
// tab closes) and sends it as Authorization: Bearer on every fetch.
package ui
