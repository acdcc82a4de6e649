package config

import "regexp"

var connectorIDPattern = regexp.MustCompile(`^[a-z0-9_-]+$`)

// validateConnectors checks connector ids and types (each connector's own
// config is checked by its factory) and returns the ids, in order, for
// clients to reference.
func validateConnectors(connectors []Connector, ps *Problems) []string {
	var ids []string
	first := make(map[string]string) // id -> path of its first use
	for i, c := range connectors {
		path := index("connectors", i)
		switch {
		case c.ID == "":
			ps.add(key(path, "id"), "required")
		case !connectorIDPattern.MatchString(c.ID):
			ps.add(key(path, "id"), "must match [a-z0-9_-]+ (it appears in URLs), got %q", c.ID)
		}
		if c.ID != "" {
			if p, dup := first[c.ID]; dup {
				ps.add(key(path, "id"), "duplicate connector id %q (also %s)", c.ID, p)
			} else {
				first[c.ID] = path
				ids = append(ids, c.ID)
			}
		}
		if c.Type == "" {
			ps.add(key(path, "type"), "required")
		}
	}
	return ids
}
