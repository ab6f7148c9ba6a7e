package sopsfile

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sopsCLI runs the real sops binary with a test key and a clean
// environment: no SOPS_* variable and no default keys file from the user.
type sopsCLI struct {
	bin     string
	keyFile string
	home    string
}

// newSopsCLI finds sops in $SECRETSCTL_TOOLS_BIN or on PATH. Without it the
// test is skipped locally but fails under CI, so CI can never skip it.
func newSopsCLI(t *testing.T, k testKey) *sopsCLI {
	t.Helper()
	bin := ""
	if dir := os.Getenv("SECRETSCTL_TOOLS_BIN"); dir != "" {
		if p := filepath.Join(dir, "sops"); isExecutable(p) {
			bin = p
		}
	}
	if bin == "" {
		bin, _ = exec.LookPath("sops")
	}
	if bin == "" {
		const msg = "sops CLI not found in $SECRETSCTL_TOOLS_BIN or PATH; run scripts/test-deps.sh"
		if os.Getenv("CI") == "" {
			t.Skip(msg)
		}
		t.Fatal(msg + " (CI is set, so this test may not be skipped)")
	}
	dir := t.TempDir()
	return &sopsCLI{
		bin:     bin,
		keyFile: writeFile(t, filepath.Join(dir, "keys.txt"), k.identity+"\n"),
		home:    filepath.Join(dir, "home"),
	}
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// run runs sops in dir and returns stdout, stderr and the error.
func (s *sopsCLI) run(dir string, args ...string) (string, string, error) {
	return s.runEnv(dir, nil, args...)
}

// runEnv is run with extra environment variables.
func (s *sopsCLI) runEnv(dir string, env []string, args ...string) (string, string, error) {
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SOPS_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env,
		"SOPS_DISABLE_VERSION_CHECK=1",
		"SOPS_AGE_KEY_FILE="+s.keyFile,
		"HOME="+s.home,
		"XDG_CONFIG_HOME="+filepath.Join(s.home, ".config"),
	)
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// decrypt runs `sops decrypt` on a YAML file.
func (s *sopsCLI) decrypt(t *testing.T, path string) (string, string, error) {
	t.Helper()
	return s.run(filepath.Dir(path), "decrypt", "--input-type", "yaml", "--output-type", "yaml", path)
}

func TestInteropSopsVersion(t *testing.T) {
	cli := newSopsCLI(t, newTestKey(t))
	out, _, err := cli.run(t.TempDir(), "--version")
	require.NoError(t, err)
	assert.Contains(t, out, "sops 3.13.3", "interop tests are written against sops 3.13.3")
}

// TestInteropCLIDecryptsOurFiles checks (a): what Encrypt writes, sops
// decrypts, to the same plaintext as Decrypt.
func TestInteropCLIDecryptsOurFiles(t *testing.T) {
	k := newTestKey(t)
	cli := newSopsCLI(t, k)
	tests := []struct {
		name string
		doc  string
		rule Rule
	}{
		{"encrypted_regex", secretDoc, regexRule(k)},
		{"default rule", secretDoc, Rule{Recipients: []string{k.recipient}}},
		{"mac_only_encrypted", secretDoc, Rule{Recipients: []string{k.recipient}, UnencryptedRegex: "^description$", MACOnlyEncrypted: true}},
		{"two recipients", benchDoc(20), Rule{Recipients: []string{newTestKey(t).recipient, k.recipient}, EncryptedSuffix: "value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc := encrypt(t, tt.doc, tt.rule)
			path := writeFile(t, filepath.Join(t.TempDir(), "doc.yaml"), enc)
			out, stderr, err := cli.decrypt(t, path)
			require.NoError(t, err, "sops decrypt: %s", stderr)
			ours, err := Decrypt([]byte(enc), k.keyring)
			require.NoError(t, err)
			assert.Equal(t, string(ours), out)
		})
	}
}

// TestInteropWeDecryptCLIFiles checks (b): what `sops encrypt` writes under
// a .sops.yaml creation rule, Decrypt reads, and ParseRules resolves the
// same rule sops applied.
func TestInteropWeDecryptCLIFiles(t *testing.T) {
	k := newTestKey(t)
	cli := newSopsCLI(t, k)
	tests := []struct {
		name  string
		extra string // rule options in .sops.yaml
		want  string
	}{
		{"encrypted_regex", "encrypted_regex: ^(value|values)$", secretDoc},
		{"default rule", "", inlineCommentMoved},
		{"unencrypted_suffix", "unencrypted_suffix: _clear", inlineCommentMoved},
		{"mac_only_encrypted", "encrypted_regex: ^value$\n    mac_only_encrypted: true", secretDoc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			sopsYAML := "creation_rules:\n  - path_regex: ^other/\n    age: " + newTestKey(t).recipient +
				"\n  - path_regex: secrets/.*\\.yaml$\n    age: " + k.recipient + "\n    " + tt.extra + "\n"
			writeFile(t, filepath.Join(dir, ".sops.yaml"), sopsYAML)
			writeFile(t, filepath.Join(dir, "secrets", "app.yaml"), secretDoc)

			enc, stderr, err := cli.run(dir, "encrypt", "secrets/app.yaml")
			require.NoError(t, err, "sops encrypt: %s", stderr)
			require.NotContains(t, enc, canary)
			assert.True(t, IsEncrypted([]byte(enc)))

			plain, err := Decrypt([]byte(enc), k.keyring)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(plain))
			clear, err := Cleartext([]byte(enc))
			require.NoError(t, err)
			assert.Contains(t, string(clear), "port:")

			rules, err := ParseRules([]byte(sopsYAML))
			require.NoError(t, err)
			rule, err := rules.For("secrets/app.yaml")
			require.NoError(t, err)
			ours := encrypt(t, secretDoc, rule)
			assert.Equal(t, metadataLines(t, enc), metadataLines(t, ours), "same rule, same sops metadata")
		})
	}
}

