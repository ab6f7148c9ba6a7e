package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// problemPrefix starts every header line edit adds; lines with it at the
// top of the file are removed when the file is read back.
const problemPrefix = "# secretsctl: "

// editBuffer is the private temporary file an edit works on: mode 0600 in
// a directory of mode 0700 that remove deletes.
type editBuffer struct {
	dir, path, rel string
}

// newEditBuffer creates the directory; the file is named like the
// document, so that editors pick YAML highlighting.
func newEditBuffer(rel string) (*editBuffer, error) {
	dir, err := os.MkdirTemp("", "secretsctl-edit-")
	if err != nil {
		return nil, fmt.Errorf("edit: create temporary directory: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("edit: %w", err)
	}
	return &editBuffer{dir: dir, path: filepath.Join(dir, path.Base(rel)), rel: rel}, nil
}

// write replaces the file with header and plain.
func (b *editBuffer) write(header string, plain []byte) error {
	f, err := os.OpenFile(b.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("edit: write temporary file: %w", err)
	}
	_, err = f.Write(append([]byte(header), plain...))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("edit: write temporary file: %w", err)
	}
	return nil
}

// read returns the file without the header lines at its top.
func (b *editBuffer) read() ([]byte, error) {
	data, err := os.ReadFile(b.path)
	if err != nil {
		return nil, fmt.Errorf("edit: read temporary file: %w", err)
	}
	for bytes.HasPrefix(data, []byte(strings.TrimSpace(problemPrefix))) {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		if !bytes.HasPrefix(line, []byte(problemPrefix)) && string(line) != strings.TrimSpace(problemPrefix) {
			break
		}
		data = rest
	}
	return data, nil
}

// remove deletes the directory and everything in it (editors leave swap
// and backup files next to the file).
func (b *editBuffer) remove() { os.RemoveAll(b.dir) }

// problemHeader renders a save's problems as comment lines, one per line
// of each error, or "" when there are none.
func problemHeader(rel string, problems error) string {
	if problems == nil {
		return ""
	}
	var sb strings.Builder
	sb.WriteString(problemPrefix + rel + " was not saved: fix the problems below and save again,\n")
	sb.WriteString(problemPrefix + "or save it unchanged to give up. Lines starting with '" + strings.TrimSpace(problemPrefix) + "' are removed.\n")
	for _, err := range leafErrors(problems) {
		for _, line := range strings.Split(err.Error(), "\n") {
			sb.WriteString(problemPrefix + line + "\n")
		}
	}
	return sb.String()
}

// leafErrors flattens errors joined with errors.Join.
func leafErrors(err error) []error {
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range joined.Unwrap() {
		out = append(out, leafErrors(e)...)
	}
	return out
}

// editorCommand is $VISUAL, else $EDITOR, else vi.
func editorCommand(e *env) string {
	for _, name := range []string{"VISUAL", "EDITOR"} {
		if v := strings.TrimSpace(e.getenv(name)); v != "" {
			return v
		}
	}
	return "vi"
}

// shellChars are the characters that make git run an editor command
// through the shell (run-command.c, prepare_shell_cmd).
const shellChars = "|&;<>()$`\\\"' \t\n*?[#~=%"

// runEditor runs the editor on a file as git does: a command with
// arguments or shell syntax as sh -c '$EDITOR "$@"', a plain program
// directly. A signal to secretsctl stops it.
func runEditor(ctx context.Context, e *env, file string) error {
	editor := editorCommand(e)
	cmd := exec.CommandContext(ctx, editor, file)
	if strings.ContainsAny(editor, shellChars) {
		cmd = exec.CommandContext(ctx, "sh", "-c", editor+` "$@"`, editor, file)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.stdin, e.stdout, e.stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		return errors.New("edit interrupted")
	}
	if err != nil {
		return fmt.Errorf("editor %q failed: %w", editor, err)
	}
	return nil
}
