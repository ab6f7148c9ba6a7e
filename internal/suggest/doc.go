// Package suggest turns the gaps of a store into proposals a reviewer can
// accept: a classification for every secret that has none, and a strategy
// for every secret × tier a plan would leave unspecified.
//
// Every [Proposal] names the rule that produced it and says in words what
// the rule saw. The rules, in the order they are tried:
//
//   - declared/…: what the store already holds about the secret — a
//     strategy on a tier that ships to end users (generate: service,
//     prompt: user);
//   - name/…: rules on the key, its type and its owner in the spirit of
//     Vrooli's own classifier: a data store's host, port, user or password
//     is infrastructure, a third-party API key is the user's, a JWT,
//     session or encryption key is the service's;
//   - resource/peers: for a key no name rule knows, the classification
//     every other classified secret of the same resource or scenario
//     shares (what an import from the original database brought);
//   - fallback/infrastructure: nothing matched, and infrastructure is the
//     classification that never reaches an end user.
//
// Strategies follow the (possibly proposed) classification where the
// store's policy has no default for it: infrastructure is stripped,
// service secrets are generated (at install on tiers that ship to end
// users, at bundle elsewhere) unless named like an address (a host, port
// or URL the runtime configures: stripped), and user secrets are prompted
// for. No proposal ever places an infrastructure secret on a tier that
// ships to end users with anything but strip; where the store itself does
// (an infrastructure secret generated or prompted for on such a tier), the
// rule hard-rule/infrastructure-end-user proposes strip in its place, so
// the reviewer sees the old value in the diff.
//
// # The mark
//
// [Apply] writes proposals into the documents with a mark:
// classification_suggested on the secret, suggested on the strategy, each
// {rule, because}. Plans show a marked strategy as strategy_source
// suggested, lint warns about every mark, and [Accept] (or deleting the
// mark by hand) is the review.
package suggest
