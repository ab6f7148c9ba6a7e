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
// limit (a zip bomb), a zip whose entries overlap each other or its central
// directory (checked before anything is decompressed), a gzip member whose
// CRC-32 or size does not match, or a malformed archive stops the scan with
// an [*ArchiveError].
//
// Besides each entry's content, the archive's own bytes are scanned with the
// same matcher: headers, entry names, zip extra fields and comments, gzip
// header fields and trailers, tar PAX records and link names, padding,
// bytes after a tar's end marker or a gzip stream's last member, and bytes
// no index references (asar gaps, zip local entries the central directory
// leaves out, which are also decompressed and scanned). A finding there
// names the place: "app.zip!<comment>", "bundle.tgz!<trailing data>",
// "app.zip!/lib/a.so!<extra field>". Every gzip member is read to its end,
// so a second member is scanned too. Only the inside of an entry's content
// is skipped in this pass (its edges are scanned, so that a value across an
// entry's edge is found); a value that compressed data holds but its
// content does not (bytes after a deflate stream's end) is reported as
// "<compressed data>".
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
// A file is recognised as an archive by its first bytes only (a zip behind
// a self-extractor stub is scanned as plain bytes, its compressed entries
// not decompressed); bytes after a tar's end or a gzip stream are scanned
// raw, not as a nested archive; a value split by line wrapping (base64 in PEM or
// MIME, quoted-printable soft line breaks) is found only when a
// wrapped-away part is at least 8 bytes long in the first line; compressed
// data other than zip and gzip (brotli, xz, zstd, images) is scanned as is.
//
// Findings never hold the value or any part of it, and [Secret] redacts it
// when printed.
package bundlescan
