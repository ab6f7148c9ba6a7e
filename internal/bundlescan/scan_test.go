package bundlescan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"archive/zip"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// containers are the ways the test bundle nests its files: plain, a zip in
// a tar.gz, an asar in a zip, a tar in an .ipa.
var containers = []struct {
	prefix string // of every finding's path
	build  func(t testing.TB, files map[string][]byte) (name string, data []byte)
}{
	{"plain/", nil},
	{"app.tar.gz!/resources/inner.jar!/", func(t testing.TB, files map[string][]byte) (string, []byte) {
		inner := zipBytes(t, files, zip.Deflate)
		return "app.tar.gz", gzipBytes(t, tarBytes(t, map[string][]byte{"resources/inner.jar": inner}))
	}},
	{"desktop.zip!/resources/app.asar!/", func(t testing.TB, files map[string][]byte) (string, []byte) {
		return "desktop.zip", zipBytes(t, map[string][]byte{"resources/app.asar": asarBytes(t, files)}, zip.Store)
	}},
	{"mobile.ipa!/Payload/data.tgz!/", func(t testing.TB, files map[string][]byte) (string, []byte) {
		return "mobile.ipa", zipBytes(t, map[string][]byte{"Payload/data.tgz": gzipBytes(t, tarBytes(t, files))}, zip.Deflate)
	}},
}

