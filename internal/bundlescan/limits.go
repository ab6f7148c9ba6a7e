package bundlescan

import (
	"fmt"
	"io"
	"sync/atomic"
)

// Limits bound the work an archive may cause, so that a hostile bundle (a
// zip bomb, an archive of a million empty entries) fails cleanly instead of
// exhausting memory, disk or time. Zero fields take the defaults.
type Limits struct {
	// MaxDepth is how many archives may nest (a zip in a tar.gz is 2:
	// gzip counts as one); default 8.
	MaxDepth int
	// MaxEntries is the number of archive entries one top-level file may
	// hold, nested ones included; default 1,000,000.
	MaxEntries int
	// MaxExpanded is the number of bytes the bundle's archives may
	// decompress to, all files and levels counted; default 64 GiB.
	MaxExpanded int64
	// MaxRatio is how many times its compressed size an entry may
	// expand to once past 8 MiB; default 250 (deflate's maximum is about
	// 1,032, reached only by pathological data such as a zip bomb's).
	MaxRatio int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxDepth <= 0 {
		l.MaxDepth = 8
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = 1_000_000
	}
	if l.MaxExpanded <= 0 {
		l.MaxExpanded = 64 << 30
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = 250
	}
	return l
}

// ratioFloor is the decompressed size under which the ratio is not checked.
const ratioFloor = 8 << 20

// An ArchiveError is an archive the scan refuses: malformed, unsafe or over
// a limit. File names the archive (and the entry, inside archives).
type ArchiveError struct {
	File   string
	Reason string
}

func (e *ArchiveError) Error() string { return fmt.Sprintf("archive %s: %s", e.File, e.Reason) }

func archiveErrorf(file, format string, args ...any) error {
	return &ArchiveError{File: file, Reason: fmt.Sprintf(format, args...)}
}

// budget is what is left of the limits: entries for one top-level file,
// expanded bytes for the whole bundle (shared by the workers).
type budget struct {
	limits   Limits
	entries  int
	expanded *atomic.Int64
}

func (b *budget) entry(file string) error {
	b.entries++
	if b.entries > b.limits.MaxEntries {
		return archiveErrorf(file, "more than %d archive entries (limit --max-entries)", b.limits.MaxEntries)
	}
	return nil
}

// expander counts the bytes an archive entry decompresses to, and fails
// when they pass the budget or the entry's ratio to its compressed size.
type expander struct {
	r          io.Reader
	file       string
	b          *budget
	n          int64
	compressed func() int64 // nil: no ratio check (stored data)
}

func (e *expander) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.n += int64(n)
	if e.b.expanded.Add(int64(n)) > e.b.limits.MaxExpanded {
		return n, archiveErrorf(e.file, "the bundle's archives expand to more than %d bytes (limit --max-expanded)", e.b.limits.MaxExpanded)
	}
	if e.compressed != nil && e.n > ratioFloor && e.n > e.b.limits.MaxRatio*max(e.compressed(), 1) {
		return n, archiveErrorf(e.file, "expands more than %d times its compressed size: a zip bomb? (limit --max-ratio)", e.b.limits.MaxRatio)
	}
	return n, err
}
