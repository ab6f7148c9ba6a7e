package sopsfile

import (
	"fmt"
	"strings"
	"testing"
)

// resourceRegex is the rule of secretsctl store documents.
const resourceRegex = "^(value|values|data)$"

// resourceDoc builds a store resource-like document with n secrets, each
// with a strategies map of five tiers holding a few fields. As in a real
// store almost every value stays clear under resourceRegex: one tier of
// each secret has a `value` to encrypt, one in ten also a `data` list.
func resourceDoc(n int) string {
	tiers := []string{"local", "desktop", "mobile", "saas", "enterprise"}
	var b strings.Builder
	b.WriteString("version: 1\nname: res-042\ndescription: generated resource 42\nsecrets:\n")
	for k := range n {
		fmt.Fprintf(&b, "    - key: SECRET_%03d\n", k)
		fmt.Fprintf(&b, "      description: generated secret %d of resource 42\n", k)
		b.WriteString("      type: credential\n")
		fmt.Fprintf(&b, "      required: %t\n", k%2 == 0)
		b.WriteString("      validation_pattern: .{8,}\n")
		b.WriteString("      classification: application\n")
		b.WriteString("      strategies:\n")
		for t, tier := range tiers {
			fmt.Fprintf(&b, "        %s:\n", tier)
			switch (k + t) % 5 {
			case 0:
				b.WriteString("            strategy: generate\n            at: install\n            generator:\n")
				b.WriteString("                type: random\n                length: 32\n                charset: alnum\n")
			case 1:
				fmt.Fprintf(&b, "            strategy: delegate\n            delegate:\n                provider: vault\n                reference: secret/data/k%d\n", k)
			case 2:
				fmt.Fprintf(&b, "            strategy: prompt\n            prompt:\n                label: Value %d\n", k)
			case 3:
				b.WriteString("            strategy: strip\n            reason: never ships\n")
			default:
				fmt.Fprintf(&b, "            strategy: static\n            value: static-secret-%03d-%s-%s\n", k, tier, canary)
				if k%10 == 0 {
					b.WriteString("            data:\n                - part-one\n                - part-two\n")
				}
			}
		}
	}
	return b.String()
}

// scenarioDoc is a small store scenario-like document, without a value to
// encrypt under resourceRegex.
const scenarioDoc = `version: 1
name: scenario-0420
description: generated scenario 420
resources:
    - name: res-140
    - name: res-153
    - name: res-166
    - name: res-179
    - name: res-192
      optional: true
overrides:
    res-140/SECRET_000:
        saas:
            strategy: strip
            reason: generated override
`

// benchDocs are the documents BenchmarkDecrypt and BenchmarkDecryptNode
// decrypt, so that their numbers compare side by side.
func benchDocs(b *testing.B, k testKey) []struct {
	name string
	enc  []byte
} {
	b.Helper()
	only := Rule{Recipients: []string{k.recipient}}
	resourceRule := Rule{Recipients: []string{k.recipient}, EncryptedRegex: resourceRegex}
	return []struct {
		name string
		enc  []byte
	}{
		{"encrypted_regex", []byte(encrypt(b, benchDoc(100), regexRule(k)))},
		{"default_rule", []byte(encrypt(b, benchDoc(100), only))},
		{"resource_50_secrets", []byte(encrypt(b, resourceDoc(50), resourceRule))},
		{"scenario_small", []byte(encrypt(b, scenarioDoc, resourceRule))},
	}
}

// BenchmarkDecryptNode decrypts the documents of BenchmarkDecrypt.
func BenchmarkDecryptNode(b *testing.B) {
	k := newTestKey(b)
	for _, d := range benchDocs(b, k) {
		b.Run(d.name, func(b *testing.B) {
			b.SetBytes(int64(len(d.enc)))
			for b.Loop() {
				if _, err := DecryptNode(d.enc, k.keyring); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCleartextNode reads the resource document without a key.
func BenchmarkCleartextNode(b *testing.B) {
	k := newTestKey(b)
	enc := []byte(encrypt(b, resourceDoc(50), Rule{Recipients: []string{k.recipient}, EncryptedRegex: resourceRegex}))
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if _, err := CleartextNode(enc); err != nil {
			b.Fatal(err)
		}
	}
}
