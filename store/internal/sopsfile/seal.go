package sopsfile

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/getsops/sops/v3"
	"gopkg.in/yaml.v3"
)

// The secretsctl seal, format v1.
//
// The sops MAC hashes values only, concatenated without separators, so
// whoever can write a document without holding its data key can still
// rename or reorder keys, change the YAML type of a clear value, add keys
// with null or "" values, and move bytes between adjacent clear strings. The
// seal authenticates all of that. It lives in the document itself, as the
// top-level key secretsctl_seal, so that a sealed file stays a plain sops
// file, and it is bound to one encryption, so that a file re-encrypted by
// another tool (`sops edit`, `sops set`, `sops rotate`) is reported as
// unsealed instead of tampered with.
//
// # Writing
//
// [Encrypt] fixes lastmodified first: UTC, whole seconds (so that the time
// sops writes, the MAC's additional data and the seal agree), and the second
// before the current one (see Reading). With the new data key K it computes:
//
//	K_seal = HMAC-SHA256(key K, message "secretsctl seal v1")
//	K_mark = HMAC-SHA256(key K, message "secretsctl seal v1 mac iv")
//	R      = 24 random bytes
//	IV     = R || first 8 bytes of HMAC-SHA256(key K_mark, message R)
//	LM     = lastmodified formatted as time.RFC3339 ("2006-01-02T15:04:05Z")
//	D      = the document as DecryptNode will return it, without the seal
//	HEX    = lowercase hex of HMAC-SHA256(key K_seal, message
//	         bytes(LM) || bytes(IV) || node(D's top-level mapping))
//	seal   = "v1:" LM ":" HEX
//
// It adds secretsctl_seal: <seal> to the plaintext as the last top-level
// key (before trailing comments; replacing a secretsctl_seal the plaintext
// already has), encrypts the document, and encrypts the MAC with IV as its
// nonce (sops would pick a random one; IV is as random to anyone without K).
// The seal is a string value like any other: the sops MAC covers it, and the
// creation rule may encrypt it. D is obtained by encrypting a copy of the
// document with a placeholder seal of the same form and decrypting it with
// the walker of [DecryptNode], so that the writer hashes exactly what the
// reader will hash, whatever YAML round trip the values go through (3.0 in
// clear becomes the int 3, a comment line "#" in an encrypted sequence
// becomes an item "", and so on).
//
// # Canonical encoding
//
// bytes(b) is the length of b as a big-endian uint64 followed by b. node is a
// type-tagged, length-prefixed serialization in document order:
//
//	mapping of n pairs:  'm' uint64(n) then, per pair, scalar(key) node(value)
//	sequence of n items: 's' uint64(n) then node(item) per item
//	scalar:              'v' bytes(tag) bytes(value)
//
// where uint64 is big-endian, and a scalar's tag and value come from the
// value yaml.v3 decodes it to (what sops' YAML store gives it), normalised:
//
//	nil        !!null       ""
//	bool       !!bool       "true" or "false"
//	int        !!int        base 10
//	float64    !!int        base 10, when integral and in [-2^63, 2^63)
//	float64    !!float      strconv 'g' -1, or ".inf", "-.inf", ".nan"
//	time.Time  !!timestamp  UTC, time.RFC3339Nano
//	string     !!str        the string, if valid UTF-8
//	string     !!binary     the raw bytes, otherwise
//
// Integral floats count as ints because sops does not keep them apart: a
// clear 3.0 is written as 3 (an int), an encrypted one comes back as a
// float. Keys are strings (sops refuses others) and are encoded as string
// scalars. In the top-level mapping the secretsctl_seal pair is left out
// (and the sops pair, already removed). Comments, styles, anchors and line
// numbers are not encoded. Aliases are refused before.
//
// # Reading
//
// After the sops MAC verifies, [DecryptNodeInfo] looks at the MAC's IV. If
// its last 8 bytes are not the mark of its first 24 under this document's
// K_mark, the last encryption was not made by Encrypt (another tool, or an
// older secretsctl, re-encrypted the MAC with a random IV): the document is
// unsealed, whatever secretsctl_seal holds. If they are, the document must
// carry a well-formed seal whose LM is the document's lastmodified and whose
// HEX is recomputed over the decrypted document; anything else is an
// [*IntegrityError]. The IV is authenticated (GCM, under the data key), so
// the mark cannot be removed or forged without K, and a missing seal cannot
// pass for an unsealed document: the sops MAC alone would let anyone delete
// a clear seal by appending its bytes to the clear string before it.
//
// sops reuses the IV of a value it decrypted when it re-encrypts the same
// plaintext with the same additional data, the MAC included. Its MAC is
// unchanged by edits of key names or types, or of clear values under
// mac_only_encrypted; its additional data is lastmodified, which sops sets
// to the current second. Encrypt therefore writes the second before the
// current one, which sops, re-encrypting later on a clock that agrees, never
// writes: its MAC always gets a fresh random IV, without the mark. Only a
// re-encryption stamped with the very same second (a clock running a second
// or more behind) and the same MAC keeps the mark, and is then reported as
// tampering if it changed what the seal covers. A new data key (sops rotate)
// drops the mark in any case; sops updatekeys, which leaves the MAC alone,
// keeps it, and the seal still verifies.
//
// Precisely: the seal is the top-level key whose decoded value is
// "secretsctl_seal"; a well-formed v1 seal is a string scalar made of
// exactly "v1:", a lastmodified, ":" and 64 lowercase hex digits; HEX is
// compared in constant time. A later format version derives its keys from
// another label, so that to this reader its documents are unmarked, thus
// unsealed, rather than malformed.
const (
	// sealKeyName is the top-level key that holds the seal.
	sealKeyName = "secretsctl_seal"
	// sealPrefix starts every v1 seal value.
	sealPrefix = "v1:"
	// sealHexSize is the length of the seal's HMAC in hex.
	sealHexSize = 2 * sha256.Size
	// markSize is the number of bytes of the MAC's IV that mark a sealed
	// encryption.
	markSize = 8
)

