package sopsfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// test that a credential with runs of whitespace or newlines is cut out
// whether the message holds it as it is or with its whitespace collapsed.
func TestSafeReasonRedactsMultiLineCredentials(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	cred := "{\n  \"private_key\":  \"k3y-not-real\"\n}"
	t.Setenv("GOOGLE_CREDENTIALS", cred)
	got := safeReason(errors.New("bad credentials " + cred + " end"))
	assert.Equal(t, "bad credentials [redacted] end", got)
	got = safeReason(errors.New("bad credentials " + strings.Join(strings.Fields(cred), " ") + " end"))
	assert.Equal(t, "bad credentials [redacted] end", got)
}

// test that the token sops reads from ~/.vault-token when VAULT_TOKEN is
// unset is cut out too.
func TestSafeReasonRedactsVaultTokenFile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("VAULT_TOKEN", "")
	require.NoError(t, os.WriteFile(filepath.Join(home, ".vault-token"), []byte("hvs.from-the-token-file\n"), 0o600))
	got := safeReason(errors.New("permission denied for hvs.from-the-token-file"))
	assert.Equal(t, "permission denied for [redacted]", got)
}

// test that a long message is cut at a rune boundary, so the reason stays
// valid UTF-8.
func TestSafeReasonCutsAtRuneBoundary(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	msg := strings.Repeat("a", maxReasonSize-1) + strings.Repeat("é", 10)
	got := safeReason(errors.New(msg))
	assert.True(t, utf8.ValidString(got), "valid UTF-8")
	assert.Equal(t, strings.Repeat("a", maxReasonSize-1)+"…", got)
	assert.Equal(t, "short", safeReason(errors.New("short")))
}
