package cli

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// flushWriter buffers log lines and writes them out at least every period,
// so a busy server does not pay one write(2) per request line. Close
// flushes what is left.
type flushWriter struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newFlushWriter(w io.Writer, period time.Duration) *flushWriter {
	f := &flushWriter{w: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(f.done)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				f.flush()
			case <-f.stop:
				f.flush()
				return
			}
		}
	}()
	return f
}

func (f *flushWriter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.w.Write(p)
}

func (f *flushWriter) flush() {
	f.mu.Lock()
	defer f.mu.Unlock()
	_ = f.w.Flush()
}

// Close flushes and stops the timer.
func (f *flushWriter) Close() error {
	close(f.stop)
	<-f.done
	return nil
}
