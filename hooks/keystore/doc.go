// Package keystore keeps the secrets a user typed into an app in the
// platform's secure store, keyed by the app's name and each secret's stable
// id (such as "openrouter/OPENROUTER_API_KEY"), so a rebuilt bundle finds
// what the user stored.
//
// # Backends
//
// The OS keychain comes first, through [github.com/zalando/go-keyring]: the
// macOS Keychain, the Windows Credential Manager, and the freedesktop Secret
// Service on Linux and the BSDs (GNOME Keyring, KWallet, KeePassXC). Items
// are stored under the service name "secretsctl:APP" with the secret id as
// the account; one more item, account "#ids", lists the ids so that
// [Store.List] needs no platform search API.
//
// When no keychain exists — on Linux, no session bus, or a session bus that
// no Secret Service answers on — the store falls back to one age-encrypted
// file per app, APP.age, in the user's config directory
// (os.UserConfigDir()/secretsctl/keystore), mode 0600 in a 0700 directory.
// It is encrypted to an age X25519 identity kept next to it (identity.txt,
// 0600, created on first use) or, when [Options.Passphrase] is set, with a
// passphrase (age's scrypt recipient).
//
// # What the file fallback protects, and what not
//
// Without a passphrase, the identity that decrypts APP.age sits next to it
// with the same permissions. The encryption then adds nothing to the
// file's mode: the secrets are safe from other users of the machine (who
// cannot read a 0600 file) and from whoever gets APP.age alone, but not
// from anyone or anything that reads the user's files — a program running
// as the user, root, a backup or a copy of the config directory, a stolen
// disk without full-disk encryption. Anyone who can write the directory
// can also replace the file with one of their own (the X25519 recipient is
// public), so it is not authenticated against a local writer either.
//
// With a passphrase ([Options.Passphrase]; `secretsctl prompt` reads it
// from SECRETSCTL_KEYSTORE_PASSPHRASE, never from its arguments) there is
// no identity file: a copy of the directory, a backup or a stolen disk
// does not reveal the secrets without the passphrase, and a file replaced
// without it fails to decrypt. A weak passphrase can still be guessed
// offline (scrypt, age's default work factor, makes each guess cost about
// a second of CPU and 256 MiB); and a program running as the user while
// the passphrase is in its environment, a keylogger or root can read it
// and the secrets. A file written with a passphrase cannot be read
// without one ([ErrPassphraseRequired]), nor a file written with the
// identity file by a passphrase.
//
// Where a keychain exists it is used instead: the OS keeps its items
// encrypted under the user's login (and on macOS limits which programs may
// read them without asking).
//
// A keychain that exists but fails — locked, an unlock prompt dismissed or
// timed out, a bus that does not answer — is an error ([KeychainError]),
// never a reason to fall back: a user who has a keychain expects their
// secrets in it, and a silent fallback would scatter them.
//
// # Values
//
// Values are bytes and come back byte for byte, multi-line PEM keys
// included. The Windows Credential Manager limits a value to 2,560 bytes
// and the macOS Keychain to about 3,000; larger values fail with an error
// rather than being cut.
//
// # Concurrency
//
// Writers of the file fallback are serialised with a lock file. The
// keychain's id list is read, changed and written back without a lock:
// two processes adding ids to one app at the same instant may lose one
// entry from the list (not the secret itself).
package keystore
