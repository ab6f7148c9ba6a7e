package store

import (
	"slices"

	"gopkg.in/yaml.v3"
)

// A mergeConflict is a field both sides changed, each differently.
type mergeConflict struct {
	Field  string      // such as "secrets[STRIPE_KEY].strategies.tier-2-desktop.strategy"
	Path   []mergeStep // where the field is, to rebuild it in the conflict document
	Theirs *yaml.Node  // their version, nil when they deleted it
	Ours   *yaml.Node  // our version, nil when we deleted it
}

// A mergeStep is one step of a field's path: a mapping key, or the item of
// a sequence whose mappings are identified by IDKey (key, name or id).
type mergeStep struct {
	Key   string
	IDKey string
}

// merger three-way merges YAML nodes by key path: mapping keys, sequence
// items identified by their key, name or id, and sets of scalars. A field
// changed on one side only takes that side's version; a field changed on
// both sides to different versions is a conflict and keeps ours.
type merger struct {
	conflicts []mergeConflict
}

// identityKeys are the fields that identify the mappings of a sequence:
// secrets by key, resources and sources by name, tiers by id.
var identityKeys = []string{"key", "name", "id"}

func (m *merger) merge(o, a, b *yaml.Node, field string, path []mergeStep) *yaml.Node {
	switch {
	case sameNode(a, b):
		return a
	case sameNode(o, a):
		return b
	case sameNode(o, b):
		return a
	case isKind(a, yaml.MappingNode) && isKind(b, yaml.MappingNode) && (o == nil || o.Kind == yaml.MappingNode) && !atomic(a) && !atomic(b):
		return m.mergeMaps(o, a, b, field, path)
	case isKind(a, yaml.SequenceNode) && isKind(b, yaml.SequenceNode) && (o == nil || o.Kind == yaml.SequenceNode):
		if id := identityKey(o, a, b); id != "" {
			return m.mergeKeyed(o, a, b, id, field, path)
		}
		if scalarSet(o) && scalarSet(a) && scalarSet(b) {
			return mergeSet(o, a, b)
		}
	}
	m.conflicts = append(m.conflicts, mergeConflict{Field: field, Path: slices.Clone(path), Theirs: b, Ours: a})
	return a
}

func (m *merger) mergeMaps(o, a, b *yaml.Node, field string, path []mergeStep) *yaml.Node {
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: a.Tag, Style: a.Style, HeadComment: a.HeadComment}
	for _, k := range unionKeys(a, b) {
		child := k.Value
		if field != "" {
			child = field + "." + k.Value
		}
		if r := m.merge(mapGet(o, k.Value), mapGet(a, k.Value), mapGet(b, k.Value), child, append(path, mergeStep{Key: k.Value})); r != nil {
			out.Content = append(out.Content, k, r)
		}
	}
	return out
}

func (m *merger) mergeKeyed(o, a, b *yaml.Node, id, field string, path []mergeStep) *yaml.Node {
	out := &yaml.Node{Kind: yaml.SequenceNode, Tag: a.Tag, Style: a.Style}
	for _, name := range unionIDs(id, a, b) {
		child := field + "[" + name + "]"
		if r := m.merge(itemGet(o, id, name), itemGet(a, id, name), itemGet(b, id, name), child, append(path, mergeStep{Key: name, IDKey: id})); r != nil {
			out.Content = append(out.Content, r)
		}
	}
	return out
}

// mergeSet merges sequences of distinct scalars as sets: ours, without what
// they removed, then what they added.
func mergeSet(o, a, b *yaml.Node) *yaml.Node {
	out := &yaml.Node{Kind: yaml.SequenceNode, Tag: a.Tag, Style: a.Style}
	for _, item := range a.Content {
		if !(containsScalar(o, item) && !containsScalar(b, item)) {
			out.Content = append(out.Content, item)
		}
	}
	for _, item := range b.Content {
		if !containsScalar(o, item) && !containsScalar(a, item) {
			out.Content = append(out.Content, item)
		}
	}
	return out
}

// atomic reports whether a mapping merges as one value: a strategy (its
// fields depend on its kind, so two sides' changes cannot be mixed).
func atomic(n *yaml.Node) bool { return isKind(mapGet(n, "strategy"), yaml.ScalarNode) }

func isKind(n *yaml.Node, k yaml.Kind) bool { return n != nil && n.Kind == k }

// sameNode is YAML equality: kinds, tags and values, mapping keys in any
// order; comments, styles and lines do not count.
func sameNode(x, y *yaml.Node) bool {
	if x == nil || y == nil {
		return x == y
	}
	if x.Kind != y.Kind || len(x.Content) != len(y.Content) {
		return false
	}
	switch x.Kind {
	case yaml.ScalarNode:
		return x.ShortTag() == y.ShortTag() && x.Value == y.Value
	case yaml.MappingNode:
		for i := 0; i+1 < len(x.Content); i += 2 {
			if !sameNode(x.Content[i+1], mapGet(y, x.Content[i].Value)) {
				return false
			}
		}
		return true
	}
	for i := range x.Content {
		if !sameNode(x.Content[i], y.Content[i]) {
			return false
		}
	}
	return true
}

func mapGet(n *yaml.Node, key string) *yaml.Node {
	if !isKind(n, yaml.MappingNode) {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// unionKeys lists the key nodes of a, then those only b has.
func unionKeys(a, b *yaml.Node) []*yaml.Node {
	var keys []*yaml.Node
	for i := 0; i+1 < len(a.Content); i += 2 {
		keys = append(keys, a.Content[i])
	}
	for i := 0; i+1 < len(b.Content); i += 2 {
		if mapGet(a, b.Content[i].Value) == nil {
			keys = append(keys, b.Content[i])
		}
	}
	return keys
}

// identityKey is the field that identifies every item of the sequences
// (each item a mapping with a distinct scalar value for it), or "".
func identityKey(seqs ...*yaml.Node) string {
	for _, id := range identityKeys {
		if slices.IndexFunc(seqs, func(s *yaml.Node) bool { return !identifiedBy(s, id) }) < 0 {
			return id
		}
	}
	return ""
}

func identifiedBy(seq *yaml.Node, id string) bool {
	if seq == nil {
		return true
	}
	seen := map[string]bool{}
	for _, item := range seq.Content {
		v := mapGet(item, id)
		if !isKind(v, yaml.ScalarNode) || seen[v.Value] {
			return false
		}
		seen[v.Value] = true
	}
	return true
}

func unionIDs(id string, a, b *yaml.Node) []string {
	var ids []string
	for _, s := range []*yaml.Node{a, b} {
		for _, item := range s.Content {
			if v := mapGet(item, id).Value; !slices.Contains(ids, v) {
				ids = append(ids, v)
			}
		}
	}
	return ids
}

func itemGet(seq *yaml.Node, id, name string) *yaml.Node {
	if seq == nil {
		return nil
	}
	for _, item := range seq.Content {
		if mapGet(item, id).Value == name {
			return item
		}
	}
	return nil
}

// scalarSet reports whether a sequence (or nothing) holds distinct scalars.
func scalarSet(seq *yaml.Node) bool {
	if seq == nil {
		return true
	}
	for i, item := range seq.Content {
		if item.Kind != yaml.ScalarNode || slices.ContainsFunc(seq.Content[:i], func(x *yaml.Node) bool { return sameNode(x, item) }) {
			return false
		}
	}
	return true
}

func containsScalar(seq, item *yaml.Node) bool {
	return seq != nil && slices.ContainsFunc(seq.Content, func(x *yaml.Node) bool { return sameNode(x, item) })
}
