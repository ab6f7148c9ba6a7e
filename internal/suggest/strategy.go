package suggest

import (
	"regexp"
	"strings"

	"github.com/secretsctl/secretsctl/store"
)

// Rule ids of strategies.
const (
	RuleInfrastructureStrip = "strategy/infrastructure-strip"
	RuleServiceGenerate     = "strategy/service-generate"
	RuleUserPrompt          = "strategy/user-prompt"
	RuleServiceEndpoint     = "strategy/service-endpoint-strip"
	// RuleHardRule replaces a declared strategy that breaks the hard rule.
	RuleHardRule = "hard-rule/infrastructure-end-user"
)

// StrategyFor proposes the strategy of a secret of class on tier t. It
// never proposes anything but strip for infrastructure.
func StrategyFor(class store.Classification, t store.Tier, s store.Secret) (store.Strategy, string, string) {
	switch {
	case class == store.Service && endpointKey.MatchString(strings.ToUpper(s.Key)):
		return store.Strategy{Strategy: store.Strip}, RuleServiceEndpoint,
			s.Key + " is an address: the runtime of " + t.ID + " configures it, a generator cannot"
	case class == store.Service:
		at := store.AtBundle
		why := "a service secret is generated; at bundle, so the ledger records what each deployment of " + t.ID + " holds"
		if t.ShipsToEndUsers {
			at = store.AtInstall
			why = "a service secret is generated; at install, since " + t.ID + " ships to end users and every copy needs its own"
		}
		return store.Strategy{Strategy: store.Generate, At: at, Generator: generatorFor(s)}, RuleServiceGenerate, why
	case class == store.User:
		return store.Strategy{Strategy: store.Prompt, Prompt: promptFor(s)}, RuleUserPrompt,
			"a user secret is asked from the person running the app and kept in their keychain"
	}
	why := "the runtime of " + t.ID + " supplies an infrastructure secret, as Vrooli's own tiers do"
	if t.ShipsToEndUsers {
		why = "an infrastructure secret never ships to end users, and " + t.ID + " does"
	}
	return store.Strategy{Strategy: store.Strip}, RuleInfrastructureStrip, why
}

var (
	endpointKey = regexp.MustCompile(`_(HOST|HOSTNAME|PORT|URL|ADDR|ADDRESS|ENDPOINT|SERVER)$`)
	jwtKey      = regexp.MustCompile(`JWT`)
	binaryKey   = regexp.MustCompile(`(ENCRYPTION|SIGNING|CRYPTO|MASTER|SESSION)_KEY|SECRET_KEY_BASE|HMAC`)
	passwordKey = regexp.MustCompile(`PASSWORD|PASSWD`)
)

// generatorFor picks a generator by the secret's type and key.
func generatorFor(s store.Secret) *store.Generator {
	key, typ := strings.ToUpper(s.Key), strings.ToLower(s.Type)
	switch {
	case typ == "jwt" || jwtKey.MatchString(key):
		return &store.Generator{Type: "jwt-secret", Bytes: 32}
	case typ == "uuid":
		return &store.Generator{Type: "uuid", Version: "v4"}
	case binaryKey.MatchString(key):
		return &store.Generator{Type: "base64", Bytes: 32}
	case typ == "password" || passwordKey.MatchString(key):
		return &store.Generator{Type: "password", Length: 32}
	}
	return &store.Generator{Type: "random", Length: 32, Charset: "alnum"}
}

// promptFor asks for the secret by its description, else its key.
func promptFor(s store.Secret) *store.PromptSpec {
	label := strings.TrimSpace(s.Description)
	if label == "" || len(label) > 60 {
		label = s.Key
	}
	return &store.PromptSpec{Label: label, Description: s.Description, HelpURL: s.DocumentationURL}
}
