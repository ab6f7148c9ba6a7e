package bundlescan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
)

// maxConfigSize is the largest env or config file read whole to check the
// names it sets; larger ones are only scanned for values.
const maxConfigSize = 16 << 20

// spoolInMemory is the largest nested zip kept in memory; larger ones are
// copied to a temporary file, since a zip is read from its end.
const spoolInMemory = 8 << 20

// worker scans one job at a time with its own read buffer.
type worker struct {
	sc       *scanner
	st       *streamer
	findings []Finding
	files    int
}

func (sc *scanner) newWorker() *worker {
	return &worker{sc: sc, st: newStreamer(sc.m, sc.opts.ReadSize)}
}

// do scans one job and hands its findings to the scanner.
func (w *worker) do(ctx context.Context, j job) error {
	defer func() {
		w.sc.add(w.findings, w.files)
		w.findings, w.files = w.findings[:0], 0
		if j.last {
			w.sc.done.Add(1)
		}
	}()
	f, err := os.Open(j.path)
	if err != nil {
		return fmt.Errorf("scan %s: %w", j.name, err)
	}
	defer f.Close()
	if j.segmented {
		return w.segment(ctx, f, j)
	}
	b := &budget{limits: w.sc.opts.Limits, expanded: &w.sc.expanded}
	return w.item(ctx, j.name, f, f, j.length, 0, b)
}

// segment scans one part of a large plain file, reading maxLen-1 bytes past
// its end so a value straddling the next segment is found here.
func (w *worker) segment(ctx context.Context, f *os.File, j job) error {
	if j.last {
		w.files++
	}
	r := io.NewSectionReader(f, j.off, j.length+int64(w.sc.m.maxLen-1))
	var read atomic.Int64 // counts the overlap too: Report.Bytes takes j.length
	_, err := w.st.scan(ctx, r, &read, func(p int32, off int64) {
		if off < j.length {
			w.value(j.name, p, j.off+off)
		}
	})
	w.sc.bytes.Add(j.length)
	if err != nil {
		return fmt.Errorf("scan %s: %w", j.name, err)
	}
	return nil
}

// item scans one file or archive entry: r is its content; ra, when not nil,
// gives random access to it (a file on disk) for zip.
func (w *worker) item(ctx context.Context, name string, r io.Reader, ra io.ReaderAt, size int64, depth int, b *budget) error {
	head := make([]byte, sniffLen)
	n, err := fill(r, head)
	if err != nil && !errors.Is(err, io.EOF) {
		return readError(name, err)
	}
	head = head[:n]
	body := io.MultiReader(bytes.NewReader(head), r)
	k := sniff(head)
	w.files++
	if k != kindPlain && depth >= w.sc.opts.Limits.MaxDepth {
		return archiveErrorf(name, "archives nest more than %d deep (limit --max-depth)", w.sc.opts.Limits.MaxDepth)
	}
	switch k {
	case kindGzip:
		return w.gzip(ctx, name, body, depth, b)
	case kindTar:
		return w.tar(ctx, name, body, depth, b)
	case kindZip:
		return w.zip(ctx, name, body, ra, size, depth, b)
	case kindAsar:
		return w.asar(ctx, name, body, depth, b)
	}
	if isConfigFile(name) {
		return w.config(ctx, name, body)
	}
	return w.plain(ctx, name, body)
}

func (w *worker) plain(ctx context.Context, name string, r io.Reader) error {
	_, err := w.st.scan(ctx, r, &w.sc.bytes, func(p int32, off int64) { w.value(name, p, off) })
	if err != nil {
		return readError(name, err)
	}
	return nil
}

// config reads a rendered env or config file whole, to check both the
// values in it and the names it sets.
func (w *worker) config(ctx context.Context, name string, r io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(r, maxConfigSize+1))
	if err != nil {
		return readError(name, err)
	}
	if len(data) > maxConfigSize {
		return w.plain(ctx, name, io.MultiReader(bytes.NewReader(data), r))
	}
	w.sc.bytes.Add(int64(len(data)))
	w.sc.m.scan(data, func(p int32, off int) { w.value(name, p, int64(off)) })
	w.findings = append(w.findings, w.sc.names.check(name, data)...)
	return nil
}

// value records a match of pattern p at off in file name.
func (w *worker) value(name string, p int32, off int64) {
	pat := w.sc.m.pats[p]
	s := &w.sc.secrets[pat.secret]
	w.findings = append(w.findings, Finding{Rule: RuleValue, File: name, Offset: off,
		Secret: s.ID, Deployment: s.Deployment, Encoding: pat.encoding})
}

// readError passes archive errors and cancellation through and names the
// file in any other.
func readError(name string, err error) error {
	var ae *ArchiveError
	if errors.As(err, &ae) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("scan %s: %w", name, err)
}
