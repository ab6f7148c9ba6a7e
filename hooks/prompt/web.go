package prompt

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

var (
	//go:embed form.html
	formHTML string
	//go:embed form.css
	formCSS string

	// pages and csp are made on first use, not at package init (every
	// secretsctl command links this package; few serve a form).
	pages = sync.OnceValue(func() *template.Template { return template.Must(template.New("").Parse(formHTML)) })
	// csp allows the page's one inline style block (by hash) and a form
	// posting to itself; nothing else loads or runs.
	csp = sync.OnceValue(func() string {
		h := sha256.Sum256([]byte(formCSS))
		return fmt.Sprintf("default-src 'none'; style-src 'sha256-%s'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
			base64.StdEncoding.EncodeToString(h[:]))
	})
)

// ErrExpired is returned by [Form.Wait] when the form timed out unsubmitted.
var ErrExpired = errors.New("the form expired before it was submitted")

const cookieName = "secretsctl_form"

// FormOptions configure [ServeForm].
type FormOptions struct {
	// Title heads the page, such as "Secrets for picker-wheel".
	Title string
	// Timeout closes the form when it has not been submitted by then
	// (default 10 minutes).
	Timeout time.Duration
	// Save, when set, receives the answers once every field is valid; an
	// error is shown on the page and the form stays open. Without Save the
	// caller stores what [Form.Wait] returns.
	Save func(context.Context, Answers) error
	// Logger receives one line per request outcome — never a value, a
	// token or a cookie. Default: no logging.
	Logger *slog.Logger
}

// Form is a one-time web form being served on 127.0.0.1.
type Form struct {
	spec  *Spec
	opts  FormOptions
	host  string // "127.0.0.1:PORT", the only Host and Origin accepted
	token string
	srv   *http.Server

	mu       sync.Mutex
	session  string  // the cookie of the browser that opened the URL first
	csrf     string  // the token its form must post back
	received Answers // valid answers kept across attempts

	once    sync.Once
	done    chan struct{}
	stopped chan struct{}
	answers Answers
	err     error
}

// ServeForm starts serving the form for spec on 127.0.0.1 at a random port.
// Open [Form.URL] in a browser; [Form.Wait] returns the answers.
func ServeForm(ctx context.Context, spec *Spec, opts FormOptions) (*Form, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Title == "" {
		opts.Title = "Secrets for " + spec.Scenario
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("prompt form: listen on 127.0.0.1: %w", err)
	}
	f := &Form{spec: spec, opts: opts, host: ln.Addr().String(), token: randomToken(),
		received: Answers{}, done: make(chan struct{}), stopped: make(chan struct{})}
	f.srv = &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn)}
	go func() { _ = f.srv.Serve(ln) }()
	go f.expire(ctx)
	return f, nil
}

// URL is the one-time address of the form, with its token.
func (f *Form) URL() string { return "http://" + f.host + "/p/" + f.token }

// Wait blocks until the form was submitted, expired ([ErrExpired]) or its
// context ended, and the server has stopped.
func (f *Form) Wait() (Answers, error) {
	<-f.done
	<-f.stopped
	return f.answers, f.err
}

// Close stops the form at once; Wait then returns [ErrExpired] unless it
// was submitted.
func (f *Form) Close() error {
	f.finish(nil, ErrExpired)
	<-f.stopped
	return nil
}

func (f *Form) expire(ctx context.Context) {
	t := time.NewTimer(f.opts.Timeout)
	defer t.Stop()
	select {
	case <-t.C:
		f.opts.Logger.Info("prompt form expired", "after", f.opts.Timeout)
		f.finish(nil, ErrExpired)
	case <-ctx.Done():
		f.finish(nil, ctx.Err())
	case <-f.done:
	}
}

// finish records the outcome once and stops the server after the current
// response has gone out.
func (f *Form) finish(a Answers, err error) {
	f.once.Do(func() {
		f.answers, f.err = a, err
		close(f.done)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if f.srv.Shutdown(ctx) != nil {
				_ = f.srv.Close()
			}
			close(f.stopped)
		}()
	})
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

