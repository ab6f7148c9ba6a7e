package lint

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

// Severity of a finding.
type Severity string

// Severities.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Rule ids besides the plan's blocking codes.
const (
	RuleDocument       = "invalid-document"
	RuleIntegrity      = "integrity"
	RuleKey            = "no-key"
	RuleUnverified     = "unverified-document"
	RuleUnsealed       = "unsealed-document"
	RuleBundleEndUser  = "bundle-generated-on-end-user-tier"
	RuleConflict       = "conflicting-declaration"
	RuleOverrideReason = "override-without-reason"
)

// Finding is one problem in the store.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	File     string   `json:"file"`
	Line     int      `json:"line,omitempty"`
	Field    string   `json:"field,omitempty"`
	Secret   string   `json:"secret,omitempty"`
	Scenario string   `json:"scenario,omitempty"`
	Tier     string   `json:"tier,omitempty"`
	Message  string   `json:"message"`
	Hint     string   `json:"hint,omitempty"`
}

// Report is the outcome of a lint run.
type Report struct {
	Revision  string    `json:"revision"`
	Integrity string    `json:"integrity"`
	Findings  []Finding `json:"findings"`
	Errors    int       `json:"errors"`
	Warnings  int       `json:"warnings"`

	seen map[findingKey]bool
}

// findingKey identifies a finding for deduplication: the same problem found
// through several scenarios is reported once.
type findingKey struct{ rule, file, secret, tier, message string }

