package upstream

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors/yamlconfig"
)

// PathField is a JSON path field (see Path); "" unsets a default path.
func PathField(key string, dst *Path, example string) yamlconfig.Field {
	return yamlconfig.Func(key, func(v *yaml.Node, at string) error {
		var s string
		if v.Kind != yaml.ScalarNode || v.Decode(&s) != nil {
			return fmt.Errorf("%s: must be a JSON path such as %s (line %d)", at, example, v.Line)
		}
		if s == "" {
			*dst = Path{}
			return nil
		}
		p, err := ParsePath(s)
		if err != nil {
			return fmt.Errorf("%s: %w (a path is keys joined by '.', with [n] for array items, e.g. %s; line %d)", at, err, example, v.Line)
		}
		*dst = p
		return nil
	})
}

// CheckURL is the URL rule of the config and of what discovery names:
// yamlconfig.CheckURL, with a query allowed when query is true.
func CheckURL(s string, query bool) error { return yamlconfig.CheckURL(s, query) }

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

// Decode decodes an upstream connector's config block n at path with its
// own fields and the mapping's, finishes the mapping and runs validate,
// the connector's own checks; every error is returned at once. need says
// what an absent block must hold. A block that is absent or not a mapping
// gets that one error and no validation.
func (m *Mapping) Decode(n *yaml.Node, path, need string, validate func(path string) error, own ...yamlconfig.Field) error {
	if yamlconfig.Resolve(n) == nil {
		return fmt.Errorf("%s: required: %s", path, need)
	}
	var policy string
	errs, ok := yamlconfig.Mapping(n, path, append(own, m.Fields(&policy)...)...)
	if !ok {
		return errors.Join(errs...)
	}
	return errors.Join(append(errs, m.Finish(path, policy), validate(path))...)
}

// Settings are what the config of every upstream connector holds besides
// its own keys: the timeout of its upstream calls and its claim mapping.
// A connector's Config embeds them.
type Settings struct {
	Timeout time.Duration
	Mapping Mapping
}

// DefaultSettings are the settings before the config is read; subject is
// the default claims.subject path.
func DefaultSettings(subject string) Settings {
	return Settings{Timeout: DefaultTimeout, Mapping: DefaultMapping(subject)}
}

func (s Settings) settings() Settings { return s }

// Decode is Mapping.Decode with the key every upstream connector has
// after its own, timeout, checked after validate's own checks to lie
// between MinTimeout and MaxTimeout.
func (s *Settings) Decode(n *yaml.Node, path, need string, validate func(path string) error, own ...yamlconfig.Field) error {
	check := func(path string) error {
		err := validate(path)
		if s.Timeout < MinTimeout || s.Timeout > MaxTimeout {
			err = errors.Join(err, fmt.Errorf("%s.timeout: must be between %s and %s", path, MinTimeout, MaxTimeout))
		}
		return err
	}
	return s.Mapping.Decode(n, path, need, check, append(own, yamlconfig.Duration("timeout", &s.Timeout, "10s"))...)
}
