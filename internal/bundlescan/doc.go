// Package bundlescan proves that no secret ships in a desktop or mobile
// bundle (SPEC §9): [Scan] looks for every byte of each [Secret]'s value, in
// every [Encodings] form, in a directory or file and inside the archives it
// holds, and for rendered env and config files that set a stripped secret's
// name. `secretsctl verify-bundle` and `secretsctl issue` call it.
//
// The package is internal: bundlers run `secretsctl verify-bundle`, whose
// flags, output formats and exit codes are the stable contract, rather than
// import a Go API we would have to keep stable; it can move to a public
// package when a bundler needs it in-process.
//
// # Encodings
//
// A value is looked for raw; as base64 and base64url, padded or not, at any
// of the three alignments (the characters whose bits come only from the
// value, so the bytes around it in the encoded stream do not matter); as hex
// in lower and upper case; URL-encoded (query, path and every-byte forms);
// JSON-escaped (with and without HTML escaping and "\/"); and
// quoted-printable. Values shorter than [MinValueLen] bytes are reported as
// unscannable.
//
// # Archives
//
// Archives are recognised by their first bytes, not their names: zip (so
// .jar, .apk, .ipa, .aab), tar, gzip (so .tar.gz and .tgz) and Electron
// .asar, nested to any depth up to [Limits]. Entries are scanned as streams
// and never extracted; only a nested zip larger than 8 MiB is copied to a
// temporary file (zip needs random access), removed as soon as it is read.
// An entry whose path is absolute or climbs out with "..", an archive over a
// limit (a zip bomb) or a malformed one stops the scan with an
// [*ArchiveError].
//
// # Matching
//
// Files are read in fixed-size reads (64 KiB by default) with the last
// bytes of each read carried into the next, so a value across a read
// boundary is found and memory stays flat whatever the bundle's size. Files
// are scanned in parallel, and large plain files in 32 MiB segments.
//
// # Limitations
//
// Bytes outside archive entries (zip comments and extra fields, tar header
// names) are not scanned; a value split by line wrapping (base64 in PEM or
// MIME, quoted-printable soft line breaks) is found only when a
// wrapped-away part is at least 8 bytes long in the first line; compressed
// data other than zip and gzip (brotli, xz, zstd, images) is scanned as is.
//
// Findings never hold the value or any part of it, and [Secret] redacts it
// when printed.
package bundlescan
