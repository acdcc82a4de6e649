package upstream

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxPathSteps bounds a path: upstream answers are small and flat.
const maxPathSteps = 32

// Path is a parsed JSON path: dot-separated object keys, each optionally
// followed by array indexes, e.g. `userobj.uid`, `roles[0]`,
// `data.items[2].name`, `[0].id`. Keys are taken literally (any
// character but '.', '[' and ']'), so `cas:user` and `用户名` are keys.
type Path struct {
	raw   string
	steps []step
}

type step struct {
	key   string // object key, or "" for an index step
	index int    // array index when key == ""
	isIdx bool
}

// String is the path as written.
func (p Path) String() string { return p.raw }

// IsZero reports whether p is unset.
func (p Path) IsZero() bool { return len(p.steps) == 0 }

// ParsePath parses s; the error says what is wrong and where.
func ParsePath(s string) (Path, error) {
	p := Path{raw: s}
	if s == "" {
		return p, errors.New("empty path")
	}
	i := 0
	expectKey := true // at the start or after a '.'
	for i < len(s) {
		switch {
		case s[i] == '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return Path{}, fmt.Errorf("path %q: '[' at %d has no ']'", s, i)
			}
			num := s[i+1 : i+j]
			n, err := strconv.Atoi(num)
			if err != nil || n < 0 || num == "" || (len(num) > 1 && num[0] == '0') || len(num) > 6 {
				return Path{}, fmt.Errorf("path %q: index %q at %d must be a whole number 0–999999", s, num, i)
			}
			if expectKey && i > 0 {
				return Path{}, fmt.Errorf("path %q: empty key before '[' at %d", s, i)
			}
			p.steps = append(p.steps, step{index: n, isIdx: true})
			i += j + 1
			expectKey = false
		case s[i] == ']':
			return Path{}, fmt.Errorf("path %q: ']' at %d without '['", s, i)
		case s[i] == '.':
			if expectKey {
				return Path{}, fmt.Errorf("path %q: empty key at %d", s, i)
			}
			i++
			expectKey = true
			if i == len(s) {
				return Path{}, fmt.Errorf("path %q: ends with '.'", s)
			}
		default:
			if !expectKey {
				return Path{}, fmt.Errorf("path %q: '.' or '[' expected at %d", s, i)
			}
			j := strings.IndexAny(s[i:], ".[]")
			if j < 0 {
				j = len(s) - i
			}
			p.steps = append(p.steps, step{key: s[i : i+j]})
			i += j
			expectKey = false
		}
		if len(p.steps) > maxPathSteps {
			return Path{}, fmt.Errorf("path %q: more than %d steps", s, maxPathSteps)
		}
	}
	return p, nil
}

// MustPath is ParsePath for constant paths; it panics on an error.
func MustPath(s string) Path {
	p, err := ParsePath(s)
	if err != nil {
		panic(err)
	}
	return p
}

// Lookup follows p through doc, a value as encoding/json decodes it
// (map[string]any, []any, string, json.Number or float64, bool, nil). A
// string met where the path goes on is decoded as JSON when it holds an
// object or array: some platforms (Guangdong's userobj) nest JSON as text.
// ok is false when a step finds nothing.
func (p Path) Lookup(doc any) (v any, ok bool) {
	v = doc
	for _, st := range p.steps {
		if s, isStr := v.(string); isStr {
			v, ok = decodeNested(s)
			if !ok {
				return nil, false
			}
		}
		if st.isIdx {
			a, isArr := v.([]any)
			if !isArr || st.index >= len(a) {
				return nil, false
			}
			v = a[st.index]
			continue
		}
		m, isObj := v.(map[string]any)
		if !isObj {
			return nil, false
		}
		if v, ok = m[st.key]; !ok {
			return nil, false
		}
	}
	return v, true
}

func decodeNested(s string) (any, bool) {
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return nil, false
	}
	var v any
	d := json.NewDecoder(strings.NewReader(t))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

// Text is the scalar at p as text: strings as they are, numbers in their
// JSON form, booleans as true/false. present is false when nothing is at
// p or it is null; err is set for an object or array (not a text value).
func (p Path) Text(doc any) (s string, present bool, err error) {
	v, ok := p.Lookup(doc)
	if !ok || v == nil {
		return "", false, nil
	}
	switch x := v.(type) {
	case string:
		return x, true, nil
	case json.Number:
		return x.String(), true, nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true, nil
	case bool:
		return strconv.FormatBool(x), true, nil
	}
	return "", true, fmt.Errorf("%s: an object or array, not a text value", p.raw)
}

// DecodeJSON decodes an upstream's JSON answer for Lookup (numbers kept as
// json.Number, so long IDs stay exact). Trailing data is an error.
func DecodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("malformed JSON: %w", err)
	}
	if d.More() {
		return nil, errors.New("malformed JSON: data after the value")
	}
	return v, nil
}
