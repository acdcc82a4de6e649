// Package yamlconfig holds the strict YAML helpers connectors use to read
// their own `config` block: walk a mapping, refuse unknown and repeated
// keys, and name the YAML path (connectors[2].config.app_id) in every
// error. Connectors may not import each other, so what they share lives
// here, like connectors/ids.
package yamlconfig

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"go.yaml.in/yaml/v3"
)

// ErrNotMapping marks a config block that is not a mapping at all.
var ErrNotMapping = errors.New("not a mapping")

// Resolve unwraps document and alias nodes; nil for an absent or null value.
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

// Mapping decodes the keys of n with fields, refusing unknown and repeated
// keys; known lists the keys for the error text. Every error names its path.
func Mapping(n *yaml.Node, path, known string, fields map[string]func(v *yaml.Node, kp string) error) []error {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return []error{fmt.Errorf("%s: must be a mapping with the keys %s (line %d): %w", path, known, n.Line, ErrNotMapping)}
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
			errs = append(errs, fmt.Errorf("%s: unknown key (line %d); known keys: %s", kp, k.Line, known))
			continue
		}
		if err := f(v, kp); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Duration decodes a Go duration such as example.
func Duration(dst *time.Duration, example string) func(*yaml.Node, string) error {
	return func(v *yaml.Node, kp string) error {
		if v.Kind != yaml.ScalarNode || v.Decode(dst) != nil {
			return fmt.Errorf("%s: must be a duration such as %s, got %q (line %d)", kp, example, v.Value, v.Line)
		}
		return nil
	}
}

// Whole decodes a whole number.
func Whole(dst *int, example string) func(*yaml.Node, string) error {
	return func(v *yaml.Node, kp string) error {
		if v.Kind != yaml.ScalarNode || v.Decode(dst) != nil {
			return fmt.Errorf("%s: must be a whole number such as %s, got %q (line %d)", kp, example, v.Value, v.Line)
		}
		return nil
	}
}

// Str decodes a string.
func Str(dst *string, example string) func(*yaml.Node, string) error {
	return func(v *yaml.Node, kp string) error {
		if v.Kind != yaml.ScalarNode || v.Decode(dst) != nil {
			return fmt.Errorf("%s: must be a string such as %s (line %d)", kp, example, v.Line)
		}
		return nil
	}
}

// CheckURL accepts an absolute https URL without fragment or user info;
// http only on a loopback host (a local fake in development and tests).
func CheckURL(s, example string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("must be an absolute URL such as %s, got %q", example, s)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("must have no query, fragment or user info, got %q", s)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		h := u.Hostname()
		if ip := net.ParseIP(h); h == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
		return fmt.Errorf("must be https (http only on 127.0.0.1, [::1] or localhost), got %q", s)
	}
	return fmt.Errorf("must be an https URL, got %q", s)
}

// StrList decodes a list of strings.
func StrList(dst *[]string, example string) func(*yaml.Node, string) error {
	return func(v *yaml.Node, kp string) error {
		if v.Kind != yaml.SequenceNode || v.Decode(dst) != nil {
			return fmt.Errorf("%s: must be a list of strings such as [%s] (line %d)", kp, example, v.Line)
		}
		return nil
	}
}

// Boolean decodes true or false.
func Boolean(dst *bool) func(*yaml.Node, string) error {
	return func(v *yaml.Node, kp string) error {
		if v.Kind != yaml.ScalarNode || v.Decode(dst) != nil {
			return fmt.Errorf("%s: must be true or false, got %q (line %d)", kp, v.Value, v.Line)
		}
		return nil
	}
}
