package bundlescan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/bundlescan/bundletest"
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
// scan must name for it (see [bundletest.Forms]).
type form struct {
	name     string
	encoding Encoding
	encode   func(v []byte) []byte
}

func forms() []form {
	var out []form
	for _, f := range bundletest.Forms() {
		out = append(out, form{f.Name, Encoding(f.Encoding), f.Encode})
	}
	return out
}

func filler(n int) []byte { return bundletest.Filler(n) }

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
	bundletest.WriteTree(t, dir, files)
}

func zipBytes(t testing.TB, files map[string][]byte, method uint16) []byte {
	return bundletest.Zip(t, files, method)
}

func tarBytes(t testing.TB, files map[string][]byte) []byte { return bundletest.Tar(t, files) }

func gzipBytes(t testing.TB, data []byte) []byte { return bundletest.Gzip(t, data) }

func asarBytes(t testing.TB, files map[string][]byte) []byte { return bundletest.Asar(t, files) }

func fmtAll(v any) string {
	return fmt.Sprintf("%v %+v %#v %s %q", v, v, v, v, v)
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// test that the corpus forms (shared with the command's tests through
// bundletest) name only encodings Scan reports, and all of them.
func TestFormsCoverEveryEncoding(t *testing.T) {
	seen := map[Encoding]bool{}
	for _, f := range forms() {
		require.Contains(t, Encodings(), f.encoding, f.name)
		seen[f.encoding] = true
	}
	require.Len(t, seen, len(Encodings()))
}
