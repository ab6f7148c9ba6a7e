package bundlescan

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
)

// streamer scans a reader in fixed-size reads, keeping the last maxLen-1
// bytes of each read in front of the next so that a value split across two
// reads is found, and no match is reported twice. Memory is one buffer.
type streamer struct {
	m   *matcher
	buf []byte
}

func newStreamer(m *matcher, readSize int) *streamer {
	return &streamer{m: m, buf: make([]byte, m.maxLen+readSize)}
}

// scan reads r to its end and calls found with the absolute offset of each
// match. It returns the number of bytes read; each read is also added to
// read, for progress.
func (s *streamer) scan(ctx context.Context, r io.Reader, read *atomic.Int64, found func(pat int32, off int64)) (int64, error) {
	var (
		kept  int   // bytes carried over from the previous read
		base  int64 // absolute offset of buf[0]
		total int64
	)
	keep := s.m.maxLen - 1
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n, err := fill(r, s.buf[kept:])
		total += int64(n)
		read.Add(int64(n))
		end := kept + n
		s.m.scan(s.buf[:end], func(p int32, start int) {
			// A match ending inside the carried-over bytes was reported
			// with the previous read.
			if start+len(s.m.pats[p].bytes) > kept {
				found(p, base+int64(start))
			}
		})
		if errors.Is(err, io.EOF) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		carry := min(keep, end)
		copy(s.buf, s.buf[end-carry:end])
		base += int64(end - carry)
		kept = carry
	}
}

// fill reads until buf is full or r fails. Unlike io.ReadFull it passes
// every error through as is, so a truncated archive's io.ErrUnexpectedEOF
// is not mistaken for a clean end.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