var (
	sealKeyLabel = []byte("secretsctl seal v1")
	markKeyLabel = []byte("secretsctl seal v1 mac iv")
)

// errSealMismatch is the reason of a seal that does not match its document.
const errSealMismatch = "seal mismatch: document structure was changed without the key (keys renamed, added, removed or retyped)"

// deriveKey is HMAC-SHA256(key, label).
func deriveKey(key, label []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(label)
	return m.Sum(nil)
}

// ivMark is the mark of the random part of a MAC IV.
func ivMark(dataKey, random []byte) []byte {
	m := hmac.New(sha256.New, deriveKey(dataKey, markKeyLabel))
	m.Write(random)
	return m.Sum(nil)[:markSize]
}

// markedIV returns a fresh MAC IV carrying the mark of dataKey.
func markedIV(dataKey []byte) ([]byte, error) {
	iv := make([]byte, sopsNonceSize)
	random := iv[:sopsNonceSize-markSize]
	if _, err := rand.Read(random); err != nil {
		return nil, err
	}
	copy(iv[len(random):], ivMark(dataKey, random))
	return iv, nil
}

// isMarked reports whether a MAC IV carries the mark of dataKey.
func isMarked(dataKey, iv []byte) bool {
	if len(iv) != sopsNonceSize {
		return false
	}
	random := iv[:sopsNonceSize-markSize]
	return hmac.Equal(iv[len(random):], ivMark(dataKey, random))
}

// macIV returns the IV of a document's encrypted MAC.
func macIV(m sops.Metadata) ([]byte, error) {
	p, ok := parseENC(m.MessageAuthenticationCode)
	if !ok {
		return nil, errNotENC
	}
	iv, err := base64.StdEncoding.DecodeString(p.iv)
	if err != nil {
		return nil, errBadBase64
	}
	return iv, nil
}

// sealText is a seal value.
func sealText(lastModified string, digest []byte) string {
	return sealPrefix + lastModified + ":" + hex.EncodeToString(digest)
}

// placeholderSeal has the form of a seal and hashes to nothing.
func placeholderSeal(lastModified string) string {
	return sealPrefix + lastModified + ":" + strings.Repeat("0", sealHexSize)
}

// parseSeal splits a seal value into its lastmodified and its HMAC. It
// accepts only what sealText writes.
func parseSeal(s string) (lastModified string, digest []byte, ok bool) {
	rest, ok := strings.CutPrefix(s, sealPrefix)
	if !ok {
		return "", nil, false
	}
	i := strings.LastIndexByte(rest, ':')
	if i < 0 || len(rest)-i-1 != sealHexSize {
		return "", nil, false
	}
	lastModified, h := rest[:i], rest[i+1:]
	for j := 0; j < len(h); j++ {
		if c := h[j]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return "", nil, false
		}
	}
	digest, err := hex.DecodeString(h)
	if err != nil {
		return "", nil, false
	}
	return lastModified, digest, true
}

