// Package registration serves OAuth 2.0 Dynamic Client Registration: RFC
// 7591 (POST /register, authorized by an initial access token) and RFC 7592
// (GET, PUT and DELETE /register/<client_id>, authorized by the client's
// registration access token). It is the wire protocol only: what a client
// may be and how it is stored is package clients' business, shared with
// the admin API.
package registration

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/clients"
	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
)

// Path is where the endpoint lives, relative to the issuer.
const Path = "/register"

// maxBody bounds a registration request; real ones are a few hundred bytes.
const maxBody = 64 << 10

// Options configure the endpoints.
type Options struct {
	// Issuer is the broker's issuer URL; registration_client_uri is
	// Issuer + "/register/" + client_id.
	Issuer string
	// InitialAccessTokens may register clients (config
	// registration.initial_access_tokens).
	InitialAccessTokens []string
	Clients             *clients.Service
	// Audit receives create, update and delete events; nil records none.
	Audit  audit.Recorder
	Logger *slog.Logger
}

// Handler serves the registration endpoints.
type Handler struct {
	o      Options
	tokens [][sha256.Size]byte // SHA-256 of each initial access token
}

// New returns the endpoints' handler.
func New(o Options) *Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	h := &Handler{o: o}
	for _, t := range o.InitialAccessTokens {
		h.tokens = append(h.tokens, sha256.Sum256([]byte(t)))
	}
	return h
}

// Endpoint is the absolute registration_endpoint for discovery.
func Endpoint(issuer string) string { return strings.TrimSuffix(issuer, "/") + Path }

// Register mounts the routes under prefix (the issuer's path, "" for none).
func (h *Handler) Register(e *echo.Echo, prefix string) {
	g := e.Group(prefix+Path, noStore)
	g.POST("", h.create)
	g.GET("/:client_id", h.read)
	g.PUT("/:client_id", h.update)
	g.DELETE("/:client_id", h.delete)
}

// noStore: RFC 7591 §3.2.1 and RFC 7592 §3 responses carry credentials.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Pragma", "no-cache")
		return next(c)
	}
}

// create is RFC 7591 §3.1: register a client.
func (h *Handler) create(c echo.Context) error {
	if !h.initialTokenValid(bearer(c.Request())) {
		return invalidToken(c)
	}
	var req request
	if err := decode(c, &req); err != nil {
		return h.fail(c, err)
	}
	// client_id and client_secret in the request are ignored: the broker
	// issues both, so nobody can claim a chosen (or another's) ID.
	m, err := req.metadata()
	if err != nil {
		return h.fail(c, err)
	}
	token := clients.NewSecret()
	cl, secret, err := h.o.Clients.Create(c.Request().Context(), m,
		clients.CreateOptions{By: clients.Registration, RegistrationTokenHash: secrets.Hash(token)})
	if err != nil {
		return h.fail(c, err)
	}
	h.record(c, "register", cl.ID, auditView(cl))
	return c.JSON(http.StatusCreated, information(cl, secret, token, h.clientURI(cl.ID)))
}

// read is RFC 7592 §2.1.
func (h *Handler) read(c echo.Context) error {
	cl, token, ok, err := h.authenticate(c)
	if !ok {
		return h.denied(c, err)
	}
	return c.JSON(http.StatusOK, information(cl, "", token, h.clientURI(cl.ID)))
}

// update is RFC 7592 §2.2: the request replaces the client's metadata.
// What RFC 7591 has no name for (connectors, token lifetimes), which only
// an administrator sets, is kept.
func (h *Handler) update(c echo.Context) error {
	cl, token, ok, err := h.authenticate(c)
	if !ok {
		return h.denied(c, err)
	}
	var req request
	if err := decode(c, &req); err != nil {
		return h.fail(c, err)
	}
	switch {
	case req.ClientID != cl.ID:
		return h.fail(c, &clients.FieldError{Field: "client_id", Code: clients.InvalidClientMetadata,
			Description: "required, and must be this client's ID (RFC 7592 §2.2)"})
	case req.ClientSecret != "" && !hashEqual(secrets.Hash(req.ClientSecret), cl.SecretHash):
		return h.fail(c, &clients.FieldError{Field: "client_secret", Code: clients.InvalidClientMetadata,
			Description: "does not match the client's secret; leave it out to keep the secret (RFC 7592 §2.2)"})
	}
	m, err := req.metadata()
	if err != nil {
		return h.fail(c, err)
	}
	kept := clients.MetadataOf(cl)
	m.Connectors, m.AccessTokenLifetime, m.IDTokenLifetime, m.RefreshTokenLifetime =
		kept.Connectors, kept.AccessTokenLifetime, kept.IDTokenLifetime, kept.RefreshTokenLifetime
	up, secret, err := h.o.Clients.Update(c.Request().Context(), cl.ID, m, clients.Registration)
	if errors.Is(err, store.ErrNotFound) {
		return invalidToken(c) // deleted meanwhile: the token went with it
	}
	if err != nil {
		return h.fail(c, err)
	}
	h.record(c, "update", up.ID, auditView(up))
	return c.JSON(http.StatusOK, information(up, secret, token, h.clientURI(up.ID)))
}

// delete is RFC 7592 §2.3. The provider no longer finds the client, so its
// refresh tokens and codes stop working (at once on this instance, within
// the client cache TTL on others).
func (h *Handler) delete(c echo.Context) error {
	cl, _, ok, err := h.authenticate(c)
	if !ok {
		return h.denied(c, err)
	}
	err = h.o.Clients.Delete(c.Request().Context(), cl.ID)
	if errors.Is(err, store.ErrNotFound) {
		return invalidToken(c)
	}
	if err != nil {
		return h.fail(c, err)
	}
	h.record(c, "delete", cl.ID, nil)
	return c.NoContent(http.StatusNoContent)
}

