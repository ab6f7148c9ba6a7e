// Command genledger appends a synthetic ledger history to a store, for the
// ledger benchmarks: -events ledger commits (an issue, then rotations of
// every secret) spread over -deployments deployments of one scenario on one
// tier. Events are real: SOPS-encrypted with the store's creation rules,
// keyed fingerprints, one commit each with the ledger trailers, on the
// ledger branch (secretsctl/ledger), or with -legacy on the current branch
// as stores kept them before the ledger had a branch. Values are random hex, not what the scenario's
// generators would make. The commits are written by `git fast-import` (one
// pack, as after git gc); -legacy checks them out. Making 10,000 commits one at a
// time with fsyncs takes tens of minutes on a loaded machine.
//
//	go run ./internal/cmds/genledger -store DIR -events 10000 -deployments 100 [-legacy]
package main

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
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
	legacy := flag.Bool("legacy", false, "commit the events on the current branch, as stores did before the ledger had a branch")
	flag.Parse()
	if err := generate(*dir, *scenario, *tier, *events, *deployments, *secrets, *legacy); err != nil {
		fmt.Fprintln(os.Stderr, "genledger:", err)
		os.Exit(1)
	}
}

func generate(dir, scenario, tier string, events, deployments, secrets int, legacy bool) error {
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		return err
	}
	root := strings.TrimSuffix(st.Dir(), "/"+st.RepoDir())
	branch, err := gitOutput(root, "symbolic-ref", "HEAD")
	if err != nil {
		return err
	}
	head, err := gitOutput(root, "rev-parse", "HEAD")
	if err != nil {
		return err
	}
	from := head // the commit the first event follows
	if !legacy {
		branch = "refs/heads/" + store.DefaultLedgerBranch
		from, _ = gitOutput(root, "rev-parse", "--verify", "-q", branch) // none: a root commit
	}
	imp := exec.Command("git", "fast-import", "--quiet")
	imp.Dir, imp.Stderr = root, os.Stderr
	in, err := imp.StdinPipe()
	if err != nil {
		return err
	}
	if err := imp.Start(); err != nil {
		return err
	}
	w := bufio.NewWriter(in)
	if err := stream(w, st, branch, head, from, scenario, tier, events, deployments, secrets); err != nil {
		in.Close()
		imp.Wait()
		return err
	}
	if err := errors.Join(w.Flush(), in.Close(), imp.Wait()); err != nil {
		return fmt.Errorf("git fast-import: %w", err)
	}
	if legacy {
		_, err = gitOutput(root, "reset", "-q", "--hard")
	}
	return err
}

func gitOutput(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

// stream writes the fast-import commands of the history: events that
// follow the plan of commit head, on branch, the first one a child of from
// ("" for a root commit).
func stream(w *bufio.Writer, st *store.Store, branch, head, from, scenario, tier string, events, deployments, secrets int) error {
	key := make([]byte, 32)
	rand.Read(key)
	seq := make([]int, deployments)
	prev := make([][]string, deployments)
	start := time.Now()
	prefix := ""
	if st.RepoDir() != "" {
		prefix = st.RepoDir() + "/"
	}
	when := time.Now().Add(-time.Duration(events) * time.Second)
	for i := range events {
		d := i % deployments
		ev := &store.LedgerEvent{Version: 1, Kind: store.LedgerEventKind, Event: store.EventIssue, Scenario: scenario,
			Deployment: fmt.Sprintf("gen-%05d", d), Tier: tier, PlanRevision: head,
			Time: when.Add(time.Duration(i) * time.Second).UTC()}
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
		files := map[string]any{file: ev}
		if i == 0 {
			files[store.FingerprintKeyFile] = store.FingerprintKeyDocument(hex.EncodeToString(key))
		}
		msg := store.Message{Subject: ev.Event + ": " + scenario + "/" + ev.Deployment + " on " + tier, Action: ev.Event,
			Scenarios: []string{scenario}, Tiers: []string{tier}, Deployment: ev.Deployment, Event: file}.String()
		stamp := fmt.Sprintf("%d +0000", ev.Time.Unix())
		fmt.Fprintf(w, "commit %s\nauthor genledger <genledger@example.com> %s\ncommitter genledger <genledger@example.com> %s\ndata %d\n%s\n",
			branch, stamp, stamp, len(msg), msg)
		if i == 0 && from != "" {
			fmt.Fprintf(w, "from %s\n", from)
		}
		for rel, doc := range files {
			data, err := st.EncryptDocument(rel, doc)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "M 100644 inline %s%s\ndata %d\n%s\n", prefix, rel, len(data), data)
		}
		if (i+1)%1000 == 0 {
			fmt.Fprintf(os.Stderr, "genledger: %d events, %s\n", i+1, time.Since(start).Round(time.Second))
		}
	}
	return nil
}
