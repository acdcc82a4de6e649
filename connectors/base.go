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

// Policy is what a login connector declares of its logins: the strongest
// acr they reach and whether a first login binds itself to a person.
// A connector embeds it for ACR (Assurance) and SelfBinds (SelfBinder).
type Policy struct {
	acr      string
	selfBind bool
}

// NewPolicy is the policy of a connector configured with acr and link.
func NewPolicy(acr string, link LinkPolicy) Policy {
	return Policy{acr: acr, selfBind: link == LinkSelfBind}
}

// ACR is the configured assurance level of these logins.
func (p Policy) ACR() string { return p.acr }

// SelfBinds says whether a first login goes to the binding page.
func (p Policy) SelfBinds() bool { return p.selfBind }

var _ Assurance = Policy{}
