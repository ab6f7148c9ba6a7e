// Command benchverify generates a bundle of a given size and measures how
// fast bundlescan scans it for 50 secret values (or -values N: verify-bundle's
// store scope looks for thousands); scripts/bench-verify.sh runs it. It
// prints MB/s and the process's peak RSS.
//
//	go run ./internal/cmds/benchverify -gen DIR -size-mb 1024
//	go run ./internal/cmds/benchverify -scan DIR [-values 5000]
package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/secretsctl/secretsctl/internal/bundlescan"
)

func main() {
	gen := flag.String("gen", "", "generate a bundle in this directory")
	size := flag.Int("size-mb", 1024, "bundle size in MiB (with -gen)")
	scan := flag.String("scan", "", "scan this bundle for -values values")
	nvalues := flag.Int("values", 50, "values to look for (with -scan); the bundle holds the first ones")
	flag.Parse()
	var err error
	switch {
	case *gen != "":
		err = generate(*gen, *size)
	case *scan != "":
		err = measure(*scan, *nvalues)
	default:
		err = fmt.Errorf("pass -gen DIR or -scan DIR")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchverify:", err)
		os.Exit(1)
	}
}

// values are the benchmark values: 16 to 48 alphanumeric bytes each. The
// first 50 are the same whatever n is; the bundle plants those.
func values(n int) []bundlescan.Secret {
	r := rand.New(rand.NewPCG(7, 7))
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	out := make([]bundlescan.Secret, n)
	for i := range out {
		v := make([]byte, 16+r.IntN(33))
		for j := range v {
			v[j] = alnum[r.IntN(len(alnum))]
		}
		out[i] = bundlescan.Secret{ID: fmt.Sprintf("bench/SECRET_%04d", i), Value: v}
	}
	return out
}

// text fills b with word-like text: a JavaScript bundle's bytes more than
// random noise (which is easier on a byte filter).
func text(r *rand.Rand, b []byte) {
	words := []string{"function", "return", "const", "this", "value", "=>", "{", "}", "(", ");", "\n", "props",
		"export", "default", "import", "from", "'react'", "null", "true", "0x1f", "width", "height", "style"}
	for i := 0; i < len(b); {
		w := words[r.IntN(len(words))]
		i += copy(b[i:], w)
		if i < len(b) {
			b[i] = ' '
			i++
		}
	}
}

// generate writes sizeMB MiB: 1 MiB source files in directories, one large
// file, and a zip and a tar.gz of 32 MiB each, with 5 values planted.
func generate(dir string, sizeMB int) error {
	r := rand.New(rand.NewPCG(1, 1))
	buf := make([]byte, 1<<20)
	vals := values(50)
	plant := func(i int) { copy(buf[r.IntN(len(buf)-64):], vals[i%len(vals)].Value) }
	write := func(name string, mb int) error {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return err
		}
		f, err := os.Create(name)
		if err != nil {
			return err
		}
		for i := range mb {
			text(r, buf)
			if i == mb/2 && mb > 1 {
				plant(i)
			}
			if _, err := f.Write(buf); err != nil {
				return err
			}
		}
		return f.Close()
	}
	archive := func(name string, mb int) error {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		var w io.Writer
		var closers []io.Closer
		if filepath.Ext(name) == ".zip" {
			zw := zip.NewWriter(f)
			closers = append(closers, zw)
			if w, err = zw.Create("resources/app.js"); err != nil {
				return err
			}
		} else {
			gz := gzip.NewWriter(f)
			tw := tar.NewWriter(gz)
			closers = append(closers, tw, gz)
			if err := tw.WriteHeader(&tar.Header{Name: "resources/app.js", Mode: 0o644, Size: int64(mb) << 20}); err != nil {
				return err
			}
			w = tw
		}
		for i := range mb {
			text(r, buf)
			if i == mb/2 {
				plant(i)
			}
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
		for _, c := range closers {
			if err := c.Close(); err != nil {
				return err
			}
		}
		return f.Close()
	}
	big := min(128, sizeMB/4)
	if err := write(filepath.Join(dir, "resources", "big.bin"), big); err != nil {
		return err
	}
	if err := archive("app.zip", 32); err != nil {
		return err
	}
	if err := archive("app.tar.gz", 32); err != nil {
		return err
	}
	for i := range sizeMB - big - 64 {
		if err := write(filepath.Join(dir, fmt.Sprintf("src/%02d/chunk-%04d.js", i%20, i)), 1); err != nil {
			return err
		}
	}
	return nil
}

func measure(dir string, n int) error {
	start := time.Now()
	rep, err := bundlescan.Scan(context.Background(), dir, values(n), bundlescan.Options{})
	if err != nil {
		return err
	}
	el := time.Since(start)
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("scanned %d files, %.0f MiB (decompressed) for %d values in %.2f s: %.0f MB/s; %d findings; peak RSS %d MiB\n",
		rep.Files, float64(rep.Bytes)/(1<<20), rep.Secrets, el.Seconds(), float64(rep.Bytes)/1e6/el.Seconds(), len(rep.Findings), ru.Maxrss/1024)
	return nil
}
