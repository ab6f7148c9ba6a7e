// Package sopsfile encrypts and decrypts whole YAML documents with age keys,
// in the format of the [sops] CLI v3.13.3, so that files it writes open with
// `sops decrypt` and files `sops encrypt` writes open here.
//
// It is the only package of secretsctl that imports sops. The sops Go library
// promises a stable API only for its decrypt package, so this package pins
// github.com/getsops/sops/v3 at v3.13.3 and keeps every use of its internals
// (sops.Tree, stores/yaml, aes, age, shamir) behind the small API below, with
// round-trip and CLI interop tests.
//
// # Format
//
// A SOPS YAML document keeps every key in clear and replaces each selected
// scalar value with an ENC[AES256_GCM,data:…,iv:…,tag:…,type:…] string,
// encrypted with a random 256-bit data key; the value's key path ("a:b:") is
// the AEAD's additional data, so a value cannot be moved to another key. A
// top-level `sops` mapping holds the data key encrypted to each age recipient,
// the [Rule] options that chose which values are encrypted, the sops version,
// lastmodified, and the MAC: a SHA-512 over every value in document order
// (only the encrypted ones when mac_only_encrypted is set), encrypted with the
// data key using lastmodified as additional data. Values left in clear by
// encrypted_regex and friends are therefore still tamper-evident.
//
// The MAC hashes values only. Nothing authenticates the key names of clear
// values, comments, the YAML type of clear values (8080 versus "8080"), the
// type tag of encrypted values, or keys whose value is null or "": such
// edits pass both [Decrypt] and `sops decrypt`. Key names of encrypted
// values are bound by the AEAD.
//
// # Keys
//
// [Encrypt] needs only public age recipients, so a job without any private
// key can create files. [Decrypt] needs a [Keyring]: the age identities are
// loaded once by [LoadKeyring] from the same places sops looks and are then
// applied to each file's age master keys, instead of letting every file reload
// environment variables, files and commands.
//
// # Nodes
//
// [Decrypt] goes through sops' own tree, which is exact but slow: sops
// compiles the rule regex again for every key of every value's path and
// re-encodes every value on output. [DecryptNode] parses the file once with
// gopkg.in/yaml.v3 (the parser of sops' YAML store, under its old import
// path), decrypts and verifies it following sops' rules, compiling each rule
// once, and returns the yaml.Node tree with the file's line numbers, for
// callers that decode the node themselves. [CleartextNode] is [Cleartext]
// as a node. Tests check both against Decrypt and the sops CLI.
//
// # Errors
//
// Errors never contain a plaintext value (nor a MAC, which is a hash of the
// plaintext). Callers tell failures apart with errors.Is(err, [ErrNoKey]) and
// errors.As with [*IntegrityError] or [*FormatError], and add the file name,
// which this package does not know.
//
// [sops]: https://github.com/getsops/sops
package sopsfile
