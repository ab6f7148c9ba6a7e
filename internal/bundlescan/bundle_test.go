package bundlescan

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

	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

// exampleInfraSecrets returns every infrastructure secret of the example
// store with a test value (never a real one) that every encoding changes:
// the run of "~" makes base64 and base64url differ at every alignment.
func exampleInfraSecrets(t testing.TB) []Secret {
	t.Helper()
	sn := storetest.ExampleSnapshot(t)
	var out []Secret
	add := func(owner string, secrets []store.Secret) {
		for _, s := range secrets {
			if s.Classification == store.Infrastructure {
				id := store.SecretID(owner, s.Key)
				out = append(out, Secret{ID: id, Value: []byte(fmt.Sprintf("T%02d/é<x>&\"q=+~~~~ %s", len(out), s.Key[:min(6, len(s.Key))]))})
			}
		}
	}
	for _, name := range sn.ResourceNames() {
		r, err := sn.Resource(name)
		require.NoError(t, err)
		add(name, r.Secrets)
	}
	for _, name := range sn.ScenarioNames() {
		s, err := sn.Scenario(name)
		require.NoError(t, err)
		add(name, s.Secrets)
	}
	require.NotEmpty(t, out, "the example store has infrastructure secrets")
	return out
}

// form is one way a value is written into a bundle, and the encoding a
// scan must name for it.
type form struct {
	name     string
	encoding Encoding
	encode   func(v []byte) []byte
}

// forms writes each value the way real encoders do, around it whatever
// they would (a base64 stream with 0, 1 or 2 bytes before the value, with
// padding and without; a JSON string with its quotes).
func forms() []form {
	out := []form{{"raw", Raw, func(v []byte) []byte { return v }}}
	for _, enc := range []struct {
		name string
		e    *base64.Encoding
		want Encoding
	}{{"std", base64.StdEncoding, Base64}, {"rawstd", base64.RawStdEncoding, Base64},
		{"url", base64.URLEncoding, Base64URL}, {"rawurl", base64.RawURLEncoding, Base64URL}} {
		for align := range 3 {
			out = append(out, form{fmt.Sprintf("base64-%s-%d", enc.name, align), enc.want, func(v []byte) []byte {
				return []byte(enc.e.EncodeToString(append([]byte("\xfa\xfb\xfc"[:align]), v...)))
			}})
		}
	}
	return append(out,
		form{"hex", HexLower, func(v []byte) []byte { return []byte(hex.EncodeToString(v)) }},
		form{"hex-upper", HexUpper, func(v []byte) []byte { return []byte(strings.ToUpper(hex.EncodeToString(v))) }},
		form{"url-query", URLEncoded, func(v []byte) []byte { return []byte("k=" + url.QueryEscape(string(v)) + "&") }},
		form{"url-path", URLEncoded, func(v []byte) []byte { return []byte("/" + url.PathEscape(string(v)) + "/") }},
		form{"json", JSONEscaped, func(v []byte) []byte { b, _ := json.Marshal(string(v)); return b }},
		form{"quoted-printable", QuotedPrintable, func(v []byte) []byte {
			var b bytes.Buffer
			w := quotedprintable.NewWriter(&b)
			_, _ = w.Write(v)
			_ = w.Close()
			return b.Bytes()
		}},
	)
}

// filler is text-like content that holds no secret.
func filler(n int) []byte {
	const text = "lorem ipsum dolor sit amet, consectetur adipiscing elit; function(){return 42}\n"
	return bytes.Repeat([]byte(text), n/len(text)+1)[:n]
}

// boundary is the read size of the scans in these tests (the default).
const boundary = 64 << 10

// planted is a file with an encoded value at its start, across the 64 KiB
// read boundary and at its end; clean is the same file without them.
func planted(enc []byte) (planted, clean []byte) {
	size := boundary + 4096
	clean = filler(size)
	planted = bytes.Clone(clean)
	copy(planted, enc)
	copy(planted[boundary-len(enc)/2:], enc)
	copy(planted[size-len(enc):], enc)
	return planted, clean
}

// plantedFiles returns, per file name, a planted and a clean content, and
// per file name the secret and encoding expected in it.
func plantedFiles(secrets []Secret) (dirty, clean map[string][]byte, want map[string]Finding) {
	dirty, clean, want = map[string][]byte{}, map[string][]byte{}, map[string]Finding{}
	for i, s := range secrets {
		for _, f := range forms() {
			name := fmt.Sprintf("s%02d/%s.txt", i, f.name)
			dirty[name], clean[name] = planted(f.encode(s.Value))
			want[name] = Finding{Rule: RuleValue, Secret: s.ID, Encoding: f.encoding}
		}
	}
	return dirty, clean, want
}

func writeTree(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o644))
	}
}

func zipBytes(t testing.TB, files map[string][]byte, method uint16) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range sortedKeys(files) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		require.NoError(t, err)
		_, err = w.Write(files[name])
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return b.Bytes()
}

func tarBytes(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, name := range sortedKeys(files) {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(files[name])), Typeflag: tar.TypeReg}))
		_, err := tw.Write(files[name])
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	return b.Bytes()
}

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	require.NoError(t, err)
	_, err = zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

// asarBytes writes an Electron asar archive the way @electron/asar does:
// a pickle holding the header size, a pickle holding the JSON index, then
// the files' bytes.
func asarBytes(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	root := map[string]any{}
	var data bytes.Buffer
	for _, name := range sortedKeys(files) {
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

func sortedKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func fmtAll(v any) string {
	return fmt.Sprintf("%v %+v %#v %s %q", v, v, v, v, v)
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
