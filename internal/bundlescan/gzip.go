package bundlescan

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"unicode/utf8"
)

// gzip scans the decompressed stream under the same name: a .tar.gz's
// entries read "app.tar.gz!/file", a .gz file's offsets are offsets in its
// decompressed content. Every member is decompressed to its end, so that
// its CRC-32 and size are checked, and the stream's own bytes (header
// fields, trailers, bytes after the last member) are scanned as well.
func (w *worker) gzip(ctx context.Context, name string, r io.Reader, depth int, b *budget) error {
	tap := newRawScan(w.sc.m)
	// gzip and flate read a bufio.Reader without buffering it again, so
	// tap.pos - br.Buffered() is how far the members go.
	br := bufio.NewReader(io.TeeReader(r, tap))
	g := &gzipMembers{name: name, br: br, tap: tap}
	if err := g.next(); err != nil {
		return err
	}
	in := &expander{r: g, file: name, b: b, compressed: g.consumed}
	before := len(w.findings)
	w.files-- // the decompressed stream is the same file, counted once
	if err := w.item(ctx, name, in, nil, -1, depth+1, b); err != nil {
		return wrap(name, "gzip", err)
	}
	if _, err := io.Copy(io.Discard, in); err != nil {
		return wrap(name, "gzip", err)
	}
	seen := w.seenSince(before)
	trailing := g.consumed()
	if _, err := io.Copy(io.Discard, br); err != nil {
		return readError(name, err)
	}
	g.regions = append(g.regions, region{start: trailing, end: tap.pos, place: name + "!<trailing data>"})
	for i := range g.regions {
		if g.regions[i].place == name+"!<compressed data>" {
			g.regions[i].seen = seen
		}
	}
	w.attribute(tap.hits, g.regions, name+"!<trailing data>")
	return nil
}

// gzipMembers reads the members of a gzip stream one after the other,
// noting where each one's header fields, data and trailer lie, and stops
// at the first bytes that are not a gzip member: trailing data.
type gzipMembers struct {
	name    string
	br      *bufio.Reader
	tap     *rawScan
	zr      *gzip.Reader
	done    bool
	data    int64 // where the current member's compressed data starts
	regions []region
}

func (g *gzipMembers) consumed() int64 { return g.tap.pos - int64(g.br.Buffered()) }

func (g *gzipMembers) Read(p []byte) (int, error) {
	for !g.done {
		n, err := g.zr.Read(p)
		if !errors.Is(err, io.EOF) {
			if err != nil {
				return n, archiveErrorf(g.name, "gzip: %v", err)
			}
			return n, nil
		}
		end := g.consumed()
		g.regions = append(g.regions,
			region{start: g.data, end: end - 8, place: g.name + "!<compressed data>"},
			region{start: end - 8, end: end, place: g.name + "!<gzip trailer>"})
		if err := g.next(); err != nil {
			return n, err
		}
		if n > 0 {
			return n, nil
		}
	}
	return 0, io.EOF
}

// next reads the next member's header, or marks the end when the bytes
// that follow are not a gzip member.
func (g *gzipMembers) next() error {
	head, _ := g.br.Peek(2)
	if len(head) < 2 || head[0] != 0x1f || head[1] != 0x8b {
		g.done = true
		return nil
	}
	start := g.consumed()
	var err error
	if g.zr == nil {
		g.zr, err = gzip.NewReader(g.br)
	} else {
		err = g.zr.Reset(g.br)
	}
	if err != nil {
		return archiveErrorf(g.name, "gzip: %v", err)
	}
	g.zr.Multistream(false)
	g.data = g.consumed()
	g.headerRegions(start, g.data)
	return nil
}

// headerRegions notes where the header's optional fields lie (RFC 1952
// §2.3: extra, file name, comment, in that order).
func (g *gzipMembers) headerRegions(start, end int64) {
	h := g.zr.Header
	p := start + 10
	add := func(from, to int64, place string) {
		g.regions = append(g.regions, region{start: from, end: min(to, end), place: g.name + "!<" + place + ">"})
	}
	add(start, p, "gzip header")
	if h.Extra != nil {
		add(p, p+2+int64(len(h.Extra)), "gzip extra field")
		p += 2 + int64(len(h.Extra))
	}
	for _, f := range []struct{ text, place string }{{h.Name, "gzip file name"}, {h.Comment, "gzip comment"}} {
		if f.text != "" {
			n := int64(utf8.RuneCountInString(f.text)) + 1 // Latin-1 on the wire, NUL-terminated
			add(p, p+n, f.place)
			p += n
		}
	}
	if p < end {
		add(p, end, "gzip header")
	}
}
