package lint

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

// CheckFile is [CheckDocument] for a file of the work tree, decrypted first
// when it is a SOPS document.
func CheckFile(st *store.Store, rel string) error {
	c, err := st.CheckFile(rel)
	if err != nil {
		return err
	}
	return checkRules(c)
}

// CheckDocument validates one plaintext document the way `seal` and `edit`
// do before they write it: [store.Store.CheckDocument] (YAML, schema,
// references, with lines and did-you-mean suggestions) and the lint rules
// that need nothing but the document and the tier catalogue — hard-rule
// violations, incomplete strategies, invalid generators and targets,
// overrides without a reason. It returns nil, or a [*store.ValidationError]
// listing every problem (exit code 4), or the error that kept it from
// checking.
func CheckDocument(st *store.Store, rel string, plain []byte) error {
	c, err := st.CheckDocument(rel, plain)
	if err != nil {
		return err
	}
	return checkRules(c)
}

// checkRules adds the findings of the one-document lint rules to a check.
func checkRules(c *store.DocumentCheck) error {
	if c.Doc == nil || c.Tiers == nil {
		return c.Err() // rules read a decoded document
	}
	r := &Report{}
	fields := map[string]string{} // secret id -> field of its declaration
	switch d := c.Doc.(type) {
	case *store.Resource:
		declared(c, r, d.Name, d.Secrets, fields)
	case *store.Scenario:
		declared(c, r, d.Name, d.Secrets, fields)
		for _, id := range slices.Sorted(maps.Keys(d.Overrides)) {
			for _, tier := range slices.Sorted(maps.Keys(d.Overrides[id])) {
				if strings.TrimSpace(d.Overrides[id][tier].Reason) == "" {
					c.Add(tierField(c, "overrides."+id, tier), RuleOverrideReason+": an override needs a reason")
				}
			}
		}
	case *store.Config:
		policyRules(c, d)
	}
	for _, f := range r.Findings {
		if f.Severity == Error {
			c.Add(tierField(c, fields[f.Secret]+".strategies", f.Tier), f.Rule+": "+f.Message)
		}
	}
	return c.Err()
}

func declared(c *store.DocumentCheck, r *Report, owner string, secrets []store.Secret, fields map[string]string) {
	for i, s := range secrets {
		id := store.SecretID(owner, s.Key)
		fields[id] = fmt.Sprintf("secrets[%d]", i)
		lintDeclared(c.Tiers, r, c.File, id, s)
	}
}

// policyRules applies the hard rule to the default strategies of
// secretsctl.yaml.
func policyRules(c *store.DocumentCheck, cfg *store.Config) {
	for _, class := range slices.Sorted(maps.Keys(cfg.Policy.Defaults)) {
		byTier := cfg.Policy.Defaults[class]
		for _, t := range c.Tiers.Tiers() {
			if st, ok := byTier[t.ID]; ok {
				if code, reason := plan.Blocking(t, class, st); code != "" && code != plan.CodeMissingClass {
					c.Add(tierField(c, "policy.defaults."+string(class), t.ID), code+": "+reason)
				}
			}
		}
	}
}

// tierField is the field of a tier in a tier-keyed map, by the name (id or
// alias) the document uses for it, so that a problem names what was written.
func tierField(c *store.DocumentCheck, field, id string) string {
	for _, t := range c.Tiers.Tiers() {
		if t.ID != id {
			continue
		}
		for _, name := range append([]string{t.ID}, t.Aliases...) {
			if c.FieldLine(field+"."+name) > 0 {
				return field + "." + name
			}
		}
	}
	return field + "." + id
}