// findSeal returns the index in a top-level mapping's Content of the
// secretsctl_seal key, or -1. Keys compare by their decoded value, so a key
// spelled "secretsctl_seal" or !!str secretsctl_seal counts too.
func findSeal(root *yaml.Node) int {
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if k.Kind != yaml.ScalarNode {
			continue
		}
		if k.Value == sealKeyName && k.Tag == "!!str" {
			return i
		}
		if s, ok := scalarValue(k).(string); ok && s == sealKeyName {
			return i
		}
	}
	return -1
}

// sealDigest is the seal's HMAC of a decrypted top-level mapping whose seal
// pair, if any, is at index sealAt.
func sealDigest(root *yaml.Node, sealAt int, dataKey []byte, lastModified string, iv []byte) ([]byte, error) {
	c := canonicalWriter{h: hmac.New(sha256.New, deriveKey(dataKey, sealKeyLabel))}
	c.buf = make([]byte, 0, canonicalBufSize+256)
	c.bytes(lastModified)
	c.bytes(string(iv))
	if err := c.node(root, sealAt, 0); err != nil {
		return nil, err
	}
	c.flush()
	return c.h.Sum(nil), nil
}

// checkSeal verifies the seal of a decrypted top-level mapping (the sops pair
// already removed) after the sops MAC verified, and removes the seal pair.
// It reports whether a current seal verified.
func checkSeal(root *yaml.Node, m sops.Metadata, dataKey []byte) (bool, error) {
	at := findSeal(root)
	iv, err := macIV(m)
	if err != nil {
		return false, &IntegrityError{Reason: "mac: " + err.Error()}
	}
	if !isMarked(dataKey, iv) {
		// Not encrypted last by Encrypt: any seal is stale.
		if at >= 0 {
			removePair(root, at)
		}
		return false, nil
	}
	if at < 0 {
		return false, &IntegrityError{Reason: "seal missing: the document was sealed by secretsctl and its " + sealKeyName + " key was removed without the key"}
	}
	value := root.Content[at+1]
	var s string
	if value.Kind == yaml.ScalarNode {
		s, _ = scalarValue(value).(string)
	}
	lastModified, digest, ok := parseSeal(s)
	if !ok {
		return false, &IntegrityError{Reason: "seal malformed: " + sealKeyName + " is not a v1 seal"}
	}
	if lastModified != macAdditionalData(m) {
		return false, &IntegrityError{Reason: "seal mismatch: " + sealKeyName + " was made for another lastmodified"}
	}
	want, err := sealDigest(root, at, dataKey, lastModified, iv)
	if err != nil {
		return false, err
	}
	if !hmac.Equal(digest, want) {
		return false, &IntegrityError{Reason: errSealMismatch}
	}
	removePair(root, at)
	return true, nil
}

// removeSeal removes the seal pair of a top-level mapping, if any, without
// looking at it.
func removeSeal(root *yaml.Node) {
	if at := findSeal(root); at >= 0 {
		removePair(root, at)
	}
}

// canonicalBufSize is how much canonicalWriter buffers before hashing.
const canonicalBufSize = 4096

// canonicalWriter writes the canonical encoding of a node tree to a hash.
type canonicalWriter struct {
	h   hash.Hash
	buf []byte
}

func (c *canonicalWriter) flush() {
	c.h.Write(c.buf)
	c.buf = c.buf[:0]
}

func (c *canonicalWriter) maybeFlush() {
	if len(c.buf) >= canonicalBufSize {
		c.flush()
	}
}

// bytes writes a length-prefixed string.
func (c *canonicalWriter) bytes(s string) {
	c.buf = binary.BigEndian.AppendUint64(c.buf, uint64(len(s)))
	if len(s) > canonicalBufSize {
		c.flush()
		c.h.Write([]byte(s))
		return
	}
	c.buf = append(c.buf, s...)
	c.maybeFlush()
}

// bytesOf writes a short length-prefixed byte slice.
func (c *canonicalWriter) bytesOf(b []byte) {
	c.buf = binary.BigEndian.AppendUint64(c.buf, uint64(len(b)))
	c.buf = append(c.buf, b...)
	c.maybeFlush()
}

