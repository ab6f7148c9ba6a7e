package store

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/secretsctl/secretsctl/store/internal/sopsfile"
)

// respellings are re-spellings of a scalar that an editor without the key
// can write: explicit tags, and other spellings of the same timestamp.
func respellings(n *yaml.Node) []*yaml.Node {
	tagged := func(tag, value string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value, Style: yaml.TaggedStyle, Line: n.Line}
	}
	plain := func(value string) *yaml.Node {
		m := &yaml.Node{Kind: yaml.ScalarNode, Value: value, Line: n.Line}
		m.Tag = m.ShortTag() // what the parser resolves plain text to
		return m
	}
	out := []*yaml.Node{
		n,
		tagged("!!binary", base64.StdEncoding.EncodeToString([]byte(n.Value))),
		tagged("!!str", n.Value),
		tagged("!!timestamp", "2026-01-02"),
		tagged("!!int", "0x10"),
		tagged("!!float", "1e3"),
		tagged("!!bool", "true"),
		tagged("!!null", ""),
		plain("2026-01-02"),
		plain("2026-01-02T00:00:00Z"),
		plain("2026-01-02 00:00:00"),
		plain("2026-01-02T01:00:00+01:00"),
		plain("0x1F"),
		plain("0o17"),
		plain("1_000"),
		plain("+12"),
		plain("1.50"),
		plain(".inf"),
		plain("True"),
		plain("~"),
	}
	return out
}

// agrees reports whether the decoder's JSON value is the walker's value.
func agrees(t *testing.T, walker, decoded any) bool {
	t.Helper()
	switch w := walker.(type) {
	case nil:
		return decoded == nil
	case string:
		return decoded == w
	case bool:
		return decoded == w
	case time.Time:
		return decoded == w.UTC().Format(time.RFC3339Nano)
	case int:
		return decoded == json.Number(strconv.Itoa(w))
	case uint64:
		return decoded == json.Number(strconv.FormatUint(w, 10))
	case float64:
		num, ok := decoded.(json.Number)
		if !ok {
			return false
		}
		f, err := num.Float64()
		return err == nil && (f == w || math.IsNaN(f) && math.IsNaN(w))
	}
	t.Errorf("walker value of type %T", walker)
	return false
}

// test that over every clear scalar of the example store, mutated with
// tags and re-spellings, the decoder either refuses the scalar or reads
// exactly the value sops' walker (and so the MAC and the seal) sees.
func TestDecoderAgreesWithWalker(t *testing.T) {
	example := filepath.Join("..", "examples", "store") // tests run in the package's directory
	key, err := os.ReadFile(filepath.Join(example, "demo-age-key.txt"))
	require.NoError(t, err)
	keys, err := sopsfile.ParseKeyring(string(key))
	require.NoError(t, err)
	var files []string
	for _, glob := range []string{"secretsctl.yaml", "resources/*.yaml", "scenarios/*.yaml", "vault/*.yaml"} {
		m, err := filepath.Glob(filepath.Join(example, glob))
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.NotEmpty(t, files)
	var scalars, refused, read int
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		doc, err := sopsfile.DecryptNode(data, keys)
		require.NoError(t, err, f)
		walkScalars(doc, func(n *yaml.Node) {
			scalars++
			for _, m := range respellings(n) {
				got, derr := scalarValue(m, "/x", positions{})
				if derr != nil {
					refused++
					assert.NotEmpty(t, derr.Reason)
					assert.Equal(t, n.Line, derr.Line, "the refusal names the line")
					continue
				}
				read++
				assert.True(t, agrees(t, sopsfile.WalkerValue(m), got), "%s line %d: %s %q read as %v, walker sees %v",
					filepath.Base(f), n.Line, m.Tag, m.Value, got, sopsfile.WalkerValue(m))
			}
		})
	}
	t.Logf("%d scalars, %d mutations read, %d refused", scalars, read, refused)
	assert.Greater(t, scalars, 100, "the example store has many scalars")
	assert.Positive(t, refused, "explicit tags are refused")
}

// walkScalars calls fn on every scalar in value position (not keys).
func walkScalars(n *yaml.Node, fn func(*yaml.Node)) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			walkScalars(c, fn)
		}
	case yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			walkScalars(n.Content[i], fn)
		}
	case yaml.ScalarNode:
		fn(n)
	}
}
