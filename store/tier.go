package store

import (
	"fmt"
	"slices"
	"strings"
)

// Canonical ids of the built-in tiers.
const (
	TierLocal      = "tier-1-local"
	TierDesktop    = "tier-2-desktop"
	TierMobile     = "tier-3-mobile"
	TierSaaS       = "tier-4-saas"
	TierEnterprise = "tier-5-enterprise"
)

// A Tier is one deployment target in the store's catalogue.
type Tier struct {
	// ID is the canonical id, such as "tier-2-desktop".
	ID string `json:"id"`
	// Name is a short human name, such as "Desktop".
	Name string `json:"name,omitempty"`
	// Aliases are other names accepted wherever a tier is named.
	Aliases []string `json:"aliases,omitempty"`
	// ShipsToEndUsers marks tiers whose artifacts reach end users' devices:
	// infrastructure secrets may only be stripped or delegated there.
	ShipsToEndUsers bool `json:"ships_to_end_users"`
}

// BuiltinTiers returns the five tiers every store knows.
func BuiltinTiers() []Tier {
	return []Tier{
		{ID: TierLocal, Name: "Local", Aliases: []string{"local", "1"}},
		{ID: TierDesktop, Name: "Desktop", Aliases: []string{"desktop", "2"}, ShipsToEndUsers: true},
		{ID: TierMobile, Name: "Mobile", Aliases: []string{"mobile", "3"}, ShipsToEndUsers: true},
		{ID: TierSaaS, Name: "SaaS", Aliases: []string{"saas", "cloud", "4"}},
		{ID: TierEnterprise, Name: "Enterprise", Aliases: []string{"enterprise", "5"}},
	}
}

// A TierCatalog resolves tier names and aliases to tiers.
type TierCatalog struct {
	tiers  []Tier
	byName map[string]int
}

// NewTierCatalog merges the built-in tiers with the tiers a store config
// declares: a declared tier with a built-in id changes that tier, any other
// is added. Names and aliases must be unique.
func NewTierCatalog(declared []TierSpec) (*TierCatalog, error) {
	tiers := BuiltinTiers()
	for _, d := range declared {
		i := slices.IndexFunc(tiers, func(t Tier) bool { return t.ID == d.ID })
		if i < 0 {
			tiers = append(tiers, Tier{ID: d.ID})
			i = len(tiers) - 1
		}
		t := &tiers[i]
		if d.Name != "" {
			t.Name = d.Name
		}
		if d.Aliases != nil {
			t.Aliases = d.Aliases
		}
		if d.ShipsToEndUsers != nil {
			t.ShipsToEndUsers = *d.ShipsToEndUsers
		}
	}
	c := &TierCatalog{tiers: tiers, byName: map[string]int{}}
	for i, t := range tiers {
		for _, name := range append([]string{t.ID}, t.Aliases...) {
			key := strings.ToLower(name)
			if j, dup := c.byName[key]; dup && j != i {
				return nil, fmt.Errorf("tier name %q is used by both %s and %s", name, tiers[j].ID, t.ID)
			}
			c.byName[key] = i
		}
	}
	return c, nil
}

// Tiers returns every tier in catalogue order.
func (c *TierCatalog) Tiers() []Tier { return slices.Clone(c.tiers) }

// IDs returns the canonical ids in catalogue order.
func (c *TierCatalog) IDs() []string {
	ids := make([]string, len(c.tiers))
	for i, t := range c.tiers {
		ids[i] = t.ID
	}
	return ids
}

// Resolve returns the tier named by an id or an alias, case-insensitively.
// An unknown name is an [*UnknownTierError] listing the valid ones.
func (c *TierCatalog) Resolve(name string) (Tier, error) {
	if i, ok := c.byName[strings.ToLower(strings.TrimSpace(name))]; ok {
		return c.tiers[i], nil
	}
	return Tier{}, &UnknownTierError{Name: name, Valid: c.Describe()}
}

// Describe lists the tiers as "tier-2-desktop (desktop, 2)" lines' items.
func (c *TierCatalog) Describe() []string {
	out := make([]string, len(c.tiers))
	for i, t := range c.tiers {
		out[i] = t.ID
		if len(t.Aliases) > 0 {
			out[i] += " (" + strings.Join(t.Aliases, ", ") + ")"
		}
	}
	return out
}

// UnknownTierError reports a tier name that is neither an id nor an alias.
type UnknownTierError struct {
	Name  string
	Valid []string
}

func (e *UnknownTierError) Error() string {
	return fmt.Sprintf("unknown tier %q; valid tiers: %s", e.Name, strings.Join(e.Valid, ", "))
}