func buildBundle(t testing.TB, files map[string][]byte) string {
	dir := t.TempDir()
	for _, c := range containers {
		if c.build == nil {
			writeTree(t, filepath.Join(dir, "plain"), files)
			continue
		}
		name, data := c.build(t, files)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	return dir
}

// TestPlantedValuesFound is acceptance 1 of issue 7: every infrastructure
// secret of the example store, in every encoding, at a file's start, across
// the 64 KiB read boundary and at its end, in plain files and nested
// archives, is found with the right encoding; the same files without them
// give no finding.
func TestPlantedValuesFound(t *testing.T) {
	secrets := exampleInfraSecrets(t)
	dirty, clean, want := plantedFiles(secrets)

	rep, err := Scan(context.Background(), buildBundle(t, dirty), secrets, Options{})
	require.NoError(t, err)
	byFile := map[string][]Finding{}
	for _, f := range rep.Findings {
		byFile[f.File] = append(byFile[f.File], f)
	}
	for _, c := range containers {
		for name, w := range want {
			got := byFile[c.prefix+name]
			if !assert.Len(t, got, 3, "%s%s: one finding each at the start, across the boundary and at the end", c.prefix, name) {
				continue
			}
			size := int64(len(dirty[name]))
			for i, f := range got {
				assert.Equal(t, w.Secret, f.Secret, "%s%s", c.prefix, name)
				assert.Equal(t, w.Encoding, f.Encoding, "%s%s", c.prefix, name)
				limits := [][2]int64{{0, 8}, {boundary - 200, boundary}, {size - 200, size - 8}}[i]
				assert.True(t, f.Offset >= limits[0] && f.Offset <= limits[1], "%s%s: offset %d not in %v", c.prefix, name, f.Offset, limits)
			}
			delete(byFile, c.prefix+name)
		}
	}
	assert.Empty(t, byFile, "findings in no planted file")
	assert.Equal(t, len(secrets), rep.Secrets)
	assert.Empty(t, rep.Unscannable)

	rep, err = Scan(context.Background(), buildBundle(t, clean), secrets, Options{})
	require.NoError(t, err)
	assert.Empty(t, rep.Findings, "a clean bundle of the same files")
	assert.Equal(t, 4*len(clean)+6, rep.Files, "every file and archive counted")
}

func TestShortValuesAreUnscannable(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.txt"), []byte("port 5432 user admin"), 0o644))
	rep, err := Scan(context.Background(), dir, []Secret{{ID: "postgres/POSTGRES_PORT", Value: []byte("5432")},
		{ID: "postgres/POSTGRES_USER", Value: []byte("admin")}}, Options{})
	require.NoError(t, err)
	assert.Empty(t, rep.Findings)
	assert.Equal(t, []string{"postgres/POSTGRES_PORT", "postgres/POSTGRES_USER"}, secretIDs(rep.Unscannable))
	assert.Contains(t, rep.Unscannable[0].Reason, "shorter than 8 bytes")
}

func secretIDs(us []Unscannable) []string {
	var ids []string
	for _, u := range us {
		ids = append(ids, u.Secret)
	}
	return ids
}

// TestBase64AnyAlignment checks the derived base64 substrings against real
// encoders for every value length from 8 to 40 and every alignment.
func TestBase64AnyAlignment(t *testing.T) {
	for n := MinValueLen; n <= 40; n++ {
		v := []byte(fmt.Sprintf("%040d", n*7919))[:n]
		v[0] = '\xff'
		for _, f := range forms() {
			enc := f.encode(v)
			m := newMatcher(patterns(v, 0))
			found := false
			m.scan(enc, func(p int32, _ int) {
				e := m.pats[p].encoding
				// Where no character is one of +/ or -_, the two
				// base64 alphabets agree and the finding says base64.
				found = found || e == f.encoding || f.encoding == Base64URL && e == Base64
			})
			assert.True(t, found, "length %d, %s", n, f.name)
		}
	}
}

// TestLargeFileSegments plants values across the segment boundaries of a
// file scanned by two workers in parts.
func TestLargeFileSegments(t *testing.T) {
	s := Secret{ID: "r/K", Value: []byte("segment-straddling-value")}
	data := filler(5 << 20)
	seg := int64(1 << 20)
	offsets := []int64{0, seg - 5, 2*seg - 1, 3 * seg, int64(len(data)) - int64(len(s.Value))}
	for _, off := range offsets {
		copy(data[off:], s.Value)
	}
	p := filepath.Join(t.TempDir(), "big.bin")
	require.NoError(t, os.WriteFile(p, data, 0o644))
	rep, err := Scan(context.Background(), p, []Secret{s}, Options{segmentSize: seg})
	require.NoError(t, err)
	var got []int64
	for _, f := range rep.Findings {
		assert.Equal(t, "big.bin", f.File)
		got = append(got, f.Offset)
	}
	assert.Equal(t, offsets, got)
	assert.Equal(t, int64(len(data)), rep.Bytes)
	assert.Equal(t, 1, rep.Files)
}

func TestNameRule(t *testing.T) {
	secrets := []Secret{{ID: "postgres/POSTGRES_PASSWORD", Names: []string{"POSTGRES_PASSWORD"}},
		{ID: "redis/REDIS_URL", Names: []string{"REDIS_URL"}}}
	files := map[string][]byte{
		"app/.env":             []byte("# rendered\nAPP_NAME=x\nexport POSTGRES_PASSWORD=hunter22\nREDIS_URL=\n"),
		"app/prod.env":         []byte("REDIS_URL = 'redis://h'\n"),
		"app/config.json":      []byte(`{"db": {"POSTGRES_PASSWORD": "x"}, "REDIS_URL": ""}`),
		"app/config.yaml":      []byte("env:\n  - POSTGRES_PASSWORD: ~\n  - REDIS_URL: redis://h\n"),
		"app/settings.toml":    []byte("[db]\nPOSTGRES_PASSWORD = \"x\"\n"),
		"app/README.md":        []byte("POSTGRES_PASSWORD=documented-here\n"),
		"app/placeholder.json": []byte(`{"POSTGRES_PASSWORD": null}`),
	}
	dir := t.TempDir()
	writeTree(t, dir, files)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bundle.zip"), zipBytes(t, map[string][]byte{"cfg/.env.production": []byte("POSTGRES_PASSWORD=y\n")}, zip.Deflate), 0o644))
	rep, err := Scan(context.Background(), dir, secrets, Options{})
	require.NoError(t, err)
	var got []string
	for _, f := range rep.Findings {
		assert.Equal(t, RuleName, f.Rule)
		got = append(got, fmt.Sprintf("%s:%d %s %s", f.File, f.Line, f.Name, f.Secret))
	}
	assert.Equal(t, []string{
		"app/.env:3 POSTGRES_PASSWORD postgres/POSTGRES_PASSWORD",
		"app/config.json:1 POSTGRES_PASSWORD postgres/POSTGRES_PASSWORD",
		"app/config.yaml:3 REDIS_URL redis/REDIS_URL",
		"app/prod.env:1 REDIS_URL redis/REDIS_URL",
		"app/settings.toml:2 POSTGRES_PASSWORD postgres/POSTGRES_PASSWORD",
		"bundle.zip!/cfg/.env.production:1 POSTGRES_PASSWORD postgres/POSTGRES_PASSWORD",
	}, got)
	assert.Empty(t, rep.Unscannable, "a stripped secret without a value is still checked by name")
	assert.True(t, slices.IsSortedFunc(rep.Findings, func(a, b Finding) int { return compareFindings(a, b) }))
}
