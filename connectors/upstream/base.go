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
	Services
	ID, Name, NameEN string // from connectors.Spec
	Client           *http.Client
}

// OpenBase checks what the broker passed (OpenServices) and builds the
// upstream client (NewHTTPClient). A connector calls it after parsing its
// config: a config error is reported first, and the client needs the
// configured timeout.
func OpenBase(typ string, spec connectors.Spec, deps connectors.Deps, isNotFound func(error) bool,
	transport http.RoundTripper, timeout time.Duration, maxBody int64) (Base, error) {
	svc, err := OpenServices(typ, spec, deps, isNotFound)
	if err != nil {
		return Base{}, err
	}
	return Base{Services: svc, ID: spec.ID, Name: spec.Name, NameEN: spec.NameEN,
		Client: NewHTTPClient(transport, timeout, maxBody)}, nil
}

// DisplayName is the configured name in lang ("en", else Chinese) or,
// when none is configured, the connector's default label.
func (b Base) DisplayName(lang, defaultZH, defaultEN string) string {
	return connectors.Label(lang, b.Name, b.NameEN, defaultZH, defaultEN)
}

// ConfigPath is the YAML path that config errors name: spec.Path, or
// "config" for a spec built outside a config file.
func ConfigPath(spec connectors.Spec) string {
	if spec.Path == "" {
		return "config"
	}
	return spec.Path
}
