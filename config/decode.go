package config

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

var (
	nodeType     = reflect.TypeFor[yaml.Node]()
	durationType = reflect.TypeFor[time.Duration]()
)

// checker walks a YAML tree alongside the Go type it will be decoded into
// and reports, with YAML path and line, what yaml.v3 would either silently
// ignore (unknown keys) or report without a path (type errors, duplicate
// keys). It then removes or nulls the offending nodes so that the tree
// decodes cleanly and the rest of the file can still be validated.
//
// yaml.Node fields (Connector.Config) are left raw: their owner decodes them.
type checker struct {
	problems Problems
	lines    map[string]int // YAML path -> line, to locate Validate's problems
}

// check checks the node in *slot against t, replacing it with null if it
// cannot be decoded into t.
func (c *checker) check(slot **yaml.Node, t reflect.Type, path string) {
	n := *slot
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if _, ok := c.lines[path]; !ok {
		c.lines[path] = n.Line
	}
	if t == nodeType || isNull(n) {
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		c.check(slot, t.Elem(), path)
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			c.mismatch(slot, t, path)
			return
		}
		c.mapping(n, t, path)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			c.mismatch(slot, t, path)
			return
		}
		c.entries(n, t.Elem(), path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			c.mismatch(slot, t, path)
			return
		}
		for i := range n.Content {
			c.check(&n.Content[i], t.Elem(), index(path, i))
		}
	default:
		if n.Kind != yaml.ScalarNode || n.Decode(reflect.New(t).Interface()) != nil {
			c.mismatch(slot, t, path)
		}
	}
}

// mapping checks the keys of a mapping decoded into struct type t: each
// one a field of t, or a "<<" merge of mappings of t.
func (c *checker) mapping(n *yaml.Node, t reflect.Type, path string) {
	fields := yamlFields(t)
	c.pairs(n, path, func(v *yaml.Node) { c.merge(v, t, path) }, func(k *yaml.Node, p string) (reflect.Type, bool) {
		ft, ok := fields[k.Value]
		if !ok {
			msg := "unknown key"
			if s := suggest(k.Value, fields); s != "" {
				msg += " (did you mean " + s + "?)"
			}
			c.problems.add(p, "line %d: %s", k.Line, msg)
		}
		return ft, ok
	})
}

// entries checks a mapping decoded into a Go map of string keys (e.g.
// tracing.headers): any key, every value checked against elem.
func (c *checker) entries(n *yaml.Node, elem reflect.Type, path string) {
	c.pairs(n, path, nil, func(*yaml.Node, string) (reflect.Type, bool) { return elem, true })
}

// pairs checks the pairs of mapping n: keys are plain strings, each set
// once, and each value is checked against the type typeOf gives its key
// (false: typeOf has said what is wrong with the key). A "<<" merge key
// goes to merge, or is refused where merge is nil. Refused pairs are
// dropped from n, so that decoding never sees them.
func (c *checker) pairs(n *yaml.Node, path string, merge func(v *yaml.Node), typeOf func(k *yaml.Node, p string) (reflect.Type, bool)) {
	seen := make(map[string]int) // key -> line
	kept := n.Content[:0]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		isMerge := k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge"
		if k.Kind != yaml.ScalarNode || isMerge && merge == nil {
			c.problems.add(path, "line %d: keys must be plain strings", k.Line)
			continue
		}
		if isMerge {
			merge(v)
			kept = append(kept, k, v)
			continue
		}
		p := key(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			c.problems.add(p, "line %d: duplicate key (first set at line %d)", k.Line, first)
			continue
		}
		seen[k.Value] = k.Line
		t, ok := typeOf(k, p)
		if !ok {
			continue
		}
		c.lines[p] = k.Line
		kept = append(kept, k, v)
		c.check(&kept[len(kept)-1], t, p)
	}
	n.Content = kept
}

// merge checks the value of a "<<" merge key: a mapping or a list of them,
// merged into the mapping at path.
func (c *checker) merge(v *yaml.Node, t reflect.Type, path string) {
	if v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	switch v.Kind {
	case yaml.MappingNode:
		c.mapping(v, t, path)
	case yaml.SequenceNode:
		for _, m := range v.Content {
			c.merge(m, t, path)
		}
	default:
		c.problems.add(path, "line %d: a << merge needs a mapping or a list of mappings", v.Line)
		setNull(v)
	}
}

// mismatch reports that the node in *slot is not a t, and nulls it.
func (c *checker) mismatch(slot **yaml.Node, t reflect.Type, path string) {
	n := *slot
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	c.problems.add(path, "line %d: expected %s, got %s", n.Line, describeType(t), describeNode(n))
	*slot = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
}

// yamlFields maps a struct's YAML keys to their field types, as yaml.v3
// names them: the tag's name, else the lower-cased field name.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := make(map[string]reflect.Type, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describeType names what a YAML author must write for t.
func describeType(t reflect.Type) string {
	if t == durationType {
		return "a duration such as 90s, 15m or 720h"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return describeType(t.Elem())
	case reflect.Struct:
		return "a mapping"
	case reflect.Slice:
		return "a list"
	case reflect.Map:
		return "a mapping"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.String:
		return "a string"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return t.String()
}

// describeNode names what a YAML author wrote.
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	v := []rune(n.Value)
	if len(v) > 40 {
		v = append(v[:40], '…')
	}
	return fmt.Sprintf("%q", string(v))
}
