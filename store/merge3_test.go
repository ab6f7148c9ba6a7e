package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func mergeYAML(t testing.TB, base, ours, theirs string) (string, []string) {
	t.Helper()
	var roots [3]*yaml.Node
	for i, s := range []string{base, ours, theirs} {
		if s == "" {
			continue
		}
		var doc yaml.Node
		require.NoError(t, yaml.Unmarshal([]byte(s), &doc))
		roots[i] = doc.Content[0]
	}
	m := &merger{}
	out, err := yaml.Marshal(m.merge(roots[0], roots[1], roots[2], "", nil))
	require.NoError(t, err)
	var fields []string
	for _, c := range m.conflicts {
		fields = append(fields, c.Field)
	}
	return string(out), fields
}

func TestMergerCases(t *testing.T) {
	tests := []struct {
		name, base, ours, theirs, want string
		conflicts                      []string
	}{
		{"one side changes", "a: 1\nb: 2\n", "a: 1\nb: 3\n", "a: 1\nb: 2\n", "a: 1\nb: 3\n", nil},
		{"both change alike", "a: 1\n", "a: 2\n", "a: 2\n", "a: 2\n", nil},
		{"different keys", "a: 1\nb: 2\n", "a: 5\nb: 2\n", "a: 1\nb: 6\n", "a: 5\nb: 6\n", nil},
		{"they add, we delete another", "a: 1\nb: 2\n", "a: 1\n", "a: 1\nb: 2\nc: 3\n", "a: 1\nc: 3\n", nil},
		{"same key differently", "a: 1\n", "a: 2\n", "a: 3\n", "a: 2\n", []string{"a"}},
		{"we delete, they change", "a: 1\nb: 2\n", "a: 1\n", "a: 1\nb: 3\n", "a: 1\n", []string{"b"}},
		{"tiers merge as a set", "tiers: [local, saas]\n", "tiers: [local, saas, desktop]\n", "tiers: [saas, mobile]\n",
			"tiers: [saas, desktop, mobile]\n", nil},
		{"secrets by key, in our order then theirs' new ones",
			"s:\n  - {key: A, d: x}\n  - {key: B, d: y}\n",
			"s:\n  - {key: B, d: y}\n  - {key: A, d: x2}\n",
			"s:\n  - {key: A, d: x}\n  - {key: B, d: y2}\n  - {key: C}\n",
			"s:\n  - {key: B, d: y2}\n  - {key: A, d: x2}\n  - {key: C}\n", nil},
		{"a strategy is one field",
			"local: {strategy: strip}\n",
			"local: {strategy: prompt, prompt: {label: L}}\n",
			"local: {strategy: generate, generator: {type: random}}\n",
			"local: {strategy: prompt, prompt: {label: L}}\n", []string{"local"}},
		{"add/add without a base", "", "a: 1\nb: 2\n", "a: 1\nc: 3\n", "a: 1\nb: 2\nc: 3\n", nil},
		{"lists without identity are one value", "l: [{x: 1}]\n", "l: [{x: 2}]\n", "l: [{x: 3}]\n", "l: [{x: 2}]\n", []string{"l"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, conflicts := mergeYAML(t, tt.base, tt.ours, tt.theirs)
			var want yaml.Node
			require.NoError(t, yaml.Unmarshal([]byte(tt.want), &want))
			wantText, err := yaml.Marshal(want.Content[0])
			require.NoError(t, err)
			var gotNode yaml.Node
			require.NoError(t, yaml.Unmarshal([]byte(got), &gotNode))
			assert.True(t, sameNode(want.Content[0], gotNode.Content[0]), "got\n%s\nwant\n%s", got, wantText)
			assert.Equal(t, tt.conflicts, conflicts)
		})
	}
}

func FuzzMerger(f *testing.F) {
	f.Add("a: 1\n", "a: 2\n", "b: 3\n")
	f.Add("s: [{key: A}]\n", "s: [{key: A, x: 1}]\n", "s: [{key: B}]\n")
	f.Add("t: [a, b]\n", "t: [b]\n", "t: [a, b, c]\n")
	f.Fuzz(func(t *testing.T, base, ours, theirs string) {
		var roots [3]*yaml.Node
		for i, s := range []string{base, ours, theirs} {
			var doc yaml.Node
			if yaml.Unmarshal([]byte(s), &doc) != nil || len(doc.Content) == 0 {
				return
			}
			roots[i] = doc.Content[0]
		}
		m := &merger{}
		out := m.merge(roots[0], roots[1], roots[2], "", nil)
		if len(m.conflicts) == 0 && sameNode(roots[1], roots[2]) && !sameNode(out, roots[1]) {
			t.Fatalf("equal sides did not merge to themselves")
		}
	})
}
