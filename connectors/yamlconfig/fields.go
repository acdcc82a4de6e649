package yamlconfig

import (
	"errors"
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

// Str is a string field; example shows a valid value in the error text.
func Str(key string, dst *string, example string) Field {
	return Func(key, func(v *yaml.Node, at string) error {
		if v.Kind != yaml.ScalarNode || v.Decode(dst) != nil {
			return fmt.Errorf("%s: must be a string such as %s (line %d)", at, example, v.Line)
		}
		return nil
	})
}

// Bool is a true-or-false field. Only YAML booleans count: yes, on and
// "true" are refused, so a value reads as what it is.
func Bool(key string, dst *bool) Field {
	return Func(key, func(v *yaml.Node, at string) error {
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" || v.Decode(dst) != nil {
			return fmt.Errorf("%s: must be true or false, got %q (line %d)", at, v.Value, v.Line)
		}
		return nil
	})
}

// Duration is a Go duration field such as example (90s, 15m, 720h).
func Duration(key string, dst *time.Duration, example string) Field {
	return Func(key, func(v *yaml.Node, at string) error {
		if v.Kind != yaml.ScalarNode || v.Decode(dst) != nil {
			return fmt.Errorf("%s: must be a duration such as %s, got %q (line %d)", at, example, v.Value, v.Line)
		}
		return nil
	})
}

// Whole is a whole-number field.
func Whole(key string, dst *int, example string) Field {
	return Func(key, func(v *yaml.Node, at string) error {
		if v.Kind != yaml.ScalarNode || v.Decode(dst) != nil {
			return fmt.Errorf("%s: must be a whole number such as %s, got %q (line %d)", at, example, v.Value, v.Line)
		}
		return nil
	})
}

// Strings is a list-of-strings field; example is written as a YAML list,
// [a, b].
func Strings(key string, dst *[]string, example string) Field {
	return Func(key, func(v *yaml.Node, at string) error {
		var out []string
		if v.Kind != yaml.SequenceNode || v.Decode(&out) != nil {
			return fmt.Errorf("%s: must be a list of strings such as %s (line %d)", at, example, v.Line)
		}
		*dst = out
		return nil
	})
}

// StringMap is a mapping of strings to strings. Scalars of any type are
// taken as written, so `3: gjj:loa:2` maps "3".
func StringMap(key string, dst *map[string]string, example string) Field {
	return Func(key, func(v *yaml.Node, at string) error {
		if v.Kind != yaml.MappingNode {
			return fmt.Errorf("%s: must be a mapping such as %s (line %d)", at, example, v.Line)
		}
		out := make(map[string]string)
		var errs []error
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, val := v.Content[i], Resolve(v.Content[i+1])
			switch _, dup := out[k.Value]; {
			case k.Kind != yaml.ScalarNode || val == nil || val.Kind != yaml.ScalarNode:
				errs = append(errs, fmt.Errorf("%s.%s: must be a text value (line %d)", at, k.Value, k.Line))
			case dup:
				errs = append(errs, fmt.Errorf("%s.%s: given twice (line %d)", at, k.Value, k.Line))
			default:
				out[k.Value] = val.Value
			}
		}
		*dst = out
		return errors.Join(errs...)
	})
}

// Node keeps the value of key, aliases resolved, for its owner to decode
// later (when how depends on other keys, such as a sender's type).
func Node(key string, dst **yaml.Node) Field {
	return Func(key, func(v *yaml.Node, _ string) error {
		*dst = v
		return nil
	})
}

// Nested is a mapping below key, decoded with fields.
func Nested(key string, fields ...Field) Field {
	return Func(key, func(v *yaml.Node, at string) error {
		errs, _ := Mapping(v, at, fields...)
		return errors.Join(errs...)
	})
}

// List is a sequence below key; item decodes each entry (aliases
// resolved, nil when null) at the path key[i].
func List(key string, item func(v *yaml.Node, at string) error) Field {
	return Func(key, func(v *yaml.Node, at string) error {
		if v.Kind != yaml.SequenceNode {
			return fmt.Errorf("%s: must be a list (line %d)", at, v.Line)
		}
		var errs []error
		for i, e := range v.Content {
			if err := item(Resolve(e), fmt.Sprintf("%s[%d]", at, i)); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	})
}
