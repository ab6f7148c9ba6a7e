// Command genledger appends a synthetic ledger history to a store, for the
// ledger benchmarks: -events ledger commits (an issue, then rotations of
// every secret) spread over -deployments deployments of one scenario on one
// tier. Events are real: SOPS-encrypted with the store's creation rules,
// keyed fingerprints, one commit each with the ledger trailers. Values are
// random hex, not what the scenario's generators would make.
//
//	go run ./internal/cmds/genledger -store DIR -events 10000 -deployments 100
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/secretsctl/secretsctl/internal/ledger"
	"github.com/secretsctl/secretsctl/store"
)

func main() {
	dir := flag.String("store", ".", "store directory")
	events := flag.Int("events", 10000, "ledger commits to add")
	deployments := flag.Int("deployments", 100, "deployments to spread them over")
	scenario := flag.String("scenario", "picker-wheel", "scenario")
	tier := flag.String("tier", "tier-4-saas", "canonical tier id")
	secrets := flag.Int("secrets", 4, "secrets per deployment")
	flag.Parse()
	if err := generate(*dir, *scenario, *tier, *events, *deployments, *secrets); err != nil {
		fmt.Fprintln(os.Stderr, "genledger:", err)
		os.Exit(1)
	}
}

func generate(dir, scenario, tier string, events, deployments, secrets int) error {
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		return err
	}
	key := make([]byte, 32)
	rand.Read(key)
	seq := make([]int, deployments)
	prev := make([][]string, deployments)
	start := time.Now()
	for i := range events {
		d := i % deployments
		ev := &store.LedgerEvent{Version: 1, Kind: store.LedgerEventKind, Event: store.EventIssue, Scenario: scenario,
			Deployment: fmt.Sprintf("gen-%05d", d), Tier: tier, PlanRevision: "0000000000000000000000000000000000000000",
			Time: time.Now().UTC().Truncate(time.Millisecond)}
		if seq[d] > 0 {
			ev.Event = store.EventRotate
		}
		var fps []string
		for s := range secrets {
			v := make([]byte, 24)
			rand.Read(v)
			id := fmt.Sprintf("%s/GEN_SECRET_%d", scenario, s)
			if s == 0 {
				id = scenario + "/SESSION_SECRET"
			}
			fp := ledger.Fingerprint(key, hex.EncodeToString(v))
			ev.Secrets = append(ev.Secrets, store.LedgerEntry{SecretID: id, Generator: &store.Generator{Type: "hex", Bytes: 24},
				Fingerprint: fp, Status: store.StatusActive, Value: store.SecretValue(hex.EncodeToString(v))})
			if seq[d] > 0 {
				ev.Secrets = append(ev.Secrets, store.LedgerEntry{SecretID: id, Fingerprint: prev[d][s], Status: store.StatusPrevious})
			}
			fps = append(fps, fp)
		}
		prev[d], seq[d] = fps, seq[d]+1
		file := fmt.Sprintf("%s/%06d-%s-gen%05d.yaml", store.LedgerPath(scenario, ev.Deployment), seq[d], ev.Event, i%100000)
		docs := map[string]any{file: ev}
		if i == 0 {
			docs[store.FingerprintKeyFile] = store.FingerprintKeyDocument(hex.EncodeToString(key))
		}
		_, _, err := st.Commit(context.Background(), store.Change{Documents: docs,
			Message: store.Message{Subject: ev.Event + ": " + scenario + "/" + ev.Deployment + " on " + tier, Action: ev.Event,
				Scenarios: []string{scenario}, Tiers: []string{tier}, Deployment: ev.Deployment, Event: file},
			Author: store.Author{Name: "genledger", Email: "genledger@example.com"}})
		if err != nil {
			return err
		}
		if (i+1)%1000 == 0 {
			fmt.Fprintf(os.Stderr, "genledger: %d events, %s\n", i+1, time.Since(start).Round(time.Second))
		}
	}
	return nil
}
