package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

// TestLedgerEventsMetadataOnEveryCore: reading many events at once (on
// several cores, each through a git storage of its own) gives the same
// events, in the same order, as reading them one by one, and still
// refuses an event filed in the wrong folder.
func TestLedgerEventsMetadataOnEveryCore(t *testing.T) {
	defer store.SetParallelReadMin(1)()
	dir := storetest.NewExample(t)
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	docs := map[string]any{}
	for i := range 24 {
		d := fmt.Sprintf("dep-%d", i%5)
		file := fmt.Sprintf("deployments/picker-wheel/%s/%06d-issue-00000000.yaml", d, i)
		docs[file] = &store.LedgerEvent{Version: 1, Kind: store.LedgerEventKind, Event: store.EventIssue, Scenario: "picker-wheel",
			Deployment: d, Tier: "tier-4-saas", PlanRevision: "0123", Time: time.Date(2026, 1, 2, 3, 4, i, 0, time.UTC),
			Secrets: []store.LedgerEntry{{SecretID: "picker-wheel/SESSION_SECRET", Fingerprint: "hmac-sha256:" + strings.Repeat("ab", 32),
				Status: store.StatusActive, Value: store.SecretValue(fmt.Sprint("parallel-value-", i))}}}
	}
	_, ok, err := st.Commit(context.Background(), store.Change{Documents: docs,
		Message: store.Message{Subject: "issue", Action: "issue"}})
	require.NoError(t, err)
	require.True(t, ok)

	sn, err := st.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	files, err := sn.LedgerFiles()
	require.NoError(t, err)
	require.Len(t, files, 24)
	got, err := sn.LedgerEventsMetadata(files)
	require.NoError(t, err)
	for i, f := range files {
		want, err := sn.LedgerEventMetadata(f)
		require.NoError(t, err)
		require.Equal(t, want, got[i], f.Path)
		require.Equal(t, f.Deployment, got[i].Deployment)
		require.Empty(t, string(got[i].Secrets[0].Value), "metadata never carries a value")
	}

	misfiled := append(files[:len(files):len(files)], store.LedgerFile{Scenario: "picker-wheel", Deployment: "other", Path: files[0].Path})
	_, err = sn.LedgerEventsMetadata(misfiled)
	require.ErrorContains(t, err, "not a ledger event of picker-wheel/other")
}
