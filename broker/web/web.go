// Package web holds the broker's HTML pages and static assets, zh-CN first
// and en second. Pages work without JavaScript.
package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Static serves /static/… (CSS, images).
func Static() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	return http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
}

// Pages renders the templates.
type Pages struct{ t *template.Template }

// New parses the embedded templates.
func New() (*Pages, error) {
	t, err := template.New("").Funcs(template.FuncMap{
		"t": func(lang, key string) string { return Text(lang, key) },
	}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse templates: %w", err)
	}
	return &Pages{t: t}, nil
}

// Render writes page (a template name without .html) with data; data.Lang
// picks the language. It renders into a buffer first so a template error
// never produces half a page.
func (p *Pages) Render(w http.ResponseWriter, status int, page string, data any) error {
	var buf bytes.Buffer
	if err := p.t.ExecuteTemplate(&buf, page+".html", data); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// Lang picks zh-CN or en from ui_locales (first match wins), then the
// Accept-Language header, then def.
func Lang(uiLocales []string, acceptLanguage, def string) string {
	for _, l := range uiLocales {
		if m := match(l); m != "" {
			return m
		}
	}
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if m := match(tag); m != "" {
			return m
		}
	}
	return def
}

func match(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	switch {
	case strings.HasPrefix(tag, "zh"):
		return "zh-CN"
	case strings.HasPrefix(tag, "en"):
		return "en"
	}
	return ""
}
