// Package prompt asks a user for the secrets a manifest marks as theirs
// (strategy prompt, bundle class user_prompt) and checks each answer
// against its validation pattern.
//
// [FromManifest] turns a [store.Manifest] into a [Spec]: the list of
// prompts with label, description, pattern, help URL and whether an answer
// is required. A Spec encodes to JSON that any UI can render (an Electron
// window, a mobile screen); see docs/desktop-mobile-secrets.md.
//
// Two prompters ship here:
//
//   - [Terminal] asks on a terminal without echoing what is typed, explains
//     a value that does not match and asks again; when its input is not a
//     terminal (a pipe, a file) it reads one line per prompt instead.
//   - [ServeForm] serves a one-time web form for desktop shells on
//     127.0.0.1 at a random port. Only the URL's single-use random token
//     opens it; the submission needs the session cookie that page set, its
//     CSRF token and a same-origin Origin header. The page loads nothing
//     from elsewhere (a strict Content-Security-Policy, no scripts), never
//     contains a value, and the server stops after one successful
//     submission or a timeout.
//
// Both return [Answers]: secret id to [Value]. A Value prints as
// "[redacted]" with every fmt verb and in JSON, so a stray log line cannot
// leak it; convert it with string(v) where the value is really needed.
//
// # Validation
//
// A pattern is a Go regular expression (RE2 syntax) matched against the
// whole answer as typed, with [regexp.Regexp.MatchString]: anchor it with ^
// and $ to constrain all of it, as manifests do. An empty answer to an
// optional prompt means "skip"; to a required one it is invalid, unless
// the prompt is marked [Field.Stored] (something is already stored, and an
// empty answer keeps it).
package prompt
