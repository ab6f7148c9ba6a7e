package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal; progress goes only there.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress prints "label n/total" on one self-overwriting stderr line, at
// most ten times a second, and only when stderr is a terminal.
type progress struct {
	w     io.Writer
	label string
	total int
	n     int
	last  time.Time
}

func newProgress(e *env, label string, total int) *progress {
	if !e.stderrTTY {
		return nil
	}
	return &progress{w: e.stderr, label: label, total: total}
}

// step counts one unit of work done.
func (p *progress) step() {
	if p == nil {
		return
	}
	p.n++
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond || p.n == p.total {
		p.last = now
		fmt.Fprintf(p.w, "\r%s %d/%d", p.label, p.n, p.total)
	}
}

// done clears the progress line.
func (p *progress) done() {
	if p == nil {
		return
	}
	fmt.Fprint(p.w, "\r\033[K")
}
