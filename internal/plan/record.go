package plan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/secretsctl/secretsctl/store"
)

// RecordChange computes the change that records the plans of pairs at the
// snapshot's revision under plans/: every plan whose recorded form differs
// from what is there, and, with prune, the deletion of recorded plans no
// pair produces any more (a scenario removed, a tier no longer shipped).
// The change is empty (no Files, no Delete) when the records are current.
// It is meant to be committed on sn.Revision (its Parent is set).
func RecordChange(ctx context.Context, sn *store.Snapshot, pairs []Pair, prune bool) (store.Change, error) {
	ch := store.Change{Files: map[string][]byte{}, Parent: sn.Revision,
		Message: store.Message{Action: "plan-record"}}
	err := Each(ctx, sn, pairs, func(m *store.Manifest) error {
		data, err := Recorded(m)
		if err != nil {
			return err
		}
		path := RecordPath(m.Scenario, m.TierID)
		old, err := sn.ReadFile(path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if !bytes.Equal(old, data) {
			ch.Files[path] = data
			ch.Message.Scenarios = appendNew(ch.Message.Scenarios, m.Scenario)
			ch.Message.Tiers = appendNew(ch.Message.Tiers, m.TierID)
		}
		return nil
	})
	if err != nil {
		return store.Change{}, err
	}
	if prune {
		if ch.Delete, err = stale(sn, pairs); err != nil {
			return store.Change{}, err
		}
	}
	ch.Message.Subject = recordSubject(ch)
	return ch, nil
}

// stale lists recorded plans that no pair produces.
func stale(sn *store.Snapshot, pairs []Pair) ([]string, error) {
	current := map[string]bool{}
	for _, p := range pairs {
		current[RecordPath(p.Scenario, p.Tier)] = true
	}
	recorded, err := sn.Files("plans")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range recorded {
		if strings.HasSuffix(f, ".json") && !current[f] {
			out = append(out, f)
		}
	}
	return out, nil
}

func recordSubject(ch store.Change) string {
	msg := ch.Message
	switch len(ch.Files) {
	case 0:
		return "plan: remove stale recorded plans"
	case 1:
		return fmt.Sprintf("plan: record %s on %s", msg.Scenarios[0], msg.Tiers[0])
	}
	scenarios := "scenarios"
	if len(msg.Scenarios) == 1 {
		scenarios = "scenario"
	}
	return fmt.Sprintf("plan: record %d plans of %d %s", len(ch.Files), len(msg.Scenarios), scenarios)
}

func appendNew(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}
