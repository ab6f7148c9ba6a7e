// Package bundletest builds test bundles for [bundlescan] and the commands
// that use it: a value in every form real encoders write it, and zip, tar,
// gzip and Electron asar archives to nest it in. It holds no test values.
//
// [bundlescan]: github.com/secretsctl/secretsctl/internal/bundlescan
package bundletest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime/quotedprintable"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Form is one way a value is written into a bundle, and the name of the
// encoding (a bundlescan.Encoding) a scan must report for it.
type Form struct {
	Name     string
	Encoding string
	Encode   func(v []byte) []byte
}

// Forms writes a value the way real encoders do, around it whatever they
// would (a base64 stream with 0, 1 or 2 bytes before the value, with
// padding and without; a JSON string with its quotes).
func Forms() []Form {
	out := []Form{{"raw", "raw", func(v []byte) []byte { return v }}}
	for _, enc := range []struct {
		name string
		e    *base64.Encoding
		want string
	}{{"std", base64.StdEncoding, "base64"}, {"rawstd", base64.RawStdEncoding, "base64"},
		{"url", base64.URLEncoding, "base64url"}, {"rawurl", base64.RawURLEncoding, "base64url"}} {
		for align := range 3 {
			out = append(out, Form{fmt.Sprintf("base64-%s-%d", enc.name, align), enc.want, func(v []byte) []byte {
				return []byte(enc.e.EncodeToString(append([]byte("\xfa\xfb\xfc"[:align]), v...)))
			}})
		}
	}
	return append(out,
		Form{"hex", "hex", func(v []byte) []byte { return []byte(hex.EncodeToString(v)) }},
		Form{"hex-upper", "hex-upper", func(v []byte) []byte { return []byte(strings.ToUpper(hex.EncodeToString(v))) }},
		Form{"url-query", "url-encoded", func(v []byte) []byte { return []byte("k=" + url.QueryEscape(string(v)) + "&") }},
		Form{"url-path", "url-encoded", func(v []byte) []byte { return []byte("/" + url.PathEscape(string(v)) + "/") }},
		Form{"json", "json-escaped", func(v []byte) []byte { b, _ := json.Marshal(string(v)); return b }},
		Form{"quoted-printable", "quoted-printable", func(v []byte) []byte {
			var b bytes.Buffer
			w := quotedprintable.NewWriter(&b)
			_, _ = w.Write(v)
			_ = w.Close()
			return b.Bytes()
		}},
	)
}

// Filler is text-like content that holds no secret.
func Filler(n int) []byte {
	const text = "lorem ipsum dolor sit amet, consectetur adipiscing elit; function(){return 42}\n"
	return bytes.Repeat([]byte(text), n/len(text)+1)[:n]
}

// WriteTree writes files (slash-separated names) under dir.
func WriteTree(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o644))
	}
}

// Zip is a zip archive of files, each stored with method.
func Zip(t testing.TB, files map[string][]byte, method uint16) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range SortedKeys(files) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		require.NoError(t, err)
		_, err = w.Write(files[name])
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return b.Bytes()
}

// Tar is a tar archive of files.
func Tar(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, name := range SortedKeys(files) {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(files[name])), Typeflag: tar.TypeReg}))
		_, err := tw.Write(files[name])
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	return b.Bytes()
}

// Gzip compresses data.
func Gzip(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	require.NoError(t, err)
	_, err = zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

// Asar writes an Electron asar archive the way @electron/asar does: a
// pickle holding the header size, a pickle holding the JSON index, then the
// files' bytes.
func Asar(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	root := map[string]any{}
	var data bytes.Buffer
	for _, name := range SortedKeys(files) {
		dir := root
		parts := strings.Split(name, "/")
		for _, p := range parts[:len(parts)-1] {
			if dir[p] == nil {
				dir[p] = map[string]any{"files": map[string]any{}}
			}
			dir = dir[p].(map[string]any)["files"].(map[string]any)
		}
		dir[parts[len(parts)-1]] = map[string]any{"size": len(files[name]), "offset": fmt.Sprint(data.Len())}
		data.Write(files[name])
	}
	index, err := json.Marshal(map[string]any{"files": root})
	require.NoError(t, err)
	padded := (len(index) + 3) &^ 3
	var b bytes.Buffer
	for _, v := range []int{4, 8 + padded, 4 + padded, len(index)} {
		_ = binary.Write(&b, binary.LittleEndian, uint32(v))
	}
	b.Write(index)
	b.Write(make([]byte, padded-len(index)))
	b.Write(data.Bytes())
	return b.Bytes()
}

// SortedKeys returns m's keys, sorted.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
