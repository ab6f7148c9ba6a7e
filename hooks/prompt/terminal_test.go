package prompt

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// screen collects what the terminal shows, as a user would see it.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// waitFor waits until the screen shows want.
func (s *screen) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the terminal never showed %q; it shows:\n%s", want, s.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTerminalOnPTY types into a real pseudo-terminal: nothing typed is
// echoed, an invalid value is explained and asked again.
func TestTerminalOnPTY(t *testing.T) {
	ptmx, tty, err := pty.Open()
	require.NoError(t, err)
	defer ptmx.Close()
	defer tty.Close()
	var scr screen
	go func() { _, _ = io.Copy(&scr, ptmx) }()

	spec := agentInbox(t)
	type result struct {
		a   Answers
		err error
	}
	done := make(chan result, 1)
	go func() {
		a, err := Terminal{In: tty, Out: tty}.Ask(context.Background(), spec)
		done <- result{a, err}
	}()
	scr.waitFor(t, "Ollama URL: ")
	type_(t, ptmx, "http://ollama.canary:11500\r")
	scr.waitFor(t, "Anthropic API key (optional): ")
	type_(t, ptmx, "\r") // skip
	scr.waitFor(t, "OpenAI API key (optional): ")
	type_(t, ptmx, "\r")
	scr.waitFor(t, "OpenRouter API key: ")
	type_(t, ptmx, canaryInvalid+"\r")
	scr.waitFor(t, "does not match the expected format ^sk-or-v1-[a-f0-9]{64}$; try again (2 of 3)")
	type_(t, ptmx, canaryKey+"\r")

	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("Ask did not return; the terminal shows:\n%s", scr.String())
	}
	require.NoError(t, r.err)
	assert.Equal(t, Answers{"ollama/OLLAMA_API_BASE_URL": "http://ollama.canary:11500", "openrouter/OPENROUTER_API_KEY": canaryKey}, r.a)
	time.Sleep(50 * time.Millisecond)
	shown := scr.String()
	assert.Contains(t, shown, "help: https://openrouter.ai/keys")
	for _, typed := range []string{canaryKey, canaryInvalid, "ollama.canary"} {
		assert.NotContains(t, shown, typed, "the terminal echoed what was typed")
	}
}

func type_(t *testing.T, w io.Writer, s string) {
	t.Helper()
	_, err := io.WriteString(w, s)
	require.NoError(t, err)
}

func TestTerminalGivesUpAfterAttempts(t *testing.T) {
	ptmx, tty, err := pty.Open()
	require.NoError(t, err)
	defer ptmx.Close()
	defer tty.Close()
	var scr screen
	go func() { _, _ = io.Copy(&scr, ptmx) }()
	spec := agentInbox(t)
	spec.Prompts = spec.Prompts[3:]
	done := make(chan error, 1)
	go func() {
		_, err := Terminal{In: tty, Out: tty, Attempts: 2}.Ask(context.Background(), spec)
		done <- err
	}()
	scr.waitFor(t, "OpenRouter API key: ")
	type_(t, ptmx, "\r")
	scr.waitFor(t, "a value is required; try again (2 of 2)")
	type_(t, ptmx, canaryInvalid+"\r")
	err = <-done
	var inv *InvalidError
	require.ErrorAs(t, err, &inv)
	assert.Equal(t, "openrouter/OPENROUTER_API_KEY", inv.ID)
	assert.NotContains(t, err.Error(), canaryInvalid)
}

// TestTerminalLineMode reads answers from a pipe, one line each.
func TestTerminalLineMode(t *testing.T) {
	spec := agentInbox(t)
	r, w, err := os.Pipe()
	require.NoError(t, err)
	go func() {
		io.WriteString(w, "\n\n\n"+canaryKey+"\n")
		w.Close()
	}()
	var out bytes.Buffer
	a, err := Terminal{In: r, Out: &out}.Ask(context.Background(), spec)
	require.NoError(t, err)
	assert.Equal(t, Answers{"openrouter/OPENROUTER_API_KEY": canaryKey}, a)
	assert.Contains(t, out.String(), "OpenRouter API key: ")
	assert.NotContains(t, out.String(), canaryKey)

	t.Run("an invalid line is an error, not a retry", func(t *testing.T) {
		var out bytes.Buffer
		_, err := Terminal{In: strings.NewReader("\n\n\n" + canaryInvalid + "\n" + canaryKey + "\n"), Out: &out}.Ask(context.Background(), spec)
		var inv *InvalidError
		require.ErrorAs(t, err, &inv)
		assert.NotContains(t, err.Error()+out.String(), canaryInvalid)
	})
	t.Run("input that ends before a required answer", func(t *testing.T) {
		_, err := Terminal{In: strings.NewReader("\n\n"), Out: io.Discard}.Ask(context.Background(), spec)
		assert.ErrorIs(t, err, ErrNoInput)
	})
	t.Run("a stored value is kept by an empty line", func(t *testing.T) {
		spec := agentInbox(t)
		spec.Prompts[3].Stored = true
		a, err := Terminal{In: strings.NewReader(""), Out: io.Discard}.Ask(context.Background(), spec)
		require.NoError(t, err)
		assert.Empty(t, a)
	})
	t.Run("a multi-line PEM value", func(t *testing.T) {
		pemSpec := &Spec{Version: 1, Prompts: []Field{{ID: "tls/KEY", Label: "Key", Required: true, Multiline: true, Pattern: `^-----BEGIN `}}}
		require.NoError(t, pemSpec.compile())
		key := "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBd\n-----END PRIVATE KEY-----\n"
		a, err := Terminal{In: strings.NewReader(key + "next\n"), Out: io.Discard}.Ask(context.Background(), pemSpec)
		require.NoError(t, err)
		assert.Equal(t, key, string(a["tls/KEY"]))
	})
}

func TestValueIsRedacted(t *testing.T) {
	a := Answers{"x/Y": Value(canaryKey)}
	var b strings.Builder
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		b.WriteString(fmtS(f, a))
	}
	assert.NotContains(t, b.String(), canaryKey)
	assert.Contains(t, b.String(), "[redacted]")
}
