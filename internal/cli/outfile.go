package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// withStdout is e writing its data to w.
func (e *env) withStdout(w io.Writer) *env {
	c := *e
	c.stdout = w
	return &c
}

// writeOutput calls write with stdout, or, when path is set, with a
// temporary file next to path that replaces path once write succeeds, so a
// failed run never leaves half a file behind.
func writeOutput(e *env, path string, write func(io.Writer) error) error {
	if path == "" {
		return write(e.stdout)
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(e.cwd, path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write --out %s: %w", path, err)
	}
	defer os.Remove(f.Name()) // a no-op once renamed
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return fmt.Errorf("write --out %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write --out %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write --out %s: %w", path, err)
	}
	return nil
}