// head writes a mapping's or sequence's kind and count.
func (c *canonicalWriter) head(kind byte, n int) {
	c.buf = append(c.buf, kind)
	c.buf = binary.BigEndian.AppendUint64(c.buf, uint64(n))
}

// scalar writes a scalar's tag and value.
func (c *canonicalWriter) scalar(tag, value string) {
	c.buf = append(c.buf, 'v')
	c.bytes(tag)
	c.bytes(value)
}

// str writes a string scalar.
func (c *canonicalWriter) str(s string) {
	if utf8.ValidString(s) {
		c.scalar("!!str", s)
	} else {
		c.scalar("!!binary", s)
	}
}

// node writes n; in a mapping, the pair whose key is at index skip is left
// out.
func (c *canonicalWriter) node(n *yaml.Node, skip, depth int) error {
	if depth > maxNodeDepth {
		return &FormatError{Reason: fmt.Sprintf("nested too deeply at line %d", n.Line)}
	}
	switch n.Kind {
	case yaml.MappingNode:
		pairs := len(n.Content) / 2
		if skip >= 0 {
			pairs--
		}
		c.head('m', pairs)
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i == skip {
				continue
			}
			k := n.Content[i]
			key, ok := "", false
			switch {
			case k.Kind != yaml.ScalarNode:
			case k.Tag == "!!str":
				key, ok = k.Value, true // scalarValue's answer, without boxing
			default:
				key, ok = scalarValue(k).(string)
			}
			if !ok {
				return &IntegrityError{Reason: fmt.Sprintf("unsupported value in document tree (non-string key at line %d)", k.Line)}
			}
			c.str(key)
			if err := c.node(n.Content[i+1], -1, depth+1); err != nil {
				return err
			}
		}
		return nil
	case yaml.SequenceNode:
		c.head('s', len(n.Content))
		for _, item := range n.Content {
			if err := c.node(item, -1, depth+1); err != nil {
				return err
			}
		}
		return nil
	case yaml.ScalarNode:
		if c.fastScalar(n) {
			return nil
		}
		tag, value, ok := canonicalScalar(scalarValue(n))
		if !ok {
			return &IntegrityError{Reason: fmt.Sprintf("unsupported value in document tree (unknown type at line %d)", n.Line)}
		}
		if tag == "" {
			c.str(value)
			return nil
		}
		c.scalar(tag, value)
		return nil
	}
	return &FormatError{Reason: fmt.Sprintf("alias at line %d: anchors and aliases are not supported", n.Line)}
}

// fastScalar writes the scalars that scalarValue decodes without yaml.v3
// (strings, nulls, plain bools and decimal ints), without boxing them, and
// reports whether it did.
func (c *canonicalWriter) fastScalar(n *yaml.Node) bool {
	switch n.Tag {
	case "!!str":
		c.str(n.Value)
		return true
	case "!!null":
		c.scalar("!!null", "")
		return true
	}
	if n.Style&yaml.TaggedStyle != 0 {
		return false
	}
	switch n.Tag {
	case "!!bool":
		switch n.Value {
		case "true", "True", "TRUE":
			c.scalar("!!bool", "true")
			return true
		case "false", "False", "FALSE":
			c.scalar("!!bool", "false")
			return true
		}
	case "!!int":
		if isPlainDecimal(n.Value) {
			if i, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
				var tmp [24]byte
				c.buf = append(c.buf, 'v')
				c.bytes("!!int")
				c.bytesOf(strconv.AppendInt(tmp[:0], i, 10))
				return true
			}
		}
	}
	return false
}

// canonicalScalar returns the canonical tag and value of a decoded scalar;
// tag "" means a string, whose tag depends on its bytes.
func canonicalScalar(v any) (tag, value string, ok bool) {
	switch v := v.(type) {
	case nil:
		return "!!null", "", true
	case string:
		return "", v, true
	case bool:
		return "!!bool", strconv.FormatBool(v), true
	case int:
		return "!!int", strconv.Itoa(v), true
	case float64:
		if v == math.Trunc(v) && v >= -(1<<63) && v < 1<<63 {
			return "!!int", strconv.FormatInt(int64(v), 10), true
		}
		return "!!float", formatFloat(v), true
	case time.Time:
		return "!!timestamp", v.UTC().Format(time.RFC3339Nano), true
	}
	return "", "", false
}
