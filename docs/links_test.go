// Package docs holds the project's prose; its test keeps every link in the
// README and the documents true.
package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// mdLink finds inline Markdown links: [text](target).
var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestLinksResolve: every relative link of every Markdown file in the
// repository names a file that exists and, with a #fragment, a heading of
// that file (GitHub's anchor rules), and every link from code comments to
// docs/ does the same.
func TestLinksResolve(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && p != root) {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".md") || strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".yaml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]map[string]bool{}
	checked := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		var targets []string
		if strings.HasSuffix(f, ".md") {
			for _, m := range mdLink.FindAllStringSubmatch(stripCode(string(raw)), -1) {
				targets = append(targets, m[1])
			}
		} else {
			// Code and config cite documents by their path from the root.
			for _, m := range regexp.MustCompile(`\bdocs/[\w./-]+\.md(#[\w-]+)?`).FindAllString(string(raw), -1) {
				targets = append(targets, "/"+m)
			}
		}
		for _, target := range targets {
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, frag, _ := strings.Cut(target, "#")
			var dest string
			switch {
			case path == "":
				dest = f
			case strings.HasPrefix(path, "/"):
				dest = filepath.Join(root, path)
			default:
				dest = filepath.Join(filepath.Dir(f), path)
			}
			checked++
			if _, err := os.Stat(dest); err != nil {
				t.Errorf("%s: link %q: %s does not exist", rel, target, dest)
				continue
			}
			if frag == "" {
				continue
			}
			if anchors[dest] == nil {
				anchors[dest] = headingAnchors(t, dest)
			}
			if !anchors[dest][frag] {
				t.Errorf("%s: link %q: no heading with anchor #%s in %s", rel, target, frag, filepath.Base(dest))
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d links found: the walk is broken", checked)
	}
}

// stripCode drops fenced code blocks and inline code, whose brackets are
// not links.
func stripCode(s string) string {
	var out strings.Builder
	fenced := false
	for line := range strings.SplitSeq(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			out.WriteString(regexp.MustCompile("`[^`]*`").ReplaceAllString(line, ""))
			out.WriteByte('\n')
		}
	}
	return out.String()
}

// headingAnchors are the anchors GitHub gives the headings of a Markdown
// file: lower case, punctuation dropped (not - or _), spaces to hyphens,
// repeats numbered -1, -2, ….
func headingAnchors(t *testing.T, path string) map[string]bool {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out, seen := map[string]bool{}, map[string]int{}
	fenced := false
	for line := range strings.SplitSeq(string(raw), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
		}
		if fenced || !strings.HasPrefix(line, "#") {
			continue
		}
		a := slug(strings.TrimLeft(line, "#"))
		if n := seen[a]; n > 0 {
			out[a+"-"+itoa(n)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	}
	return out
}

func slug(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func TestSlug(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"WeChat face verification", "wechat-face-verification"},
		{" Trying it: `gjjid dev`", "trying-it-gjjid-dev"},
		{"人脸识别一键登录: face login in the mini program", "人脸识别一键登录-face-login-in-the-mini-program"},
		{"Stores (memory, Redis, PostgreSQL)", "stores-memory-redis-postgresql"},
	} {
		if got := slug(tc.in); got != tc.want {
			t.Errorf("slug(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
