package brokertest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/oauth2"

	"github.com/gjjid/gjjid/broker/dpop"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/config/demo"
)

// QR login with the fund's app (connectors/appscan) in test brokers.
const (
	// AppClientID is the fund's app: a public native client whose users
	// log in with their agent password and then confirm QR logins.
	AppClientID = demo.AppClientID
	// AppScanID is the appscan connector's ID.
	AppScanID = "appscan"
	// appRedirect is the app's loopback redirect; nothing listens.
	appRedirect = "http://127.0.0.1:49153/callback"
)

// WithAppScan is an Options.Edit that adds the app client and an appscan
// connector accepting its tokens; extra is more of the connector's YAML
// config (e.g. "lifetime: 2s\n").
func WithAppScan(extra string) func(*config.Config) {
	return func(cfg *config.Config) {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte("app_clients: ["+AppClientID+"]\n"+extra), &n); err != nil {
			panic(fmt.Sprintf("brokertest: appscan config: %v", err))
		}
		cfg.Clients = append(cfg.Clients, config.Client{ID: AppClientID, Name: "公积金App", Public: true, AuthMethod: "none", ApplicationType: "native",
			RedirectURIs: []string{"http://127.0.0.1/callback"}, GrantTypes: []string{"authorization_code", "refresh_token"}})
		cfg.Connectors = append(cfg.Connectors, config.Connector{ID: AppScanID, Type: "appscan", Name: "公积金App扫码登录",
			NameEN: "Scan with the fund's app", Config: *n.Content[0]})
	}
}

// App is one logged-in app session calling the app API.
type App struct {
	Issuer string
	Token  string
	HTTP   *http.Client
	// Prover, when set, makes the token DPoP-bound: requests use
	// `Authorization: DPoP` with a proof (AppLoginDPoP).
	Prover *dpop.Prover
}

// AppLogin logs user in to the app with the password form (authorization
// code with PKCE, as a native app does) and returns the app session.
func AppLogin(t testing.TB, issuer, user, password string) *App {
	t.Helper()
	return appLogin(t, issuer, user, password, nil)
}

// AppLoginDPoP is AppLogin with DPoP (RFC 9449): the token is bound to the
// prover's key and every API call carries a proof.
func AppLoginDPoP(t testing.TB, issuer, user, password string, p *dpop.Prover) *App {
	t.Helper()
	return appLogin(t, issuer, user, password, p)
}

func appLogin(t testing.TB, issuer, user, password string, p *dpop.Prover) *App {
	t.Helper()
	rp := NewRP(t, issuer)
	app := rp.OAuth2
	app.ClientID, app.ClientSecret, app.RedirectURL = AppClientID, "", appRedirect
	app.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	app.Scopes = []string{"openid", "profile", "offline_access"}
	verifier := oauth2.GenerateVerifier()
	br := NewBrowser(t)
	chooseDirect(br)
	loc, err := br.Get(app.AuthCodeURL("app-state", oauth2.S256ChallengeOption(verifier)))
	if err == nil && loc == nil {
		if err = br.choosePassword(issuer); err == nil {
			loc, err = br.SubmitPassword(issuer, user, password)
		}
	}
	if err == nil && loc == nil && strings.Contains(br.Page, `action="/login/unit"`) {
		loc, err = br.chooseFirstUnit(issuer) // an agent of several units
	}
	if err != nil || loc == nil || loc.Query().Get("code") == "" {
		t.Fatalf("app login of %s: %v %v (page %d: %.300s)", user, loc, err, br.Last, br.Page)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if p != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, DPoPClient(p))
	}
	tok, err := app.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("app token exchange: %v", err)
	}
	a := &App{Issuer: issuer, Token: tok.AccessToken, HTTP: &http.Client{Timeout: 30 * time.Second}, Prover: p}
	if p != nil {
		if tok.TokenType != "DPoP" {
			t.Fatalf("app token type %q, want DPoP", tok.TokenType)
		}
		a.HTTP.Transport = &DPoPTransport{Prover: p}
	}
	return a
}

// chooseDirect stops the browser at the app's loopback redirect.
func chooseDirect(br *Browser) {
	next := br.Client.CheckRedirect
	br.Client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Port() == "49153" {
			return http.ErrUseLastResponse
		}
		return next(req, via)
	}
}

var passwordButton = regexp.MustCompile(`id="connector-password" href="([^"]+)"`)

// choosePassword follows the chooser's password button when the login
// offers several methods.
func (b *Browser) choosePassword(issuer string) error {
	m := passwordButton.FindStringSubmatch(b.Page)
	if m == nil {
		return nil // the password form itself
	}
	loc, err := b.Get(strings.TrimSuffix(issuer, "/") + strings.ReplaceAll(m[1], "&amp;", "&"))
	if err != nil {
		return err
	}
	if loc != nil {
		return fmt.Errorf("password button redirected to %s", loc)
	}
	return nil
}

// Call posts to the app API (action scan, confirm or cancel on QR session
// qrID) and returns the status and the decoded JSON answer; headers are
// added to the request (device signatures).
func (a *App) Call(t testing.TB, qrID, action string, headers map[string]string) (int, map[string]any) {
	t.Helper()
	return a.Post(t, "/api/v1/qr/"+url.PathEscape(qrID)+"/"+action, "", headers)
}

// Post sends body (JSON, may be "") to path with the app's token.
func (a *App) Post(t testing.TB, path, body string, headers map[string]string) (int, map[string]any) {
	t.Helper()
	return a.Do(t, http.MethodPost, path, body, headers)
}

// Do sends a request with method to path with the app's token.
func (a *App) Do(t testing.TB, method, path, body string, headers map[string]string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, strings.TrimSuffix(a.Issuer, "/")+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case a.Token != "" && a.Prover != nil:
		req.Header.Set("Authorization", "DPoP "+a.Token) // the transport adds the proof
	case a.Token != "":
		req.Header.Set("Authorization", "Bearer "+a.Token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, m, raw := Send(t, a.HTTP, req)
	if len(raw) > 0 && m == nil {
		t.Fatalf("app API %s: status %d, not a JSON object: %.200s", path, resp.StatusCode, raw)
	}
	if ch := resp.Header.Get("WWW-Authenticate"); resp.StatusCode == http.StatusUnauthorized && !strings.HasPrefix(ch, "Bearer") && !strings.HasPrefix(ch, "DPoP") {
		t.Errorf("app API %s: 401 without a Bearer or DPoP challenge", path)
	}
	return resp.StatusCode, m
}

var firstUnit = regexp.MustCompile(`name="unit" value="([^"]+)"`)

// chooseFirstUnit answers the unit choice with the first unit.
func (b *Browser) chooseFirstUnit(issuer string) (*url.URL, error) {
	m := firstUnit.FindStringSubmatch(b.Page)
	if m == nil {
		return nil, fmt.Errorf("unit page without units")
	}
	action, vals, err := b.Form(issuer)
	if err != nil {
		return nil, err
	}
	vals.Set("unit", m[1])
	return b.Post(action, vals)
}