// Run lints every document and every scenario × tier it ships to.
//
// hasKey says whether a private key is loaded: documents no loaded key can
// open are then worth a warning, not just an unverified summary.
func Run(ctx context.Context, sn *store.Snapshot, hasKey bool) (*Report, error) {
	r := &Report{Revision: sn.Revision, Findings: []Finding{}}
	if err := sn.LoadAll(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		for _, e := range unjoin(err) {
			r.add(documentFinding(e))
		}
	}
	lintResources(sn, r)
	lintPolicy(sn, r)
	for _, name := range sn.ScenarioNames() {
		if err := lintScenario(sn, name, r); err != nil {
			return nil, err
		}
	}
	if err := lintStored(ctx, sn, r); err != nil {
		return nil, err
	}
	for _, file := range sn.UnsealedFiles() {
		r.add(Finding{Rule: RuleUnsealed, Severity: Warning, File: file,
			Message: "last written by another tool (such as sops edit): its values are verified, but renamed or moved keys would not be detected",
			Hint:    "secretsctl seal " + file})
	}
	if err := lintPlaintextFiles(sn, r, hasKey); err != nil {
		return nil, err
	}
	for _, file := range sn.UnverifiedFiles() {
		why, partial := sn.NoKeyReason(file)
		if !hasKey && !partial {
			continue // without any key, every document is unverified: the summary says so
		}
		msg := "no loaded age key can decrypt this document, so its MAC was not verified"
		if why != "" {
			msg += " (" + why + ")"
		}
		r.add(Finding{Rule: RuleUnverified, Severity: Warning, File: file,
			Message: msg,
			Hint:    "add a recipient you hold to the file (sops updatekeys) or load the right key"})
	}
	r.Integrity = sn.Integrity()
	fillLines(sn, r)
	r.finish()
	return r, nil
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func documentFinding(err error) Finding {
	var doc *store.DocumentError
	var integ *store.IntegrityError
	var key *store.KeyError
	switch {
	case errors.As(err, &integ) && integ.Plaintext:
		return Finding{Rule: RuleIntegrity, Severity: Error, File: integ.File, Message: integ.Reason,
			Hint: "secretsctl seal " + integ.File}
	case errors.As(err, &integ):
		return Finding{Rule: RuleIntegrity, Severity: Error, File: integ.File, Message: integ.Reason,
			Hint: "the file changed without the SOPS key; restore it from git history or re-encrypt it after review"}
	case errors.As(err, &key):
		return Finding{Rule: RuleKey, Severity: Error, File: key.File, Message: key.Err.Error()}
	case errors.As(err, &doc):
		if rule := schemaRule(doc.Field); rule != "" {
			return Finding{Rule: rule, Severity: Error, File: doc.File, Line: doc.Line, Field: doc.Field,
				Message: doc.Reason, Hint: hookHints[rule]}
		}
		return Finding{Rule: RuleDocument, Severity: Error, File: doc.File, Line: doc.Line, Field: doc.Field,
			Message: doc.Reason, Hint: "fix the field; jsonschema/ holds the schema of every document kind"}
	}
	return Finding{Rule: RuleDocument, Severity: Error, Message: err.Error()}
}

// lintResources applies the hard rule to what resources declare, whether or
// not a scenario uses them yet.
func lintResources(sn *store.Snapshot, r *Report) {
	for _, name := range sn.ResourceNames() {
		res, err := sn.Resource(name)
		if err != nil {
			continue // reported as a document finding
		}
		for _, s := range res.Secrets {
			lintDeclared(sn.Tiers(), r, "resources/"+name+".yaml", store.SecretID(name, s.Key), s)
		}
	}
}

func lintDeclared(tiers *store.TierCatalog, r *Report, file, id string, s store.Secret) {
	lintSuggestions(r, file, id, s)
	for _, t := range tiers.Tiers() {
		st, ok := s.Strategies[t.ID]
		if !ok {
			continue
		}
		if code, reason := plan.Blocking(t, classOf(s), st); code == plan.CodeInfrastructureEndUser || code == plan.CodeIncompleteStrategy {
			r.add(blockingFinding(code, file, id, "", t.ID, reason))
		}
		lintBundleGenerated(r, file, id, t, st)
		lintHooks(r, file, id, t.ID, st)
	}
}

// lintBundleGenerated warns about a value generated once at bundle time on
// a tier whose bundles reach end users: every copy shares it.
func lintBundleGenerated(r *Report, file, id string, t store.Tier, st store.Strategy) {
	if t.ShipsToEndUsers && st.Strategy == store.Generate && st.At == store.AtBundle {
		r.add(Finding{Rule: RuleBundleEndUser, Severity: Warning, File: file, Secret: id, Tier: t.ID,
			Message: "generated at bundle time on a tier that ships to end users: every installed copy gets the same value",
			Hint:    "use at: install so each installation generates its own"})
	}
}

// lintPolicy applies the hard rule to the store's default strategies.
func lintPolicy(sn *store.Snapshot, r *Report) {
	for class, byTier := range sn.Config().Policy.Defaults {
		for _, t := range sn.Tiers().Tiers() {
			if st, ok := byTier[t.ID]; ok {
				if code, reason := plan.Blocking(t, class, st); code != "" && code != plan.CodeMissingClass {
					r.add(blockingFinding(code, store.ConfigFile, "policy.defaults."+string(class), "", t.ID, reason))
				}
			}
		}
	}
}

// lintScenario reports every blocking secret of every plan of a scenario.
func lintScenario(sn *store.Snapshot, name string, r *Report) error {
	sc, err := sn.Scenario(name)
	if err != nil {
		return nil // reported as a document finding
	}
	file := "scenarios/" + name + ".yaml"
	for _, own := range sc.Secrets {
		lintDeclared(sn.Tiers(), r, file, store.SecretID(name, own.Key), own)
	}
	for _, id := range slices.Sorted(maps.Keys(sc.Overrides)) {
		for _, tier := range slices.Sorted(maps.Keys(sc.Overrides[id])) {
			if strings.TrimSpace(sc.Overrides[id][tier].Reason) == "" {
				r.add(Finding{Rule: RuleOverrideReason, Severity: Error, File: file, Secret: id, Tier: tier,
					Field: "overrides." + id + "." + tier + ".reason", Message: "an override needs a reason",
					Hint: "say why this scenario departs from the resource's strategy; reviewers read it in the plan"})
			}
		}
	}
	for _, t := range plan.ShippedTiers(sn.Tiers(), sc) {
		m, err := plan.ForSnapshot(sn, name, t.ID)
		if err != nil {
			var doc *store.DocumentError
			var integ *store.IntegrityError
			if errors.As(err, &doc) || errors.As(err, &integ) {
				r.add(documentFinding(err)) // e.g. an override of a secret that does not exist
				return nil
			}
			return err
		}
		for _, b := range m.Summary.BlockingSecretDetails {
			file := fileFor(name, b)
			r.add(blockingFinding(b.Code, file, store.SecretID(b.Resource, b.Secret), name, t.ID, b.Reason))
		}
		lintConflicts(r, file, sc, m)
		lintManifestHooks(r, name, m)
	}
	return nil
}

// lintConflicts reports one key declared by two resources of a scenario
// with a different classification or strategy on the same tier: both end up
// in the same environment variable, so the bundle cannot honour both.
func lintConflicts(r *Report, file string, sc *store.Scenario, m *store.Manifest) {
	byKey := map[string][]store.ManifestSecret{}
	for _, s := range m.Secrets {
		byKey[s.SecretKey] = append(byKey[s.SecretKey], s)
	}
	for _, key := range slices.Sorted(maps.Keys(byKey)) {
		decls := byKey[key]
		for _, other := range decls[1:] {
			first := decls[0]
			if first.Classification == other.Classification && first.HandlingStrategy == other.HandlingStrategy {
				continue
			}
			r.add(Finding{Rule: RuleConflict, Severity: Error, File: file, Field: resourceField(sc, other.ResourceName),
				Secret: first.ID, Scenario: m.Scenario, Tier: m.TierID,
				Message: fmt.Sprintf("%s is also declared as %s: %s/%s here, %s/%s there", key, other.ID,
					first.Classification, first.HandlingStrategy, other.Classification, other.HandlingStrategy),
				Hint: "make both declarations agree, or override one of them in the scenario with a reason"})
		}
	}
}

// resourceField is the scenario field that brings resource name in, so a
// finding about it points at that line.
func resourceField(sc *store.Scenario, name string) string {
	for i, u := range sc.Resources {
		if u.Name == name {
			return fmt.Sprintf("resources[%d].name", i)
		}
	}
	return ""
}

// fileFor is the document where a blocking secret is best fixed.
func fileFor(scenario string, b store.BlockingDetail) string {
	switch store.StrategySource(b.Source) {
	case store.SourceOverride, store.SourceScenario:
		return "scenarios/" + scenario + ".yaml"
	case store.SourcePolicy:
		return store.ConfigFile
	}
	if b.Resource == scenario {
		return "scenarios/" + scenario + ".yaml"
	}
	return "resources/" + b.Resource + ".yaml"
}

var hints = map[string]string{
	plan.CodeMissingStrategy:       "add strategies.<tier> to the secret, an override in the scenario, or a policy default in secretsctl.yaml",
	plan.CodeIncompleteStrategy:    "generate needs generator.type, prompt needs prompt.label, delegate needs delegate.provider and delegate.reference",
	plan.CodeInfrastructureEndUser: "use strip (the runtime supplies it) or delegate (a provider-managed store) on tiers that ship to end users",
	plan.CodeMissingClass:          "set classification: infrastructure, service or user",
}

func blockingFinding(code, file, secret, scenario, tier, reason string) Finding {
	return Finding{Rule: code, Severity: Error, File: file, Secret: secret, Scenario: scenario, Tier: tier,
		Message: reason, Hint: hints[code]}
}

func classOf(s store.Secret) store.Classification {
	if s.Classification == "" {
		return store.Unclassified
	}
	return s.Classification
}

func (r *Report) add(f Finding) {
	k := findingKey{f.Rule, f.File, f.Secret, f.Tier, f.Message}
	if r.seen[k] {
		return
	}
	if r.seen == nil {
		r.seen = map[findingKey]bool{}
	}
	r.seen[k] = true
	r.Findings = append(r.Findings, f)
}

func (r *Report) finish() {
	slices.SortFunc(r.Findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Secret, b.Secret),
			cmp.Compare(a.Tier, b.Tier), cmp.Compare(a.Scenario, b.Scenario), cmp.Compare(a.Rule, b.Rule))
	})
	for _, f := range r.Findings {
		if f.Severity == Error {
			r.Errors++
		} else {
			r.Warnings++
		}
	}
}

