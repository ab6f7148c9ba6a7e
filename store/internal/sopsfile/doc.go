// Package sopsfile encrypts and decrypts whole YAML documents in the format
// of the [sops] CLI v3.13.3, with every master-key type sops knows (age,
// PGP, HashiCorp Vault transit, AWS KMS, GCP KMS, Azure Key Vault, Huawei
// Cloud KMS) and key groups with a Shamir threshold, so that files it
// writes open with `sops decrypt` and files `sops encrypt` writes open here.
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
// The MAC hashes values only, concatenated without separators. Nothing in
// the sops format authenticates the key names of clear values, key order
// (where values do not change place), comments, the YAML type of clear
// values (8080 versus "8080"), the type tag of encrypted values, keys whose
// value is null or "", or where one clear string ends and the next begins:
// such edits pass both [Decrypt] and `sops decrypt`. Key names of encrypted
// values are bound by the AEAD.
//
// # Seal
//
// [Encrypt] therefore seals every document it writes: it adds a top-level
// key secretsctl_seal holding "v1:<lastmodified>:<hex>", an HMAC under a key
// derived from the data key over a canonical encoding of the whole document
// (key names, order, structure, value types and values; not comments), and
// marks the IV of the encrypted MAC so that a reader can tell that Encrypt
// made the last encryption. [DecryptNodeInfo] then requires the seal to
// match, and reports through [Info] whether the document was sealed: a
// document another tool (sops edit, set, rotate) re-encrypted is unsealed,
// which is not an error. The seal is a plain string value, so `sops decrypt`
// and [Decrypt] show it, and sops keeps it through edits. seal.go defines
// the format. Like the MAC, the seal only binds a document to its data key:
// anyone with the public recipients can write a whole new document, with a
// new data key and a valid seal; what they cannot do without the key is
// change a document and keep its encrypted values.
//
// # Keys
//
// [ParseRules] reads a .sops.yaml and [Rules.For] resolves the creation rule
// of a path with sops' own config package, so the master keys, key groups
// and shamir_threshold of a [Rule] are sops' own. [Encrypt] encrypts the
// data key to them through sops' local key service (age and PGP need only
// public keys; Vault transit and the cloud KMS need their service and the
// credentials sops reads from the environment), splitting it with shamir
// across several groups. [Decrypt] needs a [Keyring]: the age identities
// are loaded once by [LoadKeyring] from the same places sops looks and are
// then applied to each file's age master keys, instead of letting every
// file reload environment variables, files and commands; every other key
// type is decrypted by sops' local key service, in sops' default order
// (age, then PGP, then the others). [Previous.UpdateKeys] re-encrypts a
// data key to new master keys, as `sops updatekeys` does.
//
// # Nodes
//
// [Decrypt] goes through sops' own tree, which is exact but slow: sops
// compiles the rule regex again for every key of every value's path and
// re-encodes every value on output. [DecryptNode] parses the file once with
// gopkg.in/yaml.v3 (the parser of sops' YAML store, under its old import
// path), decrypts and verifies it following sops' rules, compiling each rule
// once, checks the seal, and returns the yaml.Node tree with the file's line
// numbers, without the sops and seal keys, for callers that decode the node
// themselves. [CleartextNode] is [Cleartext] as a node. Tests check both
// against Decrypt and the sops CLI.
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
