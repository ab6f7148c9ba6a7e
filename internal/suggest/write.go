package suggest

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/secretsctl/secretsctl/store"
)

// Documents are the documents a change rewrites, by store-relative file,
// as *store.Resource or *store.Scenario (copies; the snapshot's are shared).
type Documents map[string]any

// Apply writes proposals into copies of their documents, each value
// marked with its rule.
func Apply(sn *store.Snapshot, proposals []Proposal) (Documents, error) {
	docs := Documents{}
	for _, p := range proposals {
		secrets, err := docs.secrets(sn, p.File)
		if err != nil {
			return nil, err
		}
		s, err := find(secrets, p)
		if err != nil {
			return nil, err
		}
		mark := &store.Suggestion{Rule: p.Rule, Because: p.Because}
		switch p.Field {
		case FieldClassification:
			s.Classification, s.ClassificationSuggested = p.Classification, mark
		case FieldStrategy:
			st := *p.Strategy
			st.Suggested = mark
			s.Strategies = maps.Clone(s.Strategies)
			if s.Strategies == nil {
				s.Strategies = map[string]store.Strategy{}
			}
			s.Strategies[p.Tier] = st
		}
	}
	return docs, nil
}

// Mark is one unreviewed suggestion in a document.
type Mark struct {
	// ID is <secret id>#classification or <secret id>@<tier>.
	ID     string `json:"id"`
	Secret string `json:"secret"`
	File   string `json:"file"`
	Rule   string `json:"rule"`
}

// Marks lists every unreviewed suggestion of the snapshot.
func Marks(sn *store.Snapshot) ([]Mark, error) {
	owners, err := owners(sn)
	if err != nil {
		return nil, err
	}
	var out []Mark
	for _, o := range owners {
		for _, s := range o.secrets {
			id := store.SecretID(o.name, s.Key)
			if s.ClassificationSuggested != nil {
				out = append(out, Mark{id + "#classification", id, o.file, s.ClassificationSuggested.Rule})
			}
			for _, tier := range slices.Sorted(maps.Keys(s.Strategies)) {
				if m := s.Strategies[tier].Suggested; m != nil {
					out = append(out, Mark{id + "@" + tier, id, o.file, m.Rule})
				}
			}
		}
	}
	return out, nil
}

// Accept removes the marks that selectors name — a mark's id, or a secret
// id for all of that secret's marks — or every mark when selectors is
// empty. A selector that names no mark is an error.
func Accept(sn *store.Snapshot, selectors []string) (Documents, []Mark, error) {
	marks, err := Marks(sn)
	if err != nil {
		return nil, nil, err
	}
	var chosen []Mark
	for _, sel := range selectors {
		n := len(chosen)
		for _, m := range marks {
			if m.ID == sel || m.Secret == sel {
				chosen = append(chosen, m)
			}
		}
		if len(chosen) == n {
			return nil, nil, &store.NotFoundError{Kind: "suggestion", Name: sel,
				Hint: "give a suggestion id (secret#classification, secret@tier) or a secret id; secretsctl lint lists the unreviewed ones"}
		}
	}
	if len(selectors) == 0 {
		chosen = marks
	}
	docs := Documents{}
	for _, m := range chosen {
		secrets, err := docs.secrets(sn, m.File)
		if err != nil {
			return nil, nil, err
		}
		s, _ := find(secrets, Proposal{Secret: m.Secret, File: m.File})
		unmark(s, m.ID)
	}
	return docs, chosen, nil
}

func unmark(s *store.Secret, id string) {
	if strings.HasSuffix(id, "#classification") {
		s.ClassificationSuggested = nil
		return
	}
	tier := id[strings.LastIndex(id, "@")+1:]
	s.Strategies = maps.Clone(s.Strategies)
	st := s.Strategies[tier]
	st.Suggested = nil
	s.Strategies[tier] = st
}

// secrets returns the secrets of file's copy in docs, copying the
// snapshot's document on first use.
func (d Documents) secrets(sn *store.Snapshot, file string) ([]store.Secret, error) {
	if doc, ok := d[file]; ok {
		return secretsOf(doc), nil
	}
	kind, rest, _ := strings.Cut(file, "/")
	name := strings.TrimSuffix(rest, ".yaml")
	switch kind {
	case "resources":
		res, err := sn.Resource(name)
		if err != nil {
			return nil, err
		}
		c := *res
		c.Secrets = slices.Clone(res.Secrets)
		d[file] = &c
		return c.Secrets, nil
	case "scenarios":
		sc, err := sn.Scenario(name)
		if err != nil {
			return nil, err
		}
		c := *sc
		c.Secrets = slices.Clone(sc.Secrets)
		d[file] = &c
		return c.Secrets, nil
	}
	return nil, fmt.Errorf("suggest: %s is not a resource or scenario document", file)
}

func secretsOf(doc any) []store.Secret {
	if r, ok := doc.(*store.Resource); ok {
		return r.Secrets
	}
	return doc.(*store.Scenario).Secrets
}

// find is the secret p is about, in secrets (a slice the document owns).
func find(secrets []store.Secret, p Proposal) (*store.Secret, error) {
	key := p.Secret[strings.LastIndex(p.Secret, "/")+1:]
	for i := range secrets {
		if secrets[i].Key == key {
			return &secrets[i], nil
		}
	}
	return nil, fmt.Errorf("suggest: %s declares no %s", p.File, key)
}
