package upstream

import (
	"net/http"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

// Base is what an opened oidc, cas or oauth2 connector holds besides its
// own configuration: the spec's ID and names, the broker's services and
// the capped client of its upstream calls. A connector keeps it in an
// unexported field rather than embedding it, so that these stay out of
// the connector's exported API.
type Base struct {
	// Values keep a login's upstream state (nonce, PKCE verifier, service
	// or callback URL) while the browser is away.
	Values           connectors.Values
	Log              connectors.Logger
	Type             string // the connector's registry type
	ID, Name, NameEN string // from connectors.Spec
	Client           *http.Client
}

// OpenBase checks that the host gave the connector Values and builds the
// upstream client (NewHTTPClient) over the host's transport. A connector
// calls it after parsing its config: a config error is reported first, and
// the client needs the configured timeout.
func OpenBase(typ string, spec connectors.Spec, deps connectors.Deps, timeout time.Duration, maxBody int64) (Base, error) {
	if deps.Values == nil {
		return Base{}, connectors.Missing(typ, spec.ID, "Values")
	}
	return Base{Values: deps.Values, Log: deps.Log(), Type: typ, ID: spec.ID, Name: spec.Name, NameEN: spec.NameEN,
		Client: NewHTTPClient(deps.Transport(), timeout, maxBody)}, nil
}

// DisplayName is the configured name in lang ("en", else Chinese) or,
// when none is configured, the connector's default label.
func (b Base) DisplayName(lang, defaultZH, defaultEN string) string {
	return connectors.Label(lang, b.Name, b.NameEN, defaultZH, defaultEN)
}