func equal(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// ServeHTTP answers loopback requests for the form's own host only.
func (f *Form) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp())
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin") // "no-referrer" would make the form's own Origin "null"
	h.Set("Cache-Control", "no-store")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if ip, _, err := net.SplitHostPort(r.RemoteAddr); err != nil || !net.ParseIP(ip).IsLoopback() {
		f.refuse(w, r, http.StatusForbidden, "not a loopback client")
		return
	}
	if r.Host != f.host {
		f.refuse(w, r, http.StatusMisdirectedRequest, "wrong Host header")
		return
	}
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/p/"):
		f.open(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/submit":
		f.submit(w, r)
	default:
		f.refuse(w, r, http.StatusNotFound, "no such page")
	}
}

// open shows the form to the first browser that brings the token; later
// requests for the URL succeed only with that browser's session cookie.
func (f *Form) open(w http.ResponseWriter, r *http.Request) {
	if !equal(strings.TrimPrefix(r.URL.Path, "/p/"), f.token) {
		f.refuse(w, r, http.StatusNotFound, "wrong token")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.session != "" {
		c, err := r.Cookie(cookieName)
		if err != nil || !equal(c.Value, f.session) {
			f.refuse(w, r, http.StatusGone, "link already used")
			return
		}
	} else {
		f.session, f.csrf = randomToken(), randomToken()
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: f.session, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	f.opts.Logger.Info("prompt form opened")
	f.render(w, http.StatusOK, "", nil)
}

// submit checks where the request comes from, then every answer.
func (f *Form) submit(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if reason := f.forged(r); reason != "" {
		f.refuse(w, r, http.StatusForbidden, reason)
		return
	}
	errs, ok := f.collect(r.PostForm)
	if !ok {
		f.opts.Logger.Info("prompt form answers rejected", "invalid", len(errs))
		f.render(w, http.StatusUnprocessableEntity, "Some values were not accepted; nothing was saved.", errs)
		return
	}
	if f.opts.Save != nil {
		if err := f.opts.Save(r.Context(), f.received); err != nil {
			f.opts.Logger.Warn("prompt form save failed", "err", err)
			f.render(w, http.StatusInternalServerError, "Could not save: "+err.Error(), nil)
			return
		}
	}
	f.opts.Logger.Info("prompt form submitted", "answers", len(f.received))
	f.message(w, http.StatusOK, "note", fmt.Sprintf("Saved %d value(s). You can close this window.", len(f.received)))
	f.finish(f.received, nil)
}

// forged says why r is not the form's own submission, or "".
func (f *Form) forged(r *http.Request) string {
	if f.session == "" {
		return "form not opened"
	}
	if origin := r.Header.Get("Origin"); origin != "http://"+f.host {
		return "cross-origin or missing Origin"
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return "cross-site request"
	}
	if c, err := r.Cookie(cookieName); err != nil || !equal(c.Value, f.session) {
		return "missing or wrong session cookie"
	}
	r.Body = http.MaxBytesReader(nil, r.Body, 4*MaxValueSize)
	if err := r.ParseForm(); err != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		return "unreadable form"
	}
	if !equal(r.PostForm.Get("csrf"), f.csrf) {
		return "missing or wrong CSRF token"
	}
	return ""
}

// collect validates the posted answers, keeping the valid ones; errs maps
// a field's index to why its answer was refused.
func (f *Form) collect(form map[string][]string) (errs map[int]string, ok bool) {
	errs = map[int]string{}
	for i := range f.spec.Prompts {
		field := f.spec.Prompts[i]
		_, kept := f.received[field.ID]
		field.Stored = field.Stored || kept
		v := first(form[fmt.Sprintf("f%d", i)])
		if field.Multiline {
			v = strings.ReplaceAll(v, "\r\n", "\n") // browsers send text areas with CRLF
		}
		if err := field.Check(v); err != nil {
			var inv *InvalidError
			errors.As(err, &inv)
			errs[i] = inv.Reason
			continue
		}
		if v != "" {
			f.received[field.ID] = Value(v)
		}
	}
	return errs, len(errs) == 0
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}
