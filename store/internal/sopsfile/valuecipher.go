package sopsfile

import (
	cryptoaes "crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/getsops/sops/v3"
)

// encValueRE is sops v3.13.3's aes package pattern for an encrypted value.
// It is anchored at the start only, and its groups are greedy: the fast
// parser below accepts only strings on which it cannot split differently.
var encValueRE = regexp.MustCompile(`^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]`)

// sopsNonceSize is the IV size sops writes.
const sopsNonceSize = 32

// Reasons of value decryption failures; none quotes the value.
var (
	errNotENC        = errors.New("not an ENC[AES256_GCM,...] value")
	errBadBase64     = errors.New("ENC[...] value is not valid base64")
	errAuth          = errors.New("ciphertext failed authentication")
	errUnknownType   = errors.New("ENC[...] value has an unknown type tag")
	errTypeMismatch  = errors.New("decrypted value does not match its type tag")
	errBytesType     = errors.New("ENC[...] value has type tag bytes, which sops cannot decrypt in a YAML document")
	errBadNonceSize  = errors.New("ENC[...] value has an empty iv")
	errNonStringENC  = errors.New("expected an encrypted value (a string), got another type")
	errCommentResult = errors.New("encrypted comment decrypts to a value that is neither a comment nor a string")
	// errValueOnComment is a comment line of a sequence whose ciphertext
	// is a value's (type str), not a comment's: sops never writes one, and
	// reads it as an item, so an item moved onto a comment line would
	// vanish from the sequence while the MAC still verifies.
	errValueOnComment = errors.New("comment line holds an encrypted value, not an encrypted comment (an item moved onto a comment line?)")
)

// valueCipher decrypts the ENC[...] values of one document with its data
// key. It is sops' aes.Cipher.Decrypt (same parsing, same AEAD, same type
// tags and conversions) with the block cipher and GCM set up once per
// document instead of once per value, and without aes.Cipher's IV stash,
// which panics on a value of type bytes.
type valueCipher struct {
	block cipher.Block
	gcm   cipher.AEAD // for sops' 32-byte IVs
}

// newValueCipher prepares AES-256-GCM with a data key.
func newValueCipher(key []byte) (*valueCipher, error) {
	block, err := cryptoaes.NewCipher(key)
	if err != nil {
		return nil, &IntegrityError{Reason: "data key: " + err.Error()}
	}
	gcm, err := cipher.NewGCMWithNonceSize(block, sopsNonceSize)
	if err != nil {
		return nil, &IntegrityError{Reason: "data key: " + err.Error()}
	}
	return &valueCipher{block: block, gcm: gcm}, nil
}

// encParts are the fields of an ENC[...] value, still base64-encoded.
type encParts struct {
	data, iv, tag, datatype string
}

// parseENC splits an ENC[...] value exactly as encValueRE does. Values in
// the form sops writes (base64 fields, a lowercase type, nothing after the
// closing bracket) are split by hand; on anything else the regex decides.
func parseENC(s string) (encParts, bool) {
	if p, ok := parseENCFast(s); ok {
		return p, true
	}
	m := encValueRE.FindStringSubmatch(s)
	if m == nil {
		return encParts{}, false
	}
	return encParts{data: m[1], iv: m[2], tag: m[3], datatype: m[4]}, true
}

// parseENCFast accepts only strings of the form
// ENC[AES256_GCM,data:B,iv:B,tag:B,type:T] where each B is a non-empty run
// of base64 characters and T a non-empty run of letters. None of those
// characters is a ',', ':', ']' or newline, so each delimiter occurs once
// and the regex, greedy or not, can only split the string this way.
func parseENCFast(s string) (encParts, bool) {
	const prefix = "ENC[AES256_GCM,data:"
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return encParts{}, false
	}
	var p encParts
	var fields = [...]struct {
		sep string
		out *string
	}{{",iv:", &p.data}, {",tag:", &p.iv}, {",type:", &p.tag}, {"]", &p.datatype}}
	for i, f := range fields {
		j := strings.Index(rest, f.sep)
		if j <= 0 {
			return encParts{}, false
		}
		field := rest[:j]
		valid := isBase64Run
		if i == len(fields)-1 {
			valid = isLetterRun
		}
		if !valid(field) {
			return encParts{}, false
		}
		*f.out = field
		rest = rest[j+len(f.sep):]
	}
	return p, rest == ""
}

// base64Chars marks the characters of standard base64 with padding.
var base64Chars = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=" {
		t[c] = true
	}
	return t
}()

func isBase64Run(s string) bool {
	for i := 0; i < len(s); i++ {
		if !base64Chars[s[i]] {
			return false
		}
	}
	return true
}

func isLetterRun(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// decrypt decrypts one value with the additional data sops uses for it
// and returns what aes.Cipher.Decrypt returns: string, int, float64, bool,
// time.Time or sops.Comment ("" for ""). Errors never quote the value.
func (c *valueCipher) decrypt(value, additionalData string) (any, error) {
	if value == "" {
		return "", nil
	}
	p, ok := parseENC(value)
	if !ok {
		return nil, errNotENC
	}
	data, err1 := base64.StdEncoding.DecodeString(p.data)
	iv, err2 := base64.StdEncoding.DecodeString(p.iv)
	tag, err3 := base64.StdEncoding.DecodeString(p.tag)
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, errBadBase64
	}
	gcm := c.gcm
	if len(iv) != sopsNonceSize {
		if len(iv) == 0 {
			return nil, errBadNonceSize
		}
		if gcm, err1 = cipher.NewGCMWithNonceSize(c.block, len(iv)); err1 != nil {
			return nil, errBadNonceSize
		}
	}
	plain, err := gcm.Open(nil, iv, append(data, tag...), []byte(additionalData))
	if err != nil {
		return nil, errAuth
	}
	return typed(plain, p.datatype)
}

// typed converts decrypted bytes by their type tag, as sops does.
func typed(plain []byte, datatype string) (any, error) {
	s := string(plain)
	var out any
	var err error
	switch datatype {
	case "str":
		out = s
	case "int":
		out, err = strconv.Atoi(s)
	case "float":
		out, err = strconv.ParseFloat(s, 64)
	case "bool":
		out, err = strconv.ParseBool(s)
	case "time":
		var t time.Time
		err = t.UnmarshalText(plain)
		out = t
	case "comment":
		out = sops.Comment{Value: s}
	case "bytes":
		return nil, errBytesType
	default:
		return nil, errUnknownType
	}
	if err != nil {
		return nil, errTypeMismatch
	}
	return out, nil
}

// encryptString encrypts a string as sops' aes.Cipher.Encrypt does, with a
// given 32-byte IV instead of a random one: [Encrypt] uses it for the MAC,
// whose IV carries the seal's mark.
func (c *valueCipher) encryptString(plain string, iv []byte, additionalData string) string {
	out := c.gcm.Seal(nil, iv, []byte(plain), []byte(additionalData))
	tag := len(out) - c.gcm.Overhead()
	return "ENC[AES256_GCM,data:" + base64.StdEncoding.EncodeToString(out[:tag]) +
		",iv:" + base64.StdEncoding.EncodeToString(iv) +
		",tag:" + base64.StdEncoding.EncodeToString(out[tag:]) + ",type:str]"
}
