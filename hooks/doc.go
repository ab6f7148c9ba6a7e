// Package hooks is the public SDK bundlers and app runtimes import to carry
// out a manifest's strategies: generators make the values of generated
// secrets, and targets and templates place them in a bundle.
//
// # Generators
//
// A [store.Generator] names one of a closed set of generators; its other
// fields are parameters. [Generators] lists every generator with the
// parameters it accepts, [ValidateGenerator] checks a generator without
// running it (secretsctl lint uses it), and [Generate] makes a value:
//
//	random       length (32), charset (alnum) or alphabet; rejection sampling, no modulo bias
//	password     length (24), classes (lower, upper, digits, symbols; all four by default)
//	hex          bytes (32) of randomness, hex encoded
//	base64       bytes (32) of randomness, standard base64 with padding
//	uuid         version v4 (default) or v7
//	jwt-secret   bytes (32, at least 32: a key of at least 256 bits), base64url without padding
//	keypair      algorithm ed25519 (default), ecdsa-p256 or rsa-3072; a PKCS #8 private key in PEM
//	tls-cert     hosts (required), valid_days (365), algorithm (ecdsa-p256): a self-signed
//	             certificate in PEM followed by its PKCS #8 private key in PEM
//	sqlite-path  path (required, relative) joined to [Options.DataDir]
//	derived      template (required): a text/template over the deployment's other values
//
// A random, password, hex or base64 generator must give at least
// [MinEntropyBits] (128) bits of entropy, length × log2(alphabet size) or
// bytes × 8 ([EntropyBits]); one under that is refused unless it declares
// weak: true, which secretsctl lint reports as a warning.
//
// All randomness comes from [Options.Rand], crypto/rand when it is nil. The
// one exception is rsa-3072: since Go 1.26 crypto/rsa always draws from the
// system's secure source (tests use testing/cryptotest.SetGlobalRandom).
//
// # Templates
//
// Templates are [text/template] with missing keys as errors. Their data is a
// map of the deployment's values by secret key (such as .POSTGRES_PASSWORD)
// and they may also call secret "resource/KEY" by secret id, deployment for
// the deployment id; a file target's template reads the value it renders as
// .Value.
// [TemplateRefs] lists what a template refers to.
//
// # Targets
//
// A [store.Target] says where a value lands in a bundle: env (a variable in
// an env file, .env unless a path is given), file (a path, a mode and a
// template) or config (a dotted key inside a JSON, YAML, dotenv or TOML
// file). Every path is relative to the output directory and stays inside it:
// absolute paths, .. and symbolic links that leave it are refused.
//
// # Bundles
//
// [CreateBundle] takes a manifest and a deployment id and makes every value
// generated at bundle time, reusing the values it is given so that issuing a
// deployment again renders the same bundle; [Bundle.WriteTo] writes the
// rendered files. Values never print: [Value] and [File] format as
// [redacted].
package hooks
