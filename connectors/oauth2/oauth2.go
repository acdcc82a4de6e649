// Package oauth2 is a data-driven connector for OAuth2-like platforms that
// do not follow the standard closely enough for the oidc connector, such
// as Guangdong's unified identity authentication platform
// (tyrz.gd.gov.cn): an authorize URL with extra static parameters
// (service=initService, scope=all), a token call whose method and client
// secret placement (query, form or Basic) are configuration, a user-info
// call, and JSON paths for the access token, the error field and every
// value the mapping reads (upstream.Mapping).
package oauth2

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/redact"
	"github.com/gjjid/gjjid/connectors/upstream"
)

// Type is the registry type of this connector.
const Type = "oauth2"

var _ connectors.RedirectLogin = (*Connector)(nil)

// Connector is an opened OAuth2-like connector.
type Connector struct {
	upstream.Base // ID, Type, DisplayName, ACR, SelfBinds; flows and the upstream client
	cfg           Config
}

var (
	kind = upstream.Kind[Config, *Connector]{Type: Type, Parse: parseConfig,
		New: func(b upstream.Base, cfg Config, _ connectors.Deps) *Connector { return &Connector{Base: b, cfg: cfg} }}

	// Open validates spec.Config and opens the connector.
	Open = kind.Open
	// Factory opens oauth2 connectors for the registry.
	Factory = connectors.FactoryOf(Open)
)

// LoginURL is the authorize URL with response_type=code, client_id,
// redirect_uri, state, scope and the static authorize_params.
func (c *Connector) LoginURL(ctx context.Context, state, callbackURL string) (string, error) {
	if err := c.SaveFlow(ctx, state, []byte(callbackURL)); err != nil {
		return "", err
	}
	q := url.Values{}
	for k, v := range c.cfg.AuthorizeParams {
		q.Set(k, v)
	}
	q.Set("response_type", "code")
	q.Set("client_id", c.cfg.ClientID)
	q.Set("redirect_uri", callbackURL)
	q.Set("state", state)
	if c.cfg.Scope != "" {
		q.Set("scope", c.cfg.Scope)
	}
	return c.cfg.AuthorizeURL + "?" + q.Encode(), nil
}

// HandleCallback redeems the code, reads the user and maps it. No
// error's text holds what the login sent or received (the client secret,
// the code, the access token): upstream answers may quote them.
func (c *Connector) HandleCallback(ctx context.Context, r *http.Request) (connectors.Identity, error) {
	var sent redact.Sent
	sent.Add(c.cfg.ClientSecret, base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(c.cfg.ClientID)+":"+url.QueryEscape(c.cfg.ClientSecret))))
	return c.Callback(ctx, r, &sent, c.handle)
}

func (c *Connector) handle(ctx context.Context, q url.Values, raw []byte, sent *redact.Sent) (connectors.Identity, error) {
	callback := string(raw)
	if e := q.Get("error"); e != "" {
		return connectors.Identity{}, upstream.Denied(fmt.Errorf("upstream error %q", upstream.Clip(e)))
	}
	code := q.Get("code")
	if code == "" {
		return connectors.Identity{}, upstream.Denied(errors.New("callback without code"))
	}
	sent.Add(code)
	tokDoc, err := c.call(ctx, "token", c.cfg.Token, c.tokenRequest(code, callback), sent)
	if err != nil {
		return connectors.Identity{}, err
	}
	at, present, terr := c.cfg.AccessToken.Text(tokDoc)
	if terr != nil || !present || at == "" {
		return connectors.Identity{}, upstream.Invalid(fmt.Errorf("token answer: no access token at %s", c.cfg.AccessToken))
	}
	sent.Add(at)
	doc, err := c.call(ctx, "userinfo", c.cfg.UserInfo, c.userInfoRequest(at), sent)
	if err != nil {
		return connectors.Identity{}, err
	}
	out, err := c.cfg.Mapping.Identity(c.ID(), doc)
	if err != nil {
		return connectors.Identity{}, upstream.Attribute(err)
	}
	return out, nil
}

// request is one call's parameters, before it is sent.
type request struct {
	query, form url.Values
	basicUser   string
	basicPass   string
	bearer      string
}

