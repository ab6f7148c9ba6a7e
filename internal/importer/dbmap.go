package importer

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/secretsctl/secretsctl/store"
)

const (
	tableSecrets    = "resource_secrets"
	tableStrategies = "secret_deployment_strategies"
	tableOverrides  = "scenario_secret_strategy_overrides"
)

// secretRef is where a resource_secrets row landed in the store.
type secretRef struct{ resource, key string }

func (r secretRef) id() string { return store.SecretID(r.resource, r.key) }

// applyDatabase lays the database's rows over what the files declared: the
// database is what the running secrets-manager holds.
func (v *Vrooli) applyDatabase(db *Database, tiers *store.TierCatalog) {
	v.FromDatabase = true
	v.Unmapped = append(v.Unmapped, db.Unknown...)
	refs := map[string]secretRef{}
	v.rowLabels, v.dbSeen = map[string]string{}, map[string]string{}
	for _, row := range db.Secrets {
		v.rowLabels[row.ID] = row.Resource + "/" + row.Key
	}
	for _, row := range db.Secrets {
		if ref, ok := v.applySecret(row); ok {
			refs[row.ID] = ref
		}
	}
	base := map[string]DBStrategy{} // secret row id + tier id → the resource's strategy row
	for _, row := range db.Strategies {
		if tier, ok := v.applyStrategy(row, refs, tiers); ok {
			base[row.SecretID+"@"+tier] = row
		}
	}
	for _, row := range db.Overrides {
		v.applyOverride(row, refs, base, tiers)
	}
}

// applySecret carries one resource_secrets row into its resource.
func (v *Vrooli) applySecret(row DBSecret) (secretRef, bool) {
	label := row.Resource + "/" + row.Key
	name := v.normal(row.Resource)
	switch {
	case !store.ValidName(name):
		v.unmapped(tableSecrets, label, "row", "resource name %q is not a valid store name", name)
		return secretRef{}, false
	case !validKey.MatchString(row.Key):
		v.unmapped(tableSecrets, label, "row", "secret key %q is not a valid key", row.Key)
		return secretRef{}, false
	case !slices.Contains(store.Classifications(), store.Classification(row.Classification)):
		v.unmapped(tableSecrets, label, "row", "unknown classification %q", row.Classification)
		return secretRef{}, false
	}
	if first, dup := v.dbSeen[name+"/"+row.Key]; dup {
		v.unmapped(tableSecrets, label, "row", "the same secret as %s once names are normalised; the first row is kept", first)
		return secretRef{}, false
	}
	v.dbSeen[name+"/"+row.Key] = label
	r := v.resource(name, "imported from the Vrooli secrets-manager database")
	i := slices.IndexFunc(r.Secrets, func(s store.Secret) bool { return s.Key == row.Key })
	if i < 0 {
		r.Secrets = append(r.Secrets, store.Secret{Key: row.Key})
		i = len(r.Secrets) - 1
	}
	v.secretFields(&r.Secrets[i], label, row)
	v.Database.Secrets++
	return secretRef{resource: name, key: row.Key}, true
}

// secretFields copies a row's fields into s and lists those it cannot.
func (v *Vrooli) secretFields(s *store.Secret, label string, row DBSecret) {
	s.Type, s.Required, s.Classification = row.Type, row.Required, store.Classification(row.Classification)
	if d := deref(row.Description); d != "" {
		s.Description = d
	}
	if p := deref(row.ValidationPattern); p != "" {
		if _, err := regexp.Compile(p); err != nil {
			v.unmapped(tableSecrets, label, "validation_pattern", "not a valid regular expression (%v)", err)
		} else {
			s.ValidationPattern = p
		}
	}
	if u := deref(row.DocumentationURL); u != "" {
		if isURL(u) {
			s.DocumentationURL = u
		} else {
			v.unmapped(tableSecrets, label, "documentation_url", "not an http(s) URL")
		}
	}
	if row.RotationDays != nil && *row.RotationDays > 0 {
		s.RotateAfter = fmt.Sprintf("%dd", *row.RotationDays)
	} else if row.RotationDays != nil && *row.RotationDays < 0 {
		v.unmapped(tableSecrets, label, "rotation_period_days", "negative (%d)", *row.RotationDays)
	}
	if t := deref(row.OwnerTeam); t != "" {
		v.unmapped(tableSecrets, label, "owner_team", "the store has no owner field")
	}
	if c := deref(row.OwnerContact); c != "" {
		v.unmapped(tableSecrets, label, "owner_contact", "the store has no owner field")
	}
	if row.DefaultValue {
		v.unmapped(tableSecrets, label, "default_value", "documents hold no values (it was not read); put one in a source with `secretsctl set`")
	}
	if row.LastRotated {
		v.unmapped(tableSecrets, label, "last_rotated_at", "rotation history is the ledger's, made by issuing; a timestamp is not an issuance")
	}
}

// applyStrategy carries one secret_deployment_strategies row onto its
// secret's tier, and returns the tier's id.
func (v *Vrooli) applyStrategy(row DBStrategy, refs map[string]secretRef, tiers *store.TierCatalog) (string, bool) {
	ref, ok := refs[row.SecretID]
	if !ok {
		v.unmapped(tableStrategies, v.rowLabels[row.SecretID]+"@"+row.Tier, "row", "its resource_secrets row was not imported")
		return "", false
	}
	label := ref.id() + "@" + row.Tier
	tier, err := tiers.Resolve(row.Tier)
	if err != nil {
		v.unmapped(tableStrategies, label, "row", "%v", err)
		return "", false
	}
	f := strategyFields{Handling: row.Handling, Fallback: row.Fallback, RequiresInput: &row.RequiresInput,
		PromptLabel: row.PromptLabel, PromptDescription: row.PromptDescription,
		Generator: row.GeneratorTemplate, Hints: row.BundleHints}
	st, ok := v.convert(tableStrategies, label, f)
	if !ok {
		return "", false
	}
	s := v.secret(ref)
	if s.Strategies == nil {
		s.Strategies = map[string]store.Strategy{}
	}
	s.Strategies[tier.ID] = st
	v.review(ref.id(), s, tier, st)
	v.Database.Strategies++
	return tier.ID, true
}

// secret is the imported secret a database row landed in.
func (v *Vrooli) secret(ref secretRef) *store.Secret {
	r := v.Resources[ref.resource]
	return &r.Secrets[slices.IndexFunc(r.Secrets, func(s store.Secret) bool { return s.Key == ref.key })]
}

// review lists an imported strategy lint will report: one lacking what
// the database does not say, or an infrastructure secret's that is neither
// strip nor delegate on a tier that ships to end users (SPEC §2).
func (v *Vrooli) review(who string, s *store.Secret, tier store.Tier, st store.Strategy) {
	if err := st.Check(); err != nil {
		v.Review = append(v.Review, fmt.Sprintf("%s on %s: %v: the database does not say it (lint reports it)", who, tier.ID, err))
	}
	if s.Classification == store.Infrastructure && tier.ShipsToEndUsers && st.Strategy != store.Strip && st.Strategy != store.Delegate {
		v.Review = append(v.Review, fmt.Sprintf("%s on %s: an infrastructure secret set to %s on a tier that ships to end users: "+
			"imported as the database says; lint fails until it is strip or delegate", who, tier.ID, st.Strategy))
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