// metadataLines returns the sops metadata options of a document, without
// the parts that differ on every encryption.
func metadataLines(t *testing.T, doc string) []string {
	t.Helper()
	i := strings.Index(doc, "\nsops:\n")
	require.NotEqual(t, -1, i)
	var out []string
	for _, line := range strings.Split(doc[i+1:], "\n") {
		if strings.HasPrefix(line, "    ") && !strings.HasPrefix(line, "     ") &&
			!strings.HasPrefix(line, "    lastmodified:") && !strings.HasPrefix(line, "    mac:") {
			out = append(out, line)
		}
	}
	return out
}

// TestInteropCLIRejectsTampering checks (c): sops refuses a file of ours
// that was tampered with, as Decrypt does.
func TestInteropCLIRejectsTampering(t *testing.T) {
	k := newTestKey(t)
	cli := newSopsCLI(t, k)
	enc := encrypt(t, secretDoc, regexRule(k))
	tests := []struct {
		name   string
		mutate func(string) string
	}{
		{"edit a clear value", replace("description: clear text", "description: changed")},
		{"delete the mac", deleteLine("    mac: ")},
		{"swap a value into another key", func(s string) string {
			return strings.Replace(s, "    port: 8080", "    port: "+encValue(t, s, "    value: "), 1)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := tt.mutate(enc)
			require.NotEqual(t, enc, doc)
			path := writeFile(t, filepath.Join(t.TempDir(), "doc.yaml"), doc)
			out, stderr, err := cli.decrypt(t, path)
			require.Error(t, err, "sops decrypt accepted a tampered file")
			assert.NotContains(t, out, canary)
			t.Logf("sops: %s", strings.TrimSpace(stderr))

			_, err = Decrypt([]byte(doc), k.keyring)
			var ie *IntegrityError
			assert.ErrorAs(t, err, &ie)
		})
	}
}

// TestInteropCLIAcceptsWhatTheMACDoesNotCover checks that the edits
// TestMACDoesNotCover lets through pass the sops CLI too: a limit of the
// format, not of this package.
func TestInteropCLIAcceptsWhatTheMACDoesNotCover(t *testing.T) {
	k := newTestKey(t)
	cli := newSopsCLI(t, k)
	enc := encrypt(t, secretDoc, regexRule(k))
	for _, edit := range [][2]string{{"description: clear", "summary: clear"}, {"port: 8080", `port: "8080"`}} {
		t.Run(edit[1], func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "doc.yaml"), strings.Replace(enc, edit[0], edit[1], 1))
			out, stderr, err := cli.decrypt(t, path)
			require.NoError(t, err, "sops decrypt: %s", stderr)
			assert.Contains(t, out, edit[1])
		})
	}
}

// encValue returns the ENC[...] value on the first line starting with prefix.
func encValue(t *testing.T, doc, prefix string) string {
	t.Helper()
	for _, line := range strings.Split(doc, "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok && strings.HasPrefix(v, "ENC[") {
			return v
		}
	}
	t.Fatalf("no ENC value after %q", prefix)
	return ""
}
