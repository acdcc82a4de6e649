package broker

import "github.com/gjjid/gjjid/connectors"

// What the pages and the console are told of the opened connectors.

// connectorIDsOf lists the connectors' IDs, in configuration order.
func connectorIDsOf(conns []connectors.Connector) []string {
	out := make([]string, len(conns))
	for i, c := range conns {
		out[i] = c.ID()
	}
	return out
}

// connectorNames names connectors for people (their button labels).
func connectorNames(conns []connectors.Connector) func(id, lang string) string {
	byID := make(map[string]connectors.Connector, len(conns))
	for _, c := range conns {
		byID[c.ID()] = c
	}
	return func(id, lang string) string {
		if c, ok := byID[id]; ok {
			return c.DisplayName(lang)
		}
		return ""
	}
}

// deviceKeysOf is the connector keeping persons' device keys (appscan),
// nil when none does.
func deviceKeysOf(conns []connectors.Connector) connectors.DeviceKeys {
	for _, c := range conns {
		if d, ok := c.(connectors.DeviceKeys); ok {
			return d
		}
	}
	return nil
}
