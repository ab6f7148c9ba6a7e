package store

import (
	"runtime"
)

// maxReadWorkers bounds the goroutines (each with its own git storage) that
// read ledger files at once.
const maxReadWorkers = 4

// LedgerEventsMetadata reads the clear part of many events, as
// [Snapshot.LedgerEventMetadata] does for each, in the order of files. At a
// git revision the files are read and decoded on all cores (each worker
// with its own git storage). The error is the one reading them in order
// would stop at, and then the events returned are those before the file
// that failed.
func (sn *Snapshot) LedgerEventsMetadata(files []LedgerFile) ([]*LedgerEvent, error) {
	out := make([]*LedgerEvent, len(files))
	ts, ok := sn.src.(treeSource)
	if !ok {
		for i, f := range files {
			ev, err := sn.LedgerEventMetadata(f)
			if err != nil {
				return out[:i], err
			}
			out[i] = ev
		}
		return out, nil
	}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = ts.s.repoPath(f.Path)
	}
	workers := min(runtime.GOMAXPROCS(0), maxReadWorkers)
	err := ts.tree.ReadFiles(paths, workers, func(i int, data []byte) error {
		ev, err := eventMetadata(files[i], data)
		if err == nil {
			out[i] = ev
		}
		return err
	})
	if err != nil {
		// ReadFiles has read every file before the one that failed.
		n := 0
		for n < len(out) && out[n] != nil {
			n++
		}
		return out[:n], err
	}
	return out, nil
}
