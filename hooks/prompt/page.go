package prompt

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"
)

// fieldView is one field as the page shows it: never with a value.
type fieldView struct {
	Field
	Error    string
	Received bool
}

// MarkOptional says whether the label needs an "(optional)" suffix.
func (v fieldView) MarkOptional() bool {
	return !v.Required && !strings.Contains(strings.ToLower(v.Label), "optional")
}

func (f *Form) render(w http.ResponseWriter, status int, problem string, errs map[int]string) {
	views := make([]fieldView, len(f.spec.Prompts))
	for i, p := range f.spec.Prompts {
		_, received := f.received[p.ID]
		views[i] = fieldView{Field: p, Error: errs[i], Received: received}
	}
	f.write(w, status, "form", map[string]any{"Title": f.opts.Title, "CSS": template.CSS(formCSS),
		"Spec": f.spec, "CSRF": f.csrf, "Fields": views, "Problem": problem})
}

func (f *Form) message(w http.ResponseWriter, status int, class, msg string) {
	f.write(w, status, "message", map[string]any{"Title": f.opts.Title, "CSS": template.CSS(formCSS),
		"Class": class, "Message": msg})
}

// refuse answers a request that is not allowed, saying only what is wrong.
func (f *Form) refuse(w http.ResponseWriter, r *http.Request, status int, reason string) {
	path := r.URL.Path
	if strings.HasPrefix(path, "/p/") {
		path = "/p/…" // the token stays out of logs
	}
	f.opts.Logger.Warn("prompt form refused a request", "method", r.Method, "path", path, "status", status, "reason", reason)
	f.message(w, status, "error", "Refused: "+reason+".")
}

func (f *Form) write(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages().ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
