package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// adminScope is the scope the admin API requires (admin.ScopeAdmin).
const adminScope = "gjjid:admin"

// adminSession is an authenticated connection to a broker's admin API.
type adminSession struct {
	issuer, clientID, clientSecret string
	http                           *http.Client // nil until connect
	json                           bool
	limit                          int
	cursor                         string
	stdout                         io.Writer
	stderr                         io.Writer
}

// session resolves the connection settings: flags, then the environment.
func (g *adminGlobals) session(getenv func(string) string, stdout, stderr io.Writer) (*adminSession, error) {
	var missing []string
	setting := func(flagValue, flagName, env string) string {
		if flagValue != "" {
			return flagValue
		}
		if v := strings.TrimSpace(getenv(env)); v != "" {
			return v
		}
		missing = append(missing, fmt.Sprintf("--%s (or env %s)", flagName, env))
		return ""
	}
	issuer := setting(g.issuer, "issuer", "GJJID_ISSUER")
	clientID := setting(g.clientID, "client-id", "GJJID_CLIENT_ID")
	clientSecret := setting(g.clientSecret, "client-secret", "GJJID_CLIENT_SECRET")
	if len(missing) > 0 {
		return nil, usagef("no broker credentials: missing %s", strings.Join(missing, ", "))
	}
	if g.limit < 0 || g.limit > 500 {
		return nil, usagef("--limit must be from 1 to 500")
	}
	issuer = strings.TrimSuffix(issuer, "/")
	if u, err := url.Parse(issuer); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usagef("issuer %q is not an http(s) URL", issuer)
	}
	return &adminSession{issuer: issuer, clientID: clientID, clientSecret: clientSecret,
		json: g.json, limit: g.limit, cursor: g.cursor, stdout: stdout, stderr: stderr}, nil
}

// connect reads the broker's discovery document and gets an access token,
// once: commands check their own arguments before the first call.
func (s *adminSession) connect(ctx context.Context) error {
	if s.http != nil {
		return nil
	}
	plain := &http.Client{Timeout: 30 * time.Second}
	tokenURL, err := discoverTokenEndpoint(ctx, plain, s.issuer)
	if err != nil {
		return err
	}
	cc := clientcredentials.Config{ClientID: s.clientID, ClientSecret: s.clientSecret, TokenURL: tokenURL, Scopes: []string{adminScope}}
	ts := cc.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, plain))
	if _, err := ts.Token(); err != nil {
		return tokenError(err)
	}
	hc := oauth2.NewClient(context.WithValue(ctx, oauth2.HTTPClient, plain), ts)
	hc.Timeout = 60 * time.Second
	s.http = hc
	return nil
}

// discoverTokenEndpoint reads token_endpoint from the issuer's OpenID
// Provider configuration.
func discoverTokenEndpoint(ctx context.Context, hc *http.Client, issuer string) (string, error) {
	u := issuer + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("discovery: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("discovery: %s answered %s", u, resp.Status)
	}
	var doc struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return "", fmt.Errorf("discovery: %s: %w", u, err)
	}
	if doc.TokenEndpoint == "" {
		return "", fmt.Errorf("discovery: %s has no token_endpoint", u)
	}
	return doc.TokenEndpoint, nil
}

// apiError is an error answer of the admin API (or the token endpoint).
type apiError struct {
	Status      int    `json:"-"`
	Code        string `json:"error"`
	Description string `json:"error_description"`
	Field       string `json:"field"`
}

func (e *apiError) Error() string {
	s := e.Code
	if e.Description != "" {
		s += ": " + e.Description
	}
	if e.Field != "" {
		s += " (field " + e.Field + ")"
	}
	return s
}

// apiErrorOf reads an error answer; bodies that are not the API's error
// shape become "http <status>: <text>".
func apiErrorOf(status int, body []byte) *apiError {
	var e apiError
	if json.Unmarshal(body, &e) == nil && e.Code != "" {
		e.Status = status
		return &e
	}
	var echoErr struct {
		Message string `json:"message"`
	}
	desc := http.StatusText(status)
	if json.Unmarshal(body, &echoErr) == nil && echoErr.Message != "" {
		desc = echoErr.Message
	}
	return &apiError{Status: status, Code: "http " + strconv.Itoa(status), Description: desc}
}

// tokenError turns a failed token request into the token endpoint's
// error (RFC 6749 §5.2).
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		e := &apiError{Code: re.ErrorCode, Description: re.ErrorDescription}
		if re.Response != nil {
			e.Status = re.Response.StatusCode
		}
		if e.Code == "" {
			e.Code = "token request failed"
			if re.Response != nil {
				e.Description = re.Response.Status
			}
		}
		e.Description = strings.TrimSpace(e.Description + " (token endpoint)")
		return e
	}
	return fmt.Errorf("token request: %w", err)
}

// call sends a request to <issuer>/admin/v1<path> and returns the answer's
// body (nil for 204 No Content).
func (s *adminSession) call(ctx context.Context, method, path string, query url.Values, body any) ([]byte, error) {
	if err := s.connect(ctx); err != nil {
		return nil, err
	}
	u := s.issuer + "/admin/v1" + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.http.Do(req)
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return nil, tokenError(re)
		}
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 400 {
		return nil, apiErrorOf(resp.StatusCode, data)
	}
	if resp.StatusCode == http.StatusNoContent || len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	if !json.Valid(data) {
		return nil, fmt.Errorf("%s %s: the broker answered %s without JSON", method, path, resp.Status)
	}
	return data, nil
}

// list gets every page of a list (or the one page --limit asks for) and
// returns the items.
func (s *adminSession) list(ctx context.Context, path string, query url.Values) ([]json.RawMessage, error) {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	if s.limit > 0 {
		q.Set("limit", strconv.Itoa(s.limit))
	}
	cursor := s.cursor
	items := []json.RawMessage{}
	for {
		q.Del("cursor")
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		data, err := s.call(ctx, http.MethodGet, path, q, nil)
		if err != nil {
			return nil, err
		}
		var pg struct {
			Items      []json.RawMessage `json:"items"`
			NextCursor string            `json:"next_cursor"`
		}
		if err := json.Unmarshal(data, &pg); err != nil {
			return nil, fmt.Errorf("GET %s: %w", path, err)
		}
		items = append(items, pg.Items...)
		switch {
		case pg.NextCursor == "":
			return items, nil
		case s.limit > 0:
			fmt.Fprintf(s.stderr, "more items: repeat with --cursor %s\n", pg.NextCursor)
			return items, nil
		case pg.NextCursor == cursor:
			return nil, fmt.Errorf("GET %s: the cursor does not advance (%s)", path, cursor)
		}
		cursor = pg.NextCursor
	}
}

// esc escapes one path segment.
func esc(s string) string { return url.PathEscape(s) }
