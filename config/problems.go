package config

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a configuration, located by its YAML path
// (e.g. "clients[2].redirect_uris[0]"; "" for the document itself).
type Problem struct {
	Path    string
	Message string
}

// Problems is every problem found in a configuration. Parse, Load and
// Validate return it as their error so that an operator fixes the whole file
// in one pass instead of one error per restart.
type Problems []Problem

// Error lists the problems one per line as "path: message".
func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		if p.Path != "" {
			b.WriteString(p.Path)
			b.WriteString(": ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

// add records a problem at path.
func (ps *Problems) add(path, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// err returns ps as an error, or a true nil when there are none.
func (ps Problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// key joins a mapping key onto a YAML path.
func key(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// index joins a sequence index onto a YAML path.
func index(path string, i int) string {
	return fmt.Sprintf("%s[%d]", path, i)
}
