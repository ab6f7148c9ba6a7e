package bundlescan

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime/quotedprintable"
	"net/url"
	"strings"
)

// Encoding names a form in which a value can appear in a bundle.
type Encoding string

// The encodings Scan looks for.
const (
	Raw             Encoding = "raw"
	Base64          Encoding = "base64"
	Base64URL       Encoding = "base64url"
	HexLower        Encoding = "hex"
	HexUpper        Encoding = "hex-upper"
	URLEncoded      Encoding = "url-encoded"
	JSONEscaped     Encoding = "json-escaped"
	QuotedPrintable Encoding = "quoted-printable"
)

// Encodings lists every encoding Scan looks for, in the order a finding is
// named when two encodings of a value give the same bytes (an alphanumeric
// value's URL encoding is the raw value: the finding says raw).
func Encodings() []Encoding {
	return []Encoding{Raw, Base64, Base64URL, HexLower, HexUpper, URLEncoded, JSONEscaped, QuotedPrintable}
}

// pattern is one byte string to look for and what it stands for.
type pattern struct {
	bytes    []byte
	secret   int // index into the secrets
	encoding Encoding
}

// patterns returns every form of v to look for, without duplicates.
func patterns(v []byte, secret int) []pattern {
	var out []pattern
	add := func(e Encoding, b []byte) {
		if len(b) < MinValueLen {
			return
		}
		for _, p := range out {
			if bytes.Equal(p.bytes, b) {
				return
			}
		}
		out = append(out, pattern{bytes: b, secret: secret, encoding: e})
	}
	add(Raw, v)
	for _, a := range []int{0, 1, 2} {
		add(Base64, base64Middle(base64.StdEncoding, v, a))
	}
	for _, a := range []int{0, 1, 2} {
		add(Base64URL, base64Middle(base64.URLEncoding, v, a))
	}
	add(HexLower, []byte(hex.EncodeToString(v)))
	add(HexUpper, []byte(strings.ToUpper(hex.EncodeToString(v))))
	add(URLEncoded, []byte(url.QueryEscape(string(v))))
	add(URLEncoded, []byte(url.PathEscape(string(v))))
	add(URLEncoded, []byte(percentAll(v)))
	for _, j := range jsonForms(v) {
		add(JSONEscaped, j)
	}
	add(QuotedPrintable, quotedPrintable(v))
	return out
}

// base64Middle returns the part of the base64 encoding of v that does not
// depend on the bytes around it when v starts at offset align (0, 1 or 2)
// of a 3-byte group: the characters whose 6 bits all come from v. Padding
// is never part of it, so padded and unpadded encodings both match.
func base64Middle(enc *base64.Encoding, v []byte, align int) []byte {
	shifted := make([]byte, align+len(v))
	copy(shifted[align:], v)
	s := enc.WithPadding(base64.NoPadding).EncodeToString(shifted)
	first := (8*align + 5) / 6
	end := (8*align + 8*len(v)) / 6
	if end > len(s) {
		end = len(s)
	}
	if first >= end {
		return nil
	}
	return []byte(s[first:end])
}

// percentAll percent-encodes every byte, as some encoders do.
func percentAll(v []byte) string {
	var b strings.Builder
	for _, c := range v {
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// jsonForms returns v as the inside of a JSON string, as common encoders
// write it: with and without HTML escaping, and with "/" escaped.
func jsonForms(v []byte) [][]byte {
	var out [][]byte
	for _, html := range []bool{true, false} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(html)
		if err := enc.Encode(string(v)); err != nil {
			continue
		}
		s := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		s = bytes.Clone(s[1 : len(s)-1])
		out = append(out, s, bytes.ReplaceAll(s, []byte("/"), []byte(`\/`)))
	}
	return out
}

// quotedPrintable encodes v as quoted-printable without soft line breaks.
// A value that a writer split across lines (longer than ~70 bytes) is
// found only in its first line's part; see the package documentation.
func quotedPrintable(v []byte) []byte {
	var buf bytes.Buffer
	w := quotedprintable.NewWriter(&buf)
	_, _ = w.Write(v)
	_ = w.Close()
	s := buf.Bytes()
	if i := bytes.Index(s, []byte("=\r\n")); i >= 0 {
		s = s[:i]
	}
	return s
}
