package store

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/secretsctl/secretsctl/store/internal/sopsfile"
)

// conflictDocument is the merged document (ours where they conflict) with
// a comment naming each conflicting field and their versions under
// ConflictKey, encrypted like the document.
func (s *Store) conflictDocument(rel string, merged *yaml.Node, conflicts []mergeConflict, prev *sopsfile.Previous) (*MergeResult, error) {
	res := &MergeResult{}
	theirs := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	fields := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	lines := []string{
		fmt.Sprintf("secretsctl merge conflict in %s: both sides changed these fields differently.", rel),
		"Our version is in place; theirs is under " + ConflictKey + ".theirs at the same path.",
		"Resolve with `secretsctl edit " + rel + "`: keep one version of each field, delete " + ConflictKey + ", save.",
	}
	for _, c := range conflicts {
		res.Conflicts = append(res.Conflicts, c.Field)
		lines = append(lines, "  "+c.Field+conflictNote(c))
		fields.Content = append(fields.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: c.Field})
		if c.Theirs != nil && len(c.Path) > 0 {
			placeAt(theirs, c.Path, c.Theirs)
		}
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: append([]*yaml.Node{}, merged.Content...)}
	out.Content = append(out.Content, strNode(ConflictKey), &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map",
		Content: []*yaml.Node{strNode("fields"), fields, strNode("theirs"), theirs}})
	out.HeadComment = "# " + strings.Join(lines, "\n# ")
	plain, err := yaml.Marshal(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{out}})
	if err != nil {
		return nil, fmt.Errorf("encode conflict document %s: %w", rel, err)
	}
	if res.Document, err = s.encryptPlain(rel, plain, prev); err != nil {
		return nil, err
	}
	return res, nil
}

func conflictNote(c mergeConflict) string {
	switch {
	case c.Path == nil:
		return ""
	case c.Ours == nil:
		return " (we deleted it, they changed it)"
	case c.Theirs == nil:
		return " (we changed it, they deleted it)"
	}
	return ""
}

func strNode(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

// placeAt puts value at path in a tree of mappings (and sequences of
// identified items), creating what is missing.
func placeAt(root *yaml.Node, path []mergeStep, value *yaml.Node) {
	cur := root
	for i, step := range path {
		last := i == len(path)-1
		if step.IDKey != "" {
			cur = itemIn(cur, step)
			if last {
				cur.Content = value.Content // the item itself, identity included
			}
			continue
		}
		next := mapGet(cur, step.Key)
		if last {
			if next == nil {
				cur.Content = append(cur.Content, strNode(step.Key), value)
			}
			return
		}
		if next == nil {
			next = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			if path[i+1].IDKey != "" {
				next = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			}
			cur.Content = append(cur.Content, strNode(step.Key), next)
		}
		cur = next
	}
}

// itemIn returns the item of a sequence with the step's identity, adding a
// mapping holding only the identity when there is none.
func itemIn(seq *yaml.Node, step mergeStep) *yaml.Node {
	if item := itemGet(seq, step.IDKey, step.Key); item != nil {
		return item
	}
	item := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{strNode(step.IDKey), strNode(step.Key)}}
	seq.Content = append(seq.Content, item)
	return item
}
