package lint

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sync"

	"github.com/secretsctl/secretsctl/hooks"
	"github.com/secretsctl/secretsctl/store"
)

// Rule ids of what package hooks will run: generators, targets and
// templates, caught at lint time rather than when a bundle is made.
const (
	RuleUnknownGenerator = "unknown-generator"
	RuleGeneratorParam   = "invalid-generator-parameter"
	RuleTarget           = "invalid-target"
	RuleTemplateRef      = "template-unknown-secret"
	RuleWeakGenerator    = "weak-generator"
)

var hookHints = map[string]string{
	RuleUnknownGenerator: "generator.type is one of random, password, hex, base64, uuid, jwt-secret, keypair, tls-cert, sqlite-path, derived",
	RuleGeneratorParam:   "the hooks package documentation lists each generator's parameters and their ranges",
	RuleTarget:           "targets are env (name), file (path, mode, template) or config (path, format, key); paths stay inside the output directory",
	RuleTemplateRef:      "refer to a secret of the same scenario by key ({{ .KEY }}) or by id ({{ secret \"resource/KEY\" }})",
	RuleWeakGenerator:    "raise length or bytes to reach 128 bits and drop weak: true, unless a guessable value is truly acceptable here",
}

// lintHooks checks the generator and targets of one generate strategy.
// A generate strategy without a generator is incomplete-strategy's.
func lintHooks(r *Report, file, id, tier string, st store.Strategy) {
	if st.Strategy != store.Generate {
		return
	}
	if g := st.Generator; g != nil && g.Type != "" {
		if err := hooks.ValidateGenerator(*g); err != nil {
			rule := RuleGeneratorParam
			if pe := (*hooks.ParamError)(nil); errors.As(err, &pe) && pe.Param == "type" {
				rule = RuleUnknownGenerator
			}
			r.add(hookFinding(rule, file, id, tier, err.Error()))
		} else if g.Weak {
			r.add(weakFinding(file, id, tier, *g))
		}
	}
	for i, t := range st.Targets {
		if err := hooks.ValidateTarget(t); err != nil {
			r.add(hookFinding(RuleTarget, file, id, tier, fmt.Sprintf("targets[%d]: %v", i, err)))
		}
	}
}

// weakFinding warns of a generator that declares weak: true.
func weakFinding(file, id, tier string, g store.Generator) Finding {
	bits, _ := hooks.EntropyBits(g)
	msg := fmt.Sprintf("generator %s declares weak: true (%d bits of entropy; the floor is %d)", g.Type, int(math.Floor(bits)), hooks.MinEntropyBits)
	return Finding{Rule: RuleWeakGenerator, Severity: Warning, File: file, Secret: id, Tier: tier, Message: msg, Hint: hookHints[RuleWeakGenerator]}
}

func hookFinding(rule, file, id, tier, msg string) Finding {
	return Finding{Rule: rule, Severity: Error, File: file, Secret: id, Tier: tier, Message: msg, Hint: hookHints[rule]}
}

// lintManifestHooks checks the effective strategies of a plan, which also
// covers overrides and policy defaults, and the templates of its generated
// secrets against the secrets the plan has.
func lintManifestHooks(r *Report, scenario string, m *store.Manifest) {
	for _, s := range m.Secrets {
		if s.HandlingStrategy != store.Generate {
			continue
		}
		file := fileFor(scenario, store.BlockingDetail{Resource: s.ResourceName, Source: string(s.StrategySource)})
		lintHooks(r, file, s.ID, m.TierID, store.Strategy{Strategy: s.HandlingStrategy, Generator: s.GeneratorTemplate, Targets: s.Targets})
		for i, text := range templatesOf(s) {
			derived := i == 0 && s.GeneratorTemplate != nil && s.GeneratorTemplate.Type == "derived"
			for _, msg := range unknownRefs(text, derived, m) {
				f := hookFinding(RuleTemplateRef, file, s.ID, m.TierID, msg)
				f.Scenario = scenario
				r.add(f)
			}
		}
	}
}

// templatesOf lists the templates a generated secret renders: a derived
// generator's and its file targets'.
func templatesOf(s store.ManifestSecret) []string {
	var out []string
	if g := s.GeneratorTemplate; g != nil && g.Type == "derived" && g.Template != "" {
		out = append(out, g.Template)
	}
	for _, t := range s.Targets {
		if t.Type == "file" && t.Template != "" {
			out = append(out, t.Template)
		}
	}
	return out
}

// unknownRefs describes each name a template uses that is not a secret of
// the plan, and .Value in a derived template, which renders no target. A
// template that does not parse is reported by other rules.
func unknownRefs(text string, derived bool, m *store.Manifest) []string {
	refs, err := hooks.TemplateRefs(text)
	if err != nil {
		return nil
	}
	var msgs []string
	if derived && refs.Value {
		msgs = append(msgs, "a derived template has no .Value: refer to the secrets it derives from")
	}
	for _, key := range refs.Keys {
		if !slices.ContainsFunc(m.Secrets, func(s store.ManifestSecret) bool { return s.SecretKey == key }) {
			msgs = append(msgs, fmt.Sprintf("template refers to .%s, which is not a secret of this scenario", key))
		}
	}
	for _, id := range refs.Secrets {
		if !slices.ContainsFunc(m.Secrets, func(s store.ManifestSecret) bool { return s.ID == id }) {
			msgs = append(msgs, fmt.Sprintf("template refers to secret %q, which is not a secret of this scenario", id))
		}
	}
	return msgs
}

var (
	generatorTypeField = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\.generator\.type$`) })
	generatorField     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\.generator(\.|$)`) })
	targetField        = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\.targets(\[\d+\])?(\.|$)`) })
)

// schemaRule names the hooks rule a schema error on a document field
// breaks, or "" when the field is not a generator's or a target's.
func schemaRule(field string) string {
	switch {
	case generatorTypeField().MatchString(field):
		return RuleUnknownGenerator
	case generatorField().MatchString(field):
		return RuleGeneratorParam
	case targetField().MatchString(field):
		return RuleTarget
	}
	return ""
}
