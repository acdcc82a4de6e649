package config

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// expandEnv replaces ${VAR} and ${VAR:-default} in every scalar value of the
// tree below n (mapping keys are left alone), and turns $$ into a literal $.
// A $ followed by anything else is kept as is, so bcrypt-style values need
// no escaping.
//
// It works on parsed nodes, never on the raw text, so a variable holding
// "a\nb: c" becomes that one string instead of a new key. Each node is
// visited once (aliases are not followed), so an expanded value is never
// expanded again.
//
// ${VAR} with VAR set to "" expands to ""; ${VAR:-default} uses the default
// when VAR is unset or empty, as in the shell. Defaults are literal text up
// to the first '}' and are not expanded further. An unset ${VAR} without a
// default is a problem at the value's path, and the value becomes null so
// that later checks do not pile up on it.
func expandEnv(n *yaml.Node, path string, lookup func(string) (string, bool), ps *Problems) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			expandEnv(c, path, lookup, ps)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			expandEnv(n.Content[i+1], key(path, n.Content[i].Value), lookup, ps)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			expandEnv(c, index(path, i), lookup, ps)
		}
	case yaml.ScalarNode:
		if !strings.Contains(n.Value, "$") {
			return
		}
		out, errs := expand(n.Value, lookup)
		if len(errs) > 0 {
			for _, e := range errs {
				ps.add(path, "line %d: %s", n.Line, e)
			}
			setNull(n)
			return
		}
		n.Value = out
		if n.Style&(yaml.TaggedStyle|yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
			// A plain scalar's type was resolved from the text "${...}";
			// resolve it again from the value, as if it had been written
			// there, so `db: ${REDIS_DB:-0}` is an integer.
			n.Tag = (&yaml.Node{Kind: yaml.ScalarNode, Value: out}).ShortTag()
		}
	}
}

// expand expands one scalar; see expandEnv.
func expand(s string, lookup func(string) (string, bool)) (string, []string) {
	var (
		b    strings.Builder
		errs []string
	)
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				errs = append(errs, fmt.Sprintf("unterminated ${ in %q (write $$ for a literal $)", s))
				return "", errs
			}
			ref := s[i+2 : i+2+end]
			i += 2 + end
			name, def, hasDef := strings.Cut(ref, ":-")
			if !isEnvName(name) {
				errs = append(errs, fmt.Sprintf("invalid variable reference ${%s}: use ${NAME} or ${NAME:-default} (write $$ for a literal $)", ref))
				continue
			}
			v, ok := lookup(name)
			switch {
			case hasDef && v == "":
				b.WriteString(def)
			case !ok:
				errs = append(errs, fmt.Sprintf("environment variable %s is not set; set it or write ${%s:-default}", name, name))
			default:
				b.WriteString(v)
			}
		default:
			b.WriteByte('$')
		}
	}
	return b.String(), errs
}

// isEnvName reports whether s is a POSIX-style variable name.
func isEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// setNull turns n into a null scalar, which decodes to the zero value.
func setNull(n *yaml.Node) {
	*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
}
