package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads and parses the configuration file at path; see Parse.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("config %s:\n%w", path, err)
	}
	return cfg, nil
}

// Parse decodes one YAML document into a Config: it expands ${VAR} and
// ${VAR:-default} from the environment in scalar values, decodes strictly
// (unknown keys and wrong types are problems), applies defaults and
// validates.
//
// Every problem found is returned at once, as Problems, each located by its
// YAML path and, where the file has it, its line. A YAML syntax error is
// returned as a plain error, since nothing after it can be located.
func Parse(data []byte) (*Config, error) {
	return parse(data, os.LookupEnv)
}

func parse(data []byte, lookup func(string) (string, bool)) (*Config, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config: %w", err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, fmt.Errorf("config: only one YAML document is allowed; another starts at line %d", extra.Line)
	case !errors.Is(err, io.EOF):
		return nil, fmt.Errorf("config: %w", err)
	}

	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} // empty file
	if len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	var ps Problems
	expandEnv(root, "", lookup, &ps)
	c := checker{lines: make(map[string]int)}
	c.check(&root, reflect.TypeFor[Config](), "")
	ps = append(ps, c.problems...)

	var cfg Config
	if err := root.Decode(&cfg); err != nil {
		// The checker removed everything yaml.v3 rejects; this is a bug.
		return nil, fmt.Errorf("config: decode after checks: %w", err)
	}
	cfg.ApplyDefaults()
	var vps Problems
	errors.As(cfg.Validate(), &vps)
	decodeProblems := ps
	for _, p := range vps {
		if covered(p.Path, decodeProblems) {
			continue // already reported why this value is missing or wrong
		}
		if line := c.lineOf(p.Path); line > 0 {
			p.Message = fmt.Sprintf("line %d: %s", line, p.Message)
		}
		ps = append(ps, p)
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// covered reports whether path is at or below a path that already has a
// problem, so Validate does not add "required" to "is not set".
func covered(path string, ps Problems) bool {
	for _, p := range ps {
		if p.Path == "" || path == p.Path ||
			strings.HasPrefix(path, p.Path+".") || strings.HasPrefix(path, p.Path+"[") {
			return true
		}
	}
	return false
}

// lineOf returns the line of path or of its closest ancestor in the file,
// or 0 when neither is there.
func (c *checker) lineOf(path string) int {
	for path != "" {
		if line := c.lines[path]; line > 0 {
			return line
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return 0
		}
		path = path[:i]
	}
	return 0
}
