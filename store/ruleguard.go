package store

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/secretsctl/secretsctl/store/internal/sopsfile"
	"gopkg.in/yaml.v3"
)

// sensitiveFields are the field names whose values secretsctl always
// encrypts, at any depth: a vault's values, a ledger entry's value, a
// document's data. .sops.yaml is a plain file anyone who can push may edit;
// a creation rule that would leave one of these in clear (say
// encrypted_regex: ^nothing$) is refused before anything is written.
var sensitiveFields = map[string]bool{"value": true, "values": true, "data": true}

// sopsValueRE is the shape of a value sops encrypted.
var sopsValueRE = regexp.MustCompile(`^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]+,tag:[A-Za-z0-9+/=]+,type:[a-z]+\]$`)

// CheckLedgerRules checks, before a ledger event of the deployment is
// rendered or written, that the snapshot's .sops.yaml encrypts its values and the
// fingerprint key and authenticates their clear fields: the same refusal
// [Store.Commit] makes on the encrypted output, made up front so that a
// command such as issue writes nothing.
func (sn *Snapshot) CheckLedgerRules(scenario, deployment string) error {
	// The rules the ledger commit will use: those of the revision, which a
	// bare clone has too (it has no work tree).
	data, err := sn.src.read(".sops.yaml")
	if err != nil {
		return fmt.Errorf("read creation rules at %s: %w", sn.Revision, err)
	}
	rules, err := sn.store.rules(data)
	if err != nil {
		return err
	}
	for _, c := range []struct {
		rel  string
		keys []string
	}{
		{LedgerPath(scenario, deployment) + "/000001-issue-00000000.yaml", []string{"secrets", "value"}},
		{FingerprintKeyFile, []string{"value"}},
	} {
		rel := c.rel
		rule, err := rules.For(rel)
		if err != nil {
			return fmt.Errorf(".sops.yaml: %w", err)
		}
		if rule.MACOnlyEncrypted {
			return ruleError(rule, fmt.Sprintf("sets mac_only_encrypted, so the clear fields of %s would not be authenticated; secretsctl refuses it", rel))
		}
		if !rule.Encrypts(c.keys...) {
			return ruleError(rule, fmt.Sprintf("would leave %s of %s in clear; secretsctl encrypts every value, values and data field whatever .sops.yaml says", strings.Join(c.keys, "[]."), rel))
		}
	}
	return nil
}

// encryptChecked encrypts a document's YAML with the creation rule for its
// path, refusing a rule that would leave a value in clear or unauthenticated.
func (s *Store) encryptChecked(rules *sopsfile.Rules, rel string, plain []byte) ([]byte, error) {
	rule, err := rules.For(rel)
	if err != nil {
		return nil, fmt.Errorf(".sops.yaml: %w", err)
	}
	if rule.MACOnlyEncrypted {
		return nil, ruleError(rule, fmt.Sprintf("sets mac_only_encrypted, so the clear fields of %s would not be authenticated; secretsctl refuses it", rel))
	}
	enc, err := sopsfile.Encrypt(plain, rule)
	if err != nil {
		return nil, fmt.Errorf("encrypt %s: %w", rel, err)
	}
	if err := checkEncrypted(rel, rule, enc); err != nil {
		return nil, err
	}
	return enc, nil
}

// checkEncrypted refuses an encrypted document in which a non-empty scalar
// under a sensitive field is stored in clear. It reads the output itself,
// not the rule, so no spelling of a rule can get a value past it.
func checkEncrypted(rel string, rule sopsfile.Rule, enc []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(enc, &doc); err != nil {
		return fmt.Errorf("check encryption of %s: %w", rel, err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	if path, clear := clearSensitive(doc.Content[0], "", false, true); clear {
		return ruleError(rule, fmt.Sprintf("would leave %s of %s in clear; secretsctl encrypts every value, values and data field whatever .sops.yaml says", path, rel))
	}
	return nil
}

// clearSensitive returns the path of the first clear scalar under a
// sensitive field (under says whether n already is), skipping the sops
// metadata of the top-level mapping.
func clearSensitive(n *yaml.Node, path string, under, top bool) (string, bool) {
	switch n.Kind {
	case yaml.ScalarNode:
		clear := under && n.Tag != "!!null" && n.Value != "" && !sopsValueRE.MatchString(n.Value)
		return path, clear
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			if top && key == "sops" {
				continue
			}
			if p, ok := clearSensitive(n.Content[i+1], joinPath(path, key), under || sensitiveFields[key], false); ok {
				return p, true
			}
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			if p, ok := clearSensitive(item, path+"["+strconv.Itoa(i)+"]", under, false); ok {
				return p, true
			}
		}
	case yaml.AliasNode:
		return path, under
	}
	return "", false
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// ruleError names .sops.yaml and the creation rule.
func ruleError(rule sopsfile.Rule, reason string) error {
	return &DocumentError{File: ".sops.yaml", Field: rule.Name, Reason: reason}
}