// noTokenHash stands in for a missing client's hash, so that a request for
// a client that does not exist (or has no registration token) costs the
// same comparison as one with a wrong token.
var noTokenHash = secrets.Hash("no registration access token")

// authenticate checks the registration access token against the client
// named in the path. Any failure (no token, wrong token, another client's
// token, no such client) is the same 401, so nothing tells whether the
// client exists (RFC 7592 §2.1). err is set only when the store failed.
func (h *Handler) authenticate(c echo.Context) (cl *store.Client, token string, ok bool, err error) {
	token = bearer(c.Request())
	if token == "" {
		return nil, "", false, nil
	}
	cl, err = h.o.Clients.Get(c.Request().Context(), c.Param("client_id"))
	want := noTokenHash
	switch {
	case errors.Is(err, store.ErrNotFound):
		err = nil
	case err != nil:
		return nil, "", false, err
	case cl.RegistrationTokenHash != "":
		want = cl.RegistrationTokenHash
	}
	if !hashEqual(secrets.Hash(token), want) || cl == nil || cl.RegistrationTokenHash == "" {
		return nil, "", false, nil
	}
	return cl, token, true, nil
}

// initialTokenValid compares the SHA-256 of tok with every configured
// token's in constant time: neither the token nor which one matched leaks
// through timing.
func (h *Handler) initialTokenValid(tok string) bool {
	if tok == "" {
		return false
	}
	sum := sha256.Sum256([]byte(tok))
	match := 0
	for _, t := range h.tokens {
		match |= subtle.ConstantTimeCompare(sum[:], t[:])
	}
	return match == 1
}

func hashEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// bearer returns the RFC 6750 §2.1 token of the Authorization header, or "".
func bearer(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

func (h *Handler) clientURI(id string) string {
	return Endpoint(h.o.Issuer) + "/" + url.PathEscape(id)
}

// decode reads a JSON body of at most maxBody bytes.
func decode(c echo.Context, v any) error {
	r := c.Request()
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return &clients.FieldError{Field: "body", Code: clients.InvalidClientMetadata, Description: "must be JSON with Content-Type application/json"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), r.Body, maxBody))
	if err := dec.Decode(v); err != nil {
		var fe *clients.FieldError
		if errors.As(err, &fe) {
			return fe
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &clients.FieldError{Field: "body", Code: clients.InvalidClientMetadata, Description: fmt.Sprintf("must be at most %d bytes", maxBody)}
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return &clients.FieldError{Field: te.Field, Code: clients.InvalidClientMetadata, Description: "must be a JSON " + jsonType(te.Type.String())}
		}
		return &clients.FieldError{Field: "body", Code: clients.InvalidClientMetadata, Description: "must be one JSON object of client metadata"}
	}
	return nil
}

func jsonType(goType string) string {
	switch goType {
	case "string":
		return "string"
	case "[]string":
		return "array of strings"
	}
	return "value of another type"
}

// errorBody is RFC 7591 §3.2.2's error response.
type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// fail answers err: field errors as 400 with their RFC 7591 code (several
// in one description), an unreachable store as 503, anything else as 500.
func (h *Handler) fail(c echo.Context, err error) error {
	if fes := clients.FieldErrors(err); len(fes) > 0 {
		descs := make([]string, len(fes))
		for i, fe := range fes {
			field := fe.Field
			if strings.HasPrefix(field, "scopes") {
				field = "scope" // the RFC 7591 name of the list
			}
			descs[i] = field + ": " + fe.Description
		}
		return c.JSON(http.StatusBadRequest, errorBody{Error: fes[0].Code, Description: strings.Join(descs, "; ")})
	}
	if errors.Is(err, store.ErrUnavailable) {
		c.Response().Header().Set("Retry-After", "5")
		return c.JSON(http.StatusServiceUnavailable, errorBody{Error: "temporarily_unavailable", Description: "gjjid cannot reach its store; try again shortly"})
	}
	h.o.Logger.ErrorContext(c.Request().Context(), "client registration failed", "err", err)
	return c.JSON(http.StatusInternalServerError, errorBody{Error: "server_error"})
}

// denied answers a failed registration-token check: 401, unless the store
// could not be asked.
func (h *Handler) denied(c echo.Context, err error) error {
	if err != nil {
		return h.fail(c, err)
	}
	return invalidToken(c)
}

// invalidToken is RFC 6750 §3.1's answer to a missing or bad bearer token.
func invalidToken(c echo.Context) error {
	c.Response().Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	return c.JSON(http.StatusUnauthorized, errorBody{Error: "invalid_token", Description: "the access token is missing, invalid or not for this client"})
}

// record writes an audit event before the answer goes out. The change is
// made by then, so a failed record is logged loudly rather than turned
// into an error the client would retry.
func (h *Handler) record(c echo.Context, action, clientID string, after map[string]any) {
	if h.o.Audit == nil {
		return
	}
	r := c.Request()
	e := audit.Event{Type: audit.ClientRegister, Action: action, Outcome: audit.Success, Actor: "registration",
		Principal: clientID, Client: clientID, IP: c.RealIP(), UserAgent: r.UserAgent(), After: after}
	if err := h.o.Audit.Record(context.WithoutCancel(r.Context()), e); err != nil {
		h.o.Logger.ErrorContext(r.Context(), "audit record failed", "type", e.Type, "action", action, "client", clientID, "err", err)
	}
}
