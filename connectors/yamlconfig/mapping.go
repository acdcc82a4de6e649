// Package yamlconfig is the one strict YAML decoder of every connector's
// `config` block: a connector lists its keys as Fields and Mapping walks
// the block, refusing unknown and repeated keys, following aliases and
// merge keys (<<: *base) wherever in the file their anchors stand, and
// naming the YAML path (connectors[2].config.cas[0].extract[1].oid) and
// line in every error. Connectors may not import each other, so what
// they share lives here, like connectors/ids; it imports no broker
// package.
package yamlconfig

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrNotMapping marks a block that is not a mapping at all.
var ErrNotMapping = errors.New("not a mapping")

// A Field is one key of a mapping and how its value is decoded.
type Field struct {
	key    string
	decode func(v *yaml.Node, at string) error
}

// Func is a field decoded by decode. v is never nil: a null value leaves
// the field as if it were absent. at is the value's YAML path.
func Func(key string, decode func(v *yaml.Node, at string) error) Field {
	return Field{key: key, decode: decode}
}

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

// Mapping decodes the keys of n, a mapping at YAML path path, with fields.
// An absent or null n is an empty mapping (every field keeps its default).
// Unknown and repeated keys are errors; a key set to null is as if it
// were absent. Merge keys work as YAML defines them: the mapping's own
// keys win over merged ones, and in `<<: [*a, *b]` a wins over b.
//
// ok is false when n is not a mapping at all: its one error (matching
// ErrNotMapping) says so, and the caller should not validate further.
func Mapping(n *yaml.Node, path string, fields ...Field) (errs []error, ok bool) {
	n = Resolve(n)
	if n == nil {
		return nil, true
	}
	w := walker{fields: make(map[string]Field, len(fields)), set: make(map[string]bool), merged: make(map[*yaml.Node]bool)}
	names := make([]string, len(fields))
	for i, f := range fields {
		w.fields[f.key] = f
		names[i] = f.key
	}
	w.known = strings.Join(names, ", ")
	if n.Kind != yaml.MappingNode {
		return []error{fmt.Errorf("%s: must be a mapping with the keys %s (line %d): %w", path, w.known, n.Line, ErrNotMapping)}, false
	}
	w.merged[n] = true
	w.mapping(n, path)
	return w.errs, true
}

// walker decodes one mapping and the mappings merged into it.
type walker struct {
	fields map[string]Field
	known  string
	set    map[string]bool     // keys decoded so far: later merges do not override them
	merged map[*yaml.Node]bool // mappings already merged, against alias loops
	errs   []error
}

func (w *walker) mapping(n *yaml.Node, path string) {
	seen := make(map[string]bool)
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			w.errs = append(w.errs, fmt.Errorf("%s: keys must be plain strings (line %d)", path, k.Line))
			continue
		}
		kp := path + "." + k.Value
		if seen[k.Value] {
			w.errs = append(w.errs, fmt.Errorf("%s: given twice (line %d)", kp, k.Line))
			continue
		}
		seen[k.Value] = true
		if k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if w.set[k.Value] {
			continue // set by the mapping this one is merged into
		}
		f, ok := w.fields[k.Value]
		if !ok {
			w.errs = append(w.errs, fmt.Errorf("%s: unknown key (line %d); known keys: %s", kp, k.Line, w.known))
			continue
		}
		w.set[k.Value] = true
		if v = Resolve(v); v == nil {
			continue
		}
		if err := f.decode(v, kp); err != nil {
			w.errs = append(w.errs, err)
		}
	}
	for _, m := range merges {
		w.merge(m, path)
	}
}

// merge decodes the value of a << key: a mapping or a list of them.
func (w *walker) merge(v *yaml.Node, path string) {
	line := v.Line
	v = Resolve(v)
	switch {
	case v == nil:
	case v.Kind == yaml.MappingNode:
		if w.merged[v] {
			return // merged already, through another alias
		}
		w.merged[v] = true
		w.mapping(v, path)
	case v.Kind == yaml.SequenceNode:
		for _, m := range v.Content {
			if r := Resolve(m); r != nil && r.Kind != yaml.MappingNode {
				w.errs = append(w.errs, fmt.Errorf("%s.<<: a merge takes a mapping or a list of mappings (line %d)", path, r.Line))
				continue
			}
			w.merge(m, path)
		}
	default:
		w.errs = append(w.errs, fmt.Errorf("%s.<<: a merge takes a mapping or a list of mappings (line %d)", path, line))
	}
}
