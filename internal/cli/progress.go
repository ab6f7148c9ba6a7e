package cli

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	ucli "github.com/urfave/cli/v3"
	"golang.org/x/term"
)

// progressDelay is how long work runs before its progress shows: a quick
// command prints nothing. SECRETSCTL_PROGRESS_DELAY (a Go duration)
// changes it, for tests; it is not part of the documented interface.
const progressDelay = time.Second

// isTerminal reports whether w is a terminal; progress goes only there.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress shows a counter on one self-overwriting stderr line (a bar, the
// count and the rate; a spinner when the total is unknown) once the work
// has run for progressDelay, only when stderr is a terminal and neither
// --quiet nor a machine format (json, sarif, yaml) is in effect. A nil
// *progress does nothing.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	unit  string
	total int
	n     int
	start time.Time
	delay time.Duration
	bar   *progressbar.ProgressBar
	stop  chan struct{}  // ends a spinner's ticker
	tick  sync.WaitGroup // the spinner's ticker, running
}

// newProgress starts counting units of work towards total (-1 or 0 when
// unknown); nil when progress is not to be shown.
func newProgress(e *env, label string, total int) *progress {
	return newProgressUnit(e, label, "items", total)
}

func newProgressUnit(e *env, label, unit string, total int) *progress {
	if !e.stderrTTY || e.quiet {
		return nil
	}
	if total <= 0 {
		total = -1
	}
	delay := progressDelay
	if d, err := time.ParseDuration(e.getenv("SECRETSCTL_PROGRESS_DELAY")); err == nil {
		delay = d
	}
	return &progress{w: e.stderr, label: label, unit: unit, total: total, start: time.Now(), delay: delay}
}

// step counts one unit of work done.
func (p *progress) step() { p.add(1) }

// add counts n units of work done.
func (p *progress) add(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n += n
	p.show()
}

// set says how far the work is: n of total (total <= 0 keeps the old one),
// with label as the description.
func (p *progress) set(n, total int, label string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n, p.label = n, label
	if total > 0 && total != p.total {
		p.total = total
		if p.bar != nil {
			p.bar.ChangeMax(total)
		}
	}
	p.show()
}

// show draws the line once progressDelay has passed; p.mu is held.
func (p *progress) show() {
	if p.bar == nil {
		if time.Since(p.start) < p.delay {
			return
		}
		p.bar = progressbar.NewOptions(p.total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(p.label),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString(p.unit),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	p.bar.Describe(p.label)
	_ = p.bar.Set(p.n)
}

// spin shows a spinner with the elapsed time for work that reports no
// counts (a library call such as lint.Run), redrawn ten times a second.
func spin(e *env, label string) *progress {
	p := newProgress(e, label, -1)
	if p == nil {
		return nil
	}
	p.add(0) // draws at once when there is no delay
	p.stop = make(chan struct{})
	p.tick.Go(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.add(0)
			}
		}
	})
	return p
}

// done clears the progress line, if one was drawn.
func (p *progress) done() {
	if p == nil {
		return
	}
	if p.stop != nil {
		close(p.stop)
		p.tick.Wait() // no redraw after the line is cleared
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		// Finish, not Exit: it also stops the library's spinner ticker.
		_ = p.bar.Finish()
		_ = p.bar.Clear()
	}
}

// quietFlag is the global --quiet.
func quietFlag() *ucli.BoolFlag {
	return &ucli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "show no progress on stderr", Sources: ucli.EnvVars("SECRETSCTL_QUIET")}
}

// machineFormat reports whether format is read by programs; progress never
// accompanies it.
func machineFormat(format string) bool {
	return format == "json" || format == "sarif" || format == "yaml"
}
