package prompt_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/secretsctl/secretsctl/hooks/prompt"
	"github.com/secretsctl/secretsctl/store"
)

// A bundler turns a manifest into prompts and asks them; here the answers
// come from a pipe (line mode), as in a script.
func ExampleTerminal() {
	m := &store.Manifest{Scenario: "demo", TierID: "tier-2-desktop", BundleSecrets: []store.BundleSecret{{
		ID: "twilio/TWILIO_AUTH_TOKEN", Class: store.ClassUserPrompt, Required: true, Format: "^[a-f0-9]{32}$",
		Prompt: &store.PromptMetadata{Label: "Twilio Auth Token"},
	}}}
	spec, err := prompt.FromManifest(m)
	if err != nil {
		panic(err)
	}
	in := strings.NewReader("0123456789abcdef0123456789abcdef\n")
	answers, err := prompt.Terminal{In: in, Out: new(strings.Builder)}.Ask(context.Background(), spec)
	if err != nil {
		panic(err)
	}
	v := answers["twilio/TWILIO_AUTH_TOKEN"]
	fmt.Println(v, len(string(v)))
	// Output: [redacted] 32
}
