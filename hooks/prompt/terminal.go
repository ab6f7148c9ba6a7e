package prompt

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// Terminal asks for answers on a terminal, or reads them line by line when
// In is not one.
type Terminal struct {
	// In is where answers come from. When it is a terminal (*os.File on a
	// tty) typing is not echoed; otherwise one line is read per prompt.
	In io.Reader
	// Out receives the prompts and messages (a CLI passes stderr). Values
	// are never written to it.
	Out io.Writer
	// Attempts is how many times a terminal user may try one prompt
	// (default 3). Line mode has no retries: an invalid line is an error,
	// so a script cannot drift onto the next prompt's line.
	Attempts int
}

// ErrNoInput is wrapped when the input ends before a required answer.
var ErrNoInput = errors.New("no more input")

// Ask asks every prompt of spec in order and returns the answers. It stops
// at the first prompt that gets no valid answer, with an [*InvalidError]
// or an error wrapping [ErrNoInput].
func (t Terminal) Ask(ctx context.Context, spec *Spec) (Answers, error) {
	read := t.lineReader()
	tty := false
	if f, ok := t.In.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		tty = true
		read = func() (string, error) { return readHidden(f) }
	}
	answers := Answers{}
	for i := range spec.Prompts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f := &spec.Prompts[i]
		v, err := t.ask(f, read, tty)
		if err != nil {
			return nil, err
		}
		if v != "" {
			answers[f.ID] = Value(v)
		}
	}
	return answers, nil
}

// ask asks one prompt, up to Attempts times on a terminal.
func (t Terminal) ask(f *Field, read func() (string, error), tty bool) (string, error) {
	attempts := t.Attempts
	if attempts <= 0 {
		attempts = 3
	}
	if !tty {
		attempts = 1
	}
	t.describe(f)
	for try := 1; ; try++ {
		fmt.Fprintf(t.Out, "%s: ", f.Label)
		v, err := t.readValue(f, read)
		fmt.Fprintln(t.Out) // the answer and its Enter were not echoed
		if err != nil {
			return "", fmt.Errorf("%s (%s): %w", f.Label, f.ID, err)
		}
		err = f.Check(v)
		if err == nil {
			return v, nil
		}
		if try >= attempts {
			return "", err
		}
		var inv *InvalidError
		errors.As(err, &inv)
		fmt.Fprintf(t.Out, "  %s; try again (%d of %d)\n", inv.Reason, try+1, attempts)
	}
}

// describe prints what a prompt is for, before its first attempt.
func (t Terminal) describe(f *Field) {
	fmt.Fprintf(t.Out, "\n%s (%s)", f.Label, f.ID)
	switch {
	case f.Stored:
		fmt.Fprint(t.Out, " — stored already; press Enter to keep it")
	case !f.Required:
		fmt.Fprint(t.Out, " — optional; press Enter to skip")
	}
	fmt.Fprintln(t.Out)
	if f.Description != "" {
		fmt.Fprintf(t.Out, "  %s\n", f.Description)
	}
	if f.HelpURL != "" {
		fmt.Fprintf(t.Out, "  help: %s\n", f.HelpURL)
	}
	if f.Multiline {
		fmt.Fprintln(t.Out, "  paste the value, then a line with a single '.'")
	}
}

// readValue reads one answer: one line, or for a multi-line field lines up
// to a "." line (or the end of a PEM block, or of the input).
func (t Terminal) readValue(f *Field, read func() (string, error)) (string, error) {
	if !f.Multiline {
		line, err := read()
		if errors.Is(err, io.EOF) && line == "" {
			if f.Required && !f.Stored {
				return "", ErrNoInput
			}
			return "", nil
		}
		return line, nonEOF(err)
	}
	var b strings.Builder
	for {
		line, err := read()
		if line == "." || (errors.Is(err, io.EOF) && line == "") {
			break
		}
		if b.Len() == 0 && line == "" {
			return "", nonEOF(err)
		}
		b.WriteString(line + "\n")
		if strings.HasPrefix(line, "-----END ") || err != nil {
			break
		}
	}
	return b.String(), nil
}

func nonEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// lineReader reads In one line at a time, without the line ending.
func (t Terminal) lineReader() func() (string, error) {
	br := bufio.NewReader(t.In)
	return func() (string, error) {
		line, err := br.ReadString('\n')
		return strings.TrimRight(line, "\r\n"), err
	}
}

// readHidden reads one line from a terminal with echo off.
func readHidden(f *os.File) (string, error) {
	b, err := term.ReadPassword(int(f.Fd()))
	return string(b), err
}
