package config

import (
	"testing"

	"github.com/gjjid/gjjid/connectors/yamlconfig"
)

// TestAnchorsAcrossTheFile: an anchor stands anywhere in the file and its
// aliases resolve anywhere else: in another connector's config (as a
// value or through <<), and at the top level from inside a connector's
// config. ${VAR} in an anchored block is expanded once, where it stands,
// so every alias of it sees the value.
func TestAnchorsAcrossTheFile(t *testing.T) {
	t.Parallel()
	// Anchors come before their aliases, so the connectors stand first.
	src := `issuer: https://sso.example.com
connectors:
  - id: gd
    type: oauth2
    name: &gdname 统一身份认证
    config: &gd
      client_id: gjj
      client_secret: ${GD_SECRET}
      redirect: &cb https://app.example.com/cb2
      claims: &claims {subject: userobj.uid}
  - id: gd2
    type: oauth2
    name: *gdname
    config:
      <<: *gd
      client_id: gjj2
      claims: *claims
clients:
  - id: portal
    secret: s3cret
    redirect_uris: [https://app.example.com/cb]
  - id: rp2
    secret: s3cret
    redirect_uris: [*cb]
`
	env := map[string]string{"GD_SECRET": "from-env"}
	cfg, err := parse([]byte(src), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Clients[1].RedirectURIs; len(got) != 1 || got[0] != "https://app.example.com/cb2" {
		t.Errorf("top-level alias of a value in a connector's config: redirect_uris = %v", got)
	}
	if cfg.Connectors[1].Name != "统一身份认证" {
		t.Errorf("aliased connector name = %q", cfg.Connectors[1].Name)
	}
	for i, want := range []string{"gjj", "gjj2"} {
		var id, secret, redirect, subject string
		errs, ok := yamlconfig.Mapping(&cfg.Connectors[i].Config, "c",
			yamlconfig.Str("client_id", &id, "gjj"),
			yamlconfig.Str("client_secret", &secret, "${GD_SECRET}"),
			yamlconfig.Str("redirect", &redirect, "https://…"),
			yamlconfig.Nested("claims", yamlconfig.Str("subject", &subject, "userobj.uid")),
		)
		if !ok || len(errs) > 0 {
			t.Fatalf("connectors[%d]: %v", i, errs)
		}
		if id != want || secret != "from-env" || redirect != "https://app.example.com/cb2" || subject != "userobj.uid" {
			t.Errorf("connectors[%d] = %q %q %q %q", i, id, secret, redirect, subject)
		}
	}
}

// TestAnchorEnvProblemAtItsDefinition: an unset variable in an anchored
// block is reported once, where the block stands, not at each alias.
func TestAnchorEnvProblemAtItsDefinition(t *testing.T) {
	t.Parallel()
	src := minimal + `connectors:
  - id: a
    type: oauth2
    config: &a {client_secret: "${NOPE_UNSET}"}
  - id: b
    type: oauth2
    config: *a
`
	_, err := parse([]byte(src), func(string) (string, bool) { return "", false })
	ps := problemsOf(t, err)
	n := 0
	for _, p := range ps {
		if p.Path == "connectors[0].config.client_secret" {
			n++
		}
		if p.Path == "connectors[1].config.client_secret" {
			t.Errorf("reported at the alias: %v", p)
		}
	}
	if n != 1 {
		t.Errorf("want one problem at connectors[0].config.client_secret; got:\n%v", err)
	}
}
