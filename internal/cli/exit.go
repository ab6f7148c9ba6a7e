package cli

import (
	"errors"
	"strings"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/hooks/keystore"
	"github.com/secretsctl/secretsctl/hooks/prompt"
	"github.com/secretsctl/secretsctl/internal/bundlescan"
	"github.com/secretsctl/secretsctl/internal/ledger"
	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/resolve"
	"github.com/secretsctl/secretsctl/store"
)

// Exit codes. secretsctl help exit-codes prints them; every command's help
// points there.
const (
	ExitOK          = 0  // success
	ExitError       = 1  // unexpected failure: I/O, git, a bug
	ExitUsage       = 2  // bad flag or argument, unknown tier or format
	ExitNotFound    = 3  // no such store, scenario, resource or revision; a required secret no source has
	ExitInvalid     = 4  // a document is malformed, violates its schema or references something missing; a bundle's archive is refused
	ExitIntegrity   = 5  // a document's SOPS MAC or ciphertext does not verify: it was changed without the key
	ExitNoKey       = 6  // a private key is needed and none configured can decrypt
	ExitCheckFailed = 10 // a check ran and found problems (lint errors, secrets in a bundle, a plan with a blocking secret)
)

// ExitCodes lists the exit codes with their meaning, for help and docs.
var ExitCodes = []struct {
	Code    int
	Meaning string
}{
	{ExitOK, "success"},
	{ExitError, "unexpected failure (I/O, git, a bug)"},
	{ExitUsage, "bad flag or argument, unknown tier or format"},
	{ExitNotFound, "no such store, scenario, resource or revision; a required secret no source has"},
	{ExitInvalid, "a document is malformed, violates its schema or references something missing; an archive in a bundle is malformed or refused"},
	{ExitIntegrity, "integrity failure: a document was changed without the key (SOPS MAC or seal mismatch)"},
	{ExitNoKey, "no configured age key can decrypt the store"},
	{ExitCheckFailed, "a check found problems (lint errors, secrets in a bundle, a plan with a blocking secret)"},
}

func exitCode(err error) int {
	var (
		usage     usageError
		unknown   *store.UnknownTierError
		notFound  *store.NotFoundError
		doc       *store.DocumentError
		integrity *store.IntegrityError
		key       *store.KeyError
		shipped   *plan.NotShippedError
		check     checkFailed
		invalid   *prompt.InvalidError
		archive   *bundlescan.ArchiveError
		exitErr   ucli.ExitCoder
		missing   *resolve.MissingError
		badID     *resolve.InvalidIDError
		badValue  *resolve.InvalidValueError
	)
	switch {
	case errors.As(err, &check):
		return ExitCheckFailed
	case errors.As(err, &usage), errors.As(err, &unknown), errors.As(err, &shipped),
		errors.As(err, &invalid), errors.Is(err, prompt.ErrNoInput), errors.As(err, &badID), errors.As(err, &badValue):
		return ExitUsage
	case errors.As(err, &integrity):
		return ExitIntegrity
	case errors.As(err, &key):
		return ExitNoKey
	case errors.As(err, &doc), errors.As(err, &archive):
		return ExitInvalid
	case errors.As(err, &notFound), errors.As(err, &missing):
		return ExitNotFound
	case errors.As(err, &exitErr):
		return exitErr.ExitCode()
	}
	if strings.HasPrefix(err.Error(), "flag provided but not defined") || strings.Contains(err.Error(), "Required flag") {
		return ExitUsage
	}
	return ExitError
}

func hint(err error) string {
	var key *store.KeyError
	var integrity *store.IntegrityError
	var keychain *keystore.KeychainError
	var forged *ledger.ForgedEventError
	switch {
	case errors.As(err, &forged):
		return "an event was written without the fingerprint key, so its values cannot be trusted: find who added it (git log --format=fuller -- " + forged.File + ") and revert that commit; nothing was rendered"
	case errors.As(err, &keychain):
		return "unlock the keychain (on Linux: the login keyring of the Secret Service) and run the command again, or pass --keystore file to keep these secrets in an age-encrypted file instead"
	case errors.As(err, &key):
		return "configure an age identity with SOPS_AGE_KEY_FILE, SOPS_AGE_KEY or SOPS_AGE_KEY_CMD (or what the document's other keys need, as for sops: VAULT_ADDR/VAULT_TOKEN, GNUPGHOME, cloud credentials), or pass --allow-unverified to read metadata without verifying it"
	case errors.As(err, &integrity) && integrity.Plaintext:
		return "seal the document: secretsctl seal " + integrity.File
	case errors.As(err, &integrity):
		return "the file changed without the SOPS key; restore it from git history (git log -p -- " + integrity.File + ") or re-encrypt it with sops after review"
	}
	return ""
}
