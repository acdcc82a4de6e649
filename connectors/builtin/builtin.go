// Package builtin is the one registry of gjjid's built-in connector types
// and the one conversion of the config file's connectors list into specs.
// `gjjid serve`, `gjjid dev`, `gjjid config check` and the broker's tests
// all open connectors through it. Adding a connector type is one line in
// Registry.
package builtin

import (
	"fmt"

	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/alipay"
	"github.com/gjjid/gjjid/connectors/appscan"
	"github.com/gjjid/gjjid/connectors/cas"
	"github.com/gjjid/gjjid/connectors/oauth2"
	"github.com/gjjid/gjjid/connectors/oidc"
	"github.com/gjjid/gjjid/connectors/password"
	"github.com/gjjid/gjjid/connectors/sms"
	"github.com/gjjid/gjjid/connectors/wechat"
	"github.com/gjjid/gjjid/connectors/x509"
)

// Registry maps every built-in `type` to its factory. It is a new map each
// call, so a caller (a test) may add types of its own.
func Registry() connectors.Registry {
	return connectors.Registry{
		password.Type: password.Factory,
		sms.Type:      sms.Factory,
		x509.Type:     x509.Factory,
		alipay.Type:   alipay.Factory,
		wechat.Type:   wechat.Factory,
		appscan.Type:  appscan.Factory,
		oidc.Type:     oidc.Factory,
		cas.Type:      cas.Factory,
		oauth2.Type:   oauth2.Factory,
	}
}

// Specs converts the config file's connectors; each spec's Path names its
// `config` block (connectors[2].config) for error messages.
func Specs(cs []config.Connector) []connectors.Spec {
	specs := make([]connectors.Spec, len(cs))
	for i, c := range cs {
		specs[i] = connectors.Spec{ID: c.ID, Type: c.Type, Name: c.Name, NameEN: c.NameEN, Config: c.Config,
			Path: fmt.Sprintf("connectors[%d].config", i)}
	}
	return specs
}
