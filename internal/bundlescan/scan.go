package bundlescan

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Options tune a scan. The zero value is ready to use.
type Options struct {
	// Workers scan files in parallel; default GOMAXPROCS.
	Workers int
	// ReadSize is the size of each read; default 64 KiB. A value split
	// across two reads is found all the same.
	ReadSize int
	// Limits bound what archives may expand to.
	Limits Limits
	// TempDir holds nested zip archives too large to keep in memory while
	// they are read (a zip needs random access); default os.TempDir().
	// Nothing else is ever written, and these files are removed at once.
	TempDir string
	// Progress, when set, is called about five times a second and once at
	// the end, from another goroutine.
	Progress func(Progress)

	segmentSize int64 // tests make it small
}

// Progress is how far a scan is.
type Progress struct {
	FilesDone, Files int
	// Bytes counts bytes read, archive entries decompressed.
	Bytes int64
}

// segmentSize is the part of a large plain file one worker scans, so that a
// single multi-GB file still uses every core.
const segmentSize = 32 << 20

// compareFindings orders findings by file, offset, secret and encoding.
func compareFindings(a, b Finding) int {
	return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Offset, b.Offset),
		cmp.Compare(a.Secret, b.Secret), cmp.Compare(a.Deployment, b.Deployment), cmp.Compare(a.Encoding, b.Encoding), cmp.Compare(a.Rule, b.Rule))
}

// Scan looks for every secret's value, in every [Encodings] form, in the file
// or directory at path and inside the archives it holds, and for rendered
// env and config files that set a secret's Names. It returns the findings
// sorted by file and offset. Values shorter than [MinValueLen] are listed
// in Report.Unscannable, not looked for.
//
// An archive that is malformed, nests too deep, holds an entry whose path
// leaves it (../) or expands past the limits stops the scan with an
// [*ArchiveError].
func Scan(ctx context.Context, path string, secrets []Secret, opts Options) (*Report, error) {
	opts = opts.withDefaults()
	rep := &Report{Path: path, Findings: []Finding{}, Unscannable: []Unscannable{}}
	var pats []pattern
	for i, s := range secrets {
		switch {
		case len(s.Value) == 0 && len(s.Names) == 0:
			rep.Unscannable = append(rep.Unscannable, Unscannable{Secret: s.ID, Reason: "no value"})
		case len(s.Value) == 0:
		case len(s.Value) < MinValueLen:
			rep.Unscannable = append(rep.Unscannable, Unscannable{Secret: s.ID,
				Reason: fmt.Sprintf("value shorter than %d bytes: it would match ordinary bytes everywhere", MinValueLen)})
		default:
			pats = append(pats, patterns(s.Value, i)...)
			rep.Secrets++
		}
	}
	jobs, err := plan(path, opts)
	if err != nil {
		return nil, err
	}
	sc := &scanner{secrets: secrets, m: newMatcher(pats), names: newNameRule(secrets), opts: opts}
	if err := sc.run(ctx, jobs, rep); err != nil {
		return nil, err
	}
	slices.SortFunc(rep.Findings, compareFindings)
	return rep, nil
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.ReadSize <= 0 {
		o.ReadSize = 64 << 10
	}
	if o.segmentSize <= 0 {
		o.segmentSize = segmentSize
	}
	if o.TempDir == "" {
		o.TempDir = os.TempDir()
	}
	o.Limits = o.Limits.withDefaults()
	return o
}

// job is one file, or one segment of a large plain file, to scan.
type job struct {
	path, name  string
	off, length int64
	// segmented marks a segment of a large plain file; last marks a file's
	// last (or only) job.
	segmented, last bool
}

// plan lists the files under path, cutting large plain files into segments.
func plan(path string, opts Options) ([]job, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", path, err)
	}
	if !info.IsDir() {
		return fileJobs(path, filepath.Base(path), info.Size(), opts.segmentSize)
	}
	var jobs []job
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil // directories; symlinks are not followed
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(path, p)
		js, err := fileJobs(p, filepath.ToSlash(rel), info.Size(), opts.segmentSize)
		jobs = append(jobs, js...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", path, err)
	}
	// Largest first, so that one big file does not finish alone at the end.
	slices.SortStableFunc(jobs, func(a, b job) int { return cmp.Compare(b.size(), a.size()) })
	return jobs, nil
}

func (j job) size() int64 { return j.length }

func fileJobs(path, name string, size, segmentSize int64) ([]job, error) {
	if size < 2*segmentSize || isConfigFile(name) {
		return []job{{path: path, name: name, length: size, last: true}}, nil
	}
	kind, err := sniffFile(path)
	if err != nil || kind != kindPlain {
		return []job{{path: path, name: name, length: size, last: true}}, err
	}
	var jobs []job
	for off := int64(0); off < size; off += segmentSize {
		jobs = append(jobs, job{path: path, name: name, off: off, length: min(segmentSize, size-off),
			segmented: true, last: off+segmentSize >= size})
	}
	return jobs, nil
}

// scanner runs the jobs on Options.Workers goroutines.
type scanner struct {
	secrets []Secret
	m       *matcher
	names   *nameRule
	opts    Options

	mu       sync.Mutex
	findings []Finding
	files    int
	bytes    atomic.Int64
	done     atomic.Int64
	expanded atomic.Int64 // bytes archives decompressed to, for Limits.MaxExpanded
}

func (sc *scanner) run(ctx context.Context, jobs []job, rep *Report) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	total := 0
	for _, j := range jobs {
		if j.last {
			total++
		}
	}
	stop := sc.reportProgress(total)
	ch := make(chan job)
	var wg sync.WaitGroup
	for range min(sc.opts.Workers, max(len(jobs), 1)) {
		wg.Go(func() {
			w := sc.newWorker()
			for j := range ch {
				if err := w.do(ctx, j); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for _, j := range jobs {
		select {
		case ch <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(ch)
	wg.Wait()
	stop()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	rep.Findings = append(rep.Findings, sc.findings...)
	rep.Files = sc.files
	rep.Bytes = sc.bytes.Load()
	return nil
}

// reportProgress calls Options.Progress until the returned stop is called.
func (sc *scanner) reportProgress(total int) (stop func()) {
	if sc.opts.Progress == nil {
		return func() {}
	}
	quit, finished := make(chan struct{}), make(chan struct{})
	send := func() {
		sc.opts.Progress(Progress{FilesDone: int(sc.done.Load()), Files: total, Bytes: sc.bytes.Load()})
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				send()
			case <-quit:
				send()
				return
			}
		}
	}()
	return func() { close(quit); <-finished }
}

func (sc *scanner) add(fs []Finding, files int) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.findings = append(sc.findings, fs...)
	sc.files += files
}
