package connectors

// Base is what every opened connector keeps of its spec: its registry
// type, its ID and configured names, and the labels it shows when no name
// is configured. A connector embeds it for the ID, Type and DisplayName
// of Connector; its fields are unexported, so it adds nothing else to the
// connector's API.
type Base struct {
	typ, id, name, nameEN string
	defaultZH, defaultEN  string
}

// NewBase keeps typ and spec's ID and names; defaultZH and defaultEN are
// the button labels when spec names none.
func NewBase(typ string, spec Spec, defaultZH, defaultEN string) Base {
	return Base{typ: typ, id: spec.ID, name: spec.Name, nameEN: spec.NameEN, defaultZH: defaultZH, defaultEN: defaultEN}
}

// ID is the configured connector ID.
func (b Base) ID() string { return b.id }

// Type is the connector's registry type.
func (b Base) Type() string { return b.typ }

// DisplayName is the button label in lang: the configured name, else the
// default label. "en" is English, any other language Chinese.
func (b Base) DisplayName(lang string) string {
	if lang == "en" {
		if b.nameEN != "" {
			return b.nameEN
		}
		return b.defaultEN
	}
	if b.name != "" {
		return b.name
	}
	return b.defaultZH
}
