package api

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// maxHeldBytes is how much a connection holds before it writes anyway.
const maxHeldBytes = 64 << 10

// CoalesceWrites wraps ln so that each accepted connection sends an HTTP
// response in one write(2) instead of several.
//
// net/http buffers a response's header and body in a 4 KiB writer per
// connection, so a 14.5 KB manifest leaves in two system calls (the full
// buffer, then the rest), and the client wakes up for each. A connection
// from this listener holds what net/http writes and sends it at the end of
// the response. net/http marks that end for every request: it resets the
// write deadline after each response and changes the read deadline before
// it reads the next request. So the held bytes go out, in one write, when
//
//   - a deadline is set or cleared (the old write deadline still applies
//     to that write),
//   - the connection closes (Close and CloseWrite), or the handler reads
//     the request body (so that "100 Continue" goes out),
//   - the held bytes would pass 64 KiB (they go out with the new ones in
//     one writev(2)),
//   - a handler flushes (http.Flusher, http.ResponseController) or
//     hijacks the connection (which then writes straight through).
//
// CoalesceWrites is for a server from [NewHTTPServer], which wraps its
// handler for the last two and for request bodies, and speaks HTTP/1.1.
//
// A failed write closes the connection (net/http's next read then fails,
// and it drops the connection as after any failed write); every later
// Write, Close and deadline setter returns that error.
func CoalesceWrites(ln net.Listener) net.Listener { return &coalescingListener{ln} }

type coalescingListener struct{ net.Listener }

func (l *coalescingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &coalescingConn{Conn: c}, nil
}

// coalescingConn holds written bytes until the end of a response.
type coalescingConn struct {
	net.Conn

	mu     sync.Mutex
	held   []byte
	err    error // the first failed write: every later one fails too
	direct bool  // after a hijack: no holding

	// bodyReads counts the handler's request body reads in progress: a
	// read from the connection then flushes first (net/http writes
	// "100 Continue" before it reads a body the client holds back for it).
	bodyReads atomic.Int32
}

var heldPool = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

func (c *coalescingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.err != nil:
		return 0, c.err
	case c.direct || len(c.held) == 0 && len(p) > maxHeldBytes:
		n, err := c.Conn.Write(p)
		return n, c.check(err)
	case len(c.held)+len(p) > maxHeldBytes:
		bufs := net.Buffers{c.held, p}
		_, err := bufs.WriteTo(c.Conn) // one writev(2)
		c.release()
		if err != nil {
			return 0, c.check(err)
		}
		return len(p), nil
	}
	if c.held == nil {
		c.held = (*heldPool.Get().(*[]byte))[:0]
	}
	c.held = append(c.held, p...)
	return len(p), nil
}

// flush writes the held bytes. c.mu must be held.
func (c *coalescingConn) flush() error {
	if c.err != nil || len(c.held) == 0 {
		return c.err
	}
	_, err := c.Conn.Write(c.held)
	c.release()
	return c.check(err)
}

// check records a failed write and closes the connection. Part of an answer
// may have left, so nothing may follow it; and net/http ignores the error
// of a deadline setter that flushed, so it must see its next read fail
// rather than answer another request on a broken stream. c.mu must be held.
func (c *coalescingConn) check(err error) error {
	if err != nil && c.err == nil {
		c.err = err
		_ = c.Conn.Close()
	}
	return err
}

// release gives the held buffer back to the pool. c.mu must be held.
func (c *coalescingConn) release() {
	b := c.held[:0]
	c.held = nil
	if cap(b) <= maxHeldBytes {
		heldPool.Put(&b)
	}
}

// Flush writes the held bytes now.
func (c *coalescingConn) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flush()
}

// Read flushes first only while the handler reads the request body. Other
// reads need no flush: net/http sets a deadline (which flushes) before it
// reads a request, and its background read, which runs while a handler
// writes, must not send half an answer.
func (c *coalescingConn) Read(p []byte) (int, error) {
	if c.bodyReads.Load() > 0 {
		if err := c.Flush(); err != nil {
			return 0, err
		}
	}
	return c.Conn.Read(p)
}

func (c *coalescingConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.flush(); err != nil {
		return err
	}
	return c.Conn.SetDeadline(t)
}

func (c *coalescingConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.flush(); err != nil {
		return err
	}
	return c.Conn.SetReadDeadline(t)
}

func (c *coalescingConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.flush(); err != nil {
		return err
	}
	return c.Conn.SetWriteDeadline(t)
}

// CloseWrite flushes and shuts down the sending side, as net/http does
// before it closes a connection whose request body it did not read.
func (c *coalescingConn) CloseWrite() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.flush(); err != nil {
		return err
	}
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Close flushes and closes. When another goroutine is writing (blocked on
// a client that does not read), Close does not wait for it: closing the
// connection is what unblocks that write, as with any net.Conn.
func (c *coalescingConn) Close() error {
	var err error
	if c.mu.TryLock() {
		err = c.flush()
		c.mu.Unlock()
	}
	if cerr := c.Conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// hijacked stops holding: the handler owns the connection now.
func (c *coalescingConn) hijacked() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.direct = true
	c.flush()
}

type connKey struct{}

// connContext is the http.Server ConnContext that lets flushThrough find
// a connection from [CoalesceWrites].
func connContext(ctx context.Context, c net.Conn) context.Context {
	if cc, ok := c.(*coalescingConn); ok {
		return context.WithValue(ctx, connKey{}, cc)
	}
	return ctx
}

// flushThrough wraps h so that on a connection from [CoalesceWrites] a
// handler's Flush also sends what the connection holds, a hijack stops
// the holding, and reading the request body flushes first.
func flushThrough(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cc, ok := r.Context().Value(connKey{}).(*coalescingConn); ok {
			w = &flushWriter{ResponseWriter: w, conn: cc}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = &bodyReader{ReadCloser: r.Body, conn: cc}
			}
		}
		h.ServeHTTP(w, r)
	})
}

// bodyReader marks the handler's body reads on the connection.
type bodyReader struct {
	io.ReadCloser
	conn *coalescingConn
}

func (b *bodyReader) Read(p []byte) (int, error) {
	b.conn.bodyReads.Add(1)
	defer b.conn.bodyReads.Add(-1)
	return b.ReadCloser.Read(p)
}

// flushWriter is a ResponseWriter whose Flush reaches the connection.
type flushWriter struct {
	http.ResponseWriter
	conn *coalescingConn
}

func (w *flushWriter) Flush() { _ = w.FlushError() }

func (w *flushWriter) FlushError() error {
	if err := http.NewResponseController(w.ResponseWriter).Flush(); err != nil {
		return err
	}
	return w.conn.Flush()
}

func (w *flushWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.conn.hijacked()
	}
	return c, rw, err
}

// CloseNotify is there for Gin's Context.Stream, which asks for it.
func (w *flushWriter) CloseNotify() <-chan bool {
	//lint:ignore SA1019 Gin's ResponseWriter asserts it (Context.Stream)
	return w.ResponseWriter.(http.CloseNotifier).CloseNotify()
}

// Unwrap lets http.ResponseController reach net/http's writer.
func (w *flushWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
