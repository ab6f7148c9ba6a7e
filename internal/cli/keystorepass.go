package cli

// keystorePassphraseEnv names the variable whose value, when set, encrypts
// the keystore's file fallback with a passphrase (age's scrypt recipient)
// instead of the identity file kept next to it. A passphrase never comes
// from argv, where other users can read it.
const keystorePassphraseEnv = "SECRETSCTL_KEYSTORE_PASSPHRASE"

// keystorePassphrase returns the keystore's passphrase source, nil when
// the variable is unset or empty (the identity file then applies).
func keystorePassphrase(e *env) func() ([]byte, error) {
	if e.getenv(keystorePassphraseEnv) == "" {
		return nil
	}
	return func() ([]byte, error) { return []byte(e.getenv(keystorePassphraseEnv)), nil }
}
