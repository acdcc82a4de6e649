package upstream

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ErrNotMapping marks a block that is not a mapping at all.
var ErrNotMapping = errors.New("not a mapping")

// Resolve unwraps document and alias nodes; nil for an absent or null
// value.
func Resolve(n *yaml.Node) *yaml.Node {
	for n != nil && (n.Kind == yaml.DocumentNode || n.Kind == yaml.AliasNode) {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		} else if len(n.Content) > 0 {
			n = n.Content[0]
		} else {
			n = nil
		}
	}
	if n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil
	}
	return n
}

// Field decodes one key's value; kp is the key's YAML path.
type Field func(v *yaml.Node, kp string) error

// Fields decodes the keys of n, refusing unknown and repeated keys. A nil
// n is an empty mapping. Every error names its YAML path below path.
func Fields(n *yaml.Node, path string, fields map[string]Field) []error {
	n = Resolve(n)
	if n == nil {
		return nil
	}
	known := make([]string, 0, len(fields))
	for k := range fields {
		known = append(known, k)
	}
	sort.Strings(known)
	if n.Kind != yaml.MappingNode {
		return []error{fmt.Errorf("%s: must be a mapping with the keys %s (line %d): %w", path, strings.Join(known, ", "), n.Line, ErrNotMapping)}
	}
	var errs []error
	seen := make(map[string]bool)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		kp := path + "." + k.Value
		if seen[k.Value] {
			errs = append(errs, fmt.Errorf("%s: given twice (line %d)", kp, k.Line))
			continue
		}
		seen[k.Value] = true
		f, ok := fields[k.Value]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: unknown key (line %d); known keys: %s", kp, k.Line, strings.Join(known, ", ")))
			continue
		}
		if err := f(Resolve(v), kp); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Str decodes a string.
func Str(dst *string, example string) Field {
	return func(v *yaml.Node, kp string) error {
		if v == nil {
			*dst = ""
			return nil
		}
		if v.Kind != yaml.ScalarNode || v.Decode(dst) != nil {
			return fmt.Errorf("%s: must be a string such as %s (line %d)", kp, example, v.Line)
		}
		return nil
	}
}

// Bool decodes true or false.
func Bool(dst *bool) Field {
	return func(v *yaml.Node, kp string) error {
		if v == nil || v.Kind != yaml.ScalarNode || v.Decode(dst) != nil {
			line := 0
			if v != nil {
				line = v.Line
			}
			return fmt.Errorf("%s: must be true or false (line %d)", kp, line)
		}
		return nil
	}
}

// Duration decodes a Go duration such as 10s.
func Duration(dst *time.Duration, example string) Field {
	return func(v *yaml.Node, kp string) error {
		if v == nil || v.Kind != yaml.ScalarNode || v.Decode(dst) != nil {
			return fmt.Errorf("%s: must be a duration such as %s", kp, example)
		}
		return nil
	}
}

// Int decodes a whole number.
func Int(dst *int64, example string) Field {
	return func(v *yaml.Node, kp string) error {
		if v == nil || v.Kind != yaml.ScalarNode || v.Decode(dst) != nil {
			return fmt.Errorf("%s: must be a whole number such as %s", kp, example)
		}
		return nil
	}
}

// Strings decodes a list of strings.
func Strings(dst *[]string, example string) Field {
	return func(v *yaml.Node, kp string) error {
		if v == nil {
			*dst = nil
			return nil
		}
		var out []string
		if v.Kind != yaml.SequenceNode || v.Decode(&out) != nil {
			return fmt.Errorf("%s: must be a list of strings such as %s (line %d)", kp, example, v.Line)
		}
		*dst = out
		return nil
	}
}

// StringMap decodes a mapping of strings to strings (YAML scalars of any
// type are taken as written, so 3: gjj:loa:2 maps "3").
func StringMap(dst *map[string]string, example string) Field {
	return func(v *yaml.Node, kp string) error {
		if v == nil {
			*dst = nil
			return nil
		}
		if v.Kind != yaml.MappingNode {
			return fmt.Errorf("%s: must be a mapping such as %s (line %d)", kp, example, v.Line)
		}
		out := make(map[string]string)
		var errs []error
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, val := v.Content[i], Resolve(v.Content[i+1])
			if k.Kind != yaml.ScalarNode || val == nil || val.Kind != yaml.ScalarNode {
				errs = append(errs, fmt.Errorf("%s.%s: must be a text value (line %d)", kp, k.Value, k.Line))
				continue
			}
			if _, dup := out[k.Value]; dup {
				errs = append(errs, fmt.Errorf("%s.%s: given twice (line %d)", kp, k.Value, k.Line))
				continue
			}
			out[k.Value] = val.Value
		}
		*dst = out
		return errors.Join(errs...)
	}
}

// PathField decodes a JSON path (see Path).
func PathField(dst *Path, example string) Field {
	return func(v *yaml.Node, kp string) error {
		var s string
		if v == nil {
			*dst = Path{}
			return nil
		}
		if v.Kind != yaml.ScalarNode || v.Decode(&s) != nil {
			return fmt.Errorf("%s: must be a JSON path such as %s", kp, example)
		}
		if s == "" {
			*dst = Path{} // unset a default
			return nil
		}
		p, err := ParsePath(s)
		if err != nil {
			return fmt.Errorf("%s: %w (a path is keys joined by '.', with [n] for array items, e.g. %s)", kp, err, example)
		}
		*dst = p
		return nil
	}
}

// CheckURL accepts an absolute https URL without fragment or user info
// (a query only when query is true); http only on a loopback host (a
// local fake in development and tests).
func CheckURL(s string, query bool) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("must be an absolute https URL, got %q", s)
	}
	if u.Fragment != "" || u.User != nil || (!query && u.RawQuery != "") {
		what := "fragment or user info"
		if !query {
			what = "query, " + what
		}
		return fmt.Errorf("must have no %s, got %q", what, s)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("must be https (http only on 127.0.0.1, [::1] or localhost), got %q", s)
	}
	return fmt.Errorf("must be an https URL, got %q", s)
}

// IsLoopback reports whether host is localhost or a loopback address.
func IsLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// NoSpace reports an error when s is empty or holds white space or control
// characters.
func NoSpace(kp, s string) error {
	if s == "" {
		return fmt.Errorf("%s: required", kp)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("%s: must not contain spaces or control characters", kp)
	}
	return nil
}