// String renders a finding as one line: "file:line: severity: rule: message".
func (f Finding) String() string {
	loc := f.File
	if f.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, f.Line)
	}
	msg := f.Message
	if f.Field != "" {
		msg = f.Field + ": " + msg
	}
	if f.Secret != "" {
		msg = f.Secret + ": " + msg
	}
	if f.Scenario != "" {
		msg += " (scenario " + f.Scenario + ")"
	}
	return fmt.Sprintf("%s: %s: %s: %s", loc, f.Severity, f.Rule, msg)
}

// fillLines gives findings without a line the line of the field, secret or
// override they are about, where the YAML has one.
func fillLines(sn *store.Snapshot, r *Report) {
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Line != 0 || f.File == "" {
			continue
		}
		// The field as named, else its nearest parent the file has (a tier
		// key may be written as an alias).
		for field := fieldOf(sn, *f); field != "" && f.Line == 0; {
			f.Line = sn.Line(f.File, field)
			i := strings.LastIndex(field, ".")
			if i < 0 {
				break
			}
			field = field[:i]
		}
	}
}

// fieldOf is the document field a finding points at.
func fieldOf(sn *store.Snapshot, f Finding) string {
	switch {
	case f.Field != "":
		return f.Field
	case strings.HasPrefix(f.Secret, "policy."):
		return f.Secret
	case f.Secret == "":
		return ""
	}
	owner, key, _ := strings.Cut(f.Secret, "/")
	var secrets []store.Secret
	switch f.File {
	case "resources/" + owner + ".yaml":
		if res, err := sn.Resource(owner); err == nil {
			secrets = res.Secrets
		}
	case "scenarios/" + owner + ".yaml":
		if sc, err := sn.Scenario(owner); err == nil {
			secrets = sc.Secrets
		}
	default:
		return "overrides." + f.Secret
	}
	if i := slices.IndexFunc(secrets, func(s store.Secret) bool { return s.Key == key }); i >= 0 {
		return fmt.Sprintf("secrets[%d]", i)
	}
	return ""
}