func (c *Connector) tokenRequest(code, callback string) request {
	p := url.Values{}
	for k, v := range c.cfg.Token.Params {
		p.Set(k, v)
	}
	p.Set("grant_type", "authorization_code")
	p.Set("code", code)
	p.Set("redirect_uri", callback)
	if c.cfg.Scope != "" {
		p.Set("scope", c.cfg.Scope)
	}
	req := request{}
	switch c.cfg.SecretIn {
	case InBasic:
		// RFC 6749 §2.3.1: both form-encoded before Basic encoding.
		req.basicUser, req.basicPass = url.QueryEscape(c.cfg.ClientID), url.QueryEscape(c.cfg.ClientSecret)
	default:
		p.Set("client_id", c.cfg.ClientID)
		p.Set("client_secret", c.cfg.ClientSecret)
	}
	c.place(&req, c.cfg.Token.Method, c.cfg.SecretIn, p)
	return req
}

func (c *Connector) userInfoRequest(accessToken string) request {
	p := url.Values{}
	for k, v := range c.cfg.UserInfo.Params {
		p.Set(k, v)
	}
	req := request{}
	if c.cfg.TokenIn == InHeader {
		req.bearer = accessToken
	} else {
		p.Set(c.cfg.TokenParam, accessToken)
	}
	c.place(&req, c.cfg.UserInfo.Method, c.cfg.TokenIn, p)
	return req
}

// place puts p into the query (GET, or where=query) or the form (POST).
func (c *Connector) place(req *request, method, where string, p url.Values) {
	if method == http.MethodGet || where == InQuery {
		req.query = p
		return
	}
	req.form = p
}

// call makes one call and returns its JSON answer; a non-2xx status, a
// body that is not JSON or an error field outside error_ok fail it. An
// error field is quoted only after sent's values are removed from it.
func (c *Connector) call(ctx context.Context, name string, call Call, r request, sent *redact.Sent) (any, error) {
	u := call.URL
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var req *http.Request
	var err error
	if call.Method == http.MethodPost {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(r.form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("oauth2 %s: %s request: %w", c.ID(), name, err)
	}
	req.Header.Set("Accept", "application/json")
	if r.basicUser != "" {
		req.SetBasicAuth(r.basicUser, r.basicPass)
	}
	if r.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		// Redact: the query may hold the client secret or the token.
		return nil, fmt.Errorf("oauth2 %s: %s call: %w", c.ID(), name, upstream.Redact(err))
	}
	body, err := upstream.ReadBody(resp)
	if err != nil {
		if errors.Is(err, upstream.ErrTooLarge) {
			return nil, upstream.Invalid(fmt.Errorf("%s answer: %w", name, err))
		}
		return nil, fmt.Errorf("oauth2 %s: %s call: %w", c.ID(), name, err)
	}
	doc, jerr := upstream.DecodeJSON(body)
	if resp.StatusCode/100 != 2 {
		cause := fmt.Errorf("%s answer: status %d%s", name, resp.StatusCode, errorField(call, doc, sent))
		if resp.StatusCode >= 500 {
			return nil, fmt.Errorf("oauth2 %s: %w", c.ID(), cause)
		}
		return nil, upstream.Failed(cause)
	}
	if jerr != nil {
		return nil, upstream.Invalid(fmt.Errorf("%s answer: %w", name, jerr))
	}
	if !call.ErrorPath.IsZero() {
		v, present, err := call.ErrorPath.Text(doc)
		if err != nil || (present && !slices.Contains(call.ErrorOK, v)) {
			return nil, upstream.Failed(fmt.Errorf("%s answer: error field %s = %q", name, call.ErrorPath, upstream.Clip(sent.Text(v))))
		}
	}
	return doc, nil
}

func errorField(call Call, doc any, sent *redact.Sent) string {
	if call.ErrorPath.IsZero() || doc == nil {
		return ""
	}
	if v, ok, _ := call.ErrorPath.Text(doc); ok {
		return fmt.Sprintf(", error field %s = %q", call.ErrorPath, upstream.Clip(sent.Text(v)))
	}
	return ""
}
