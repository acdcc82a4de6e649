package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"time"

	"github.com/gjjid/gjjid/broker/clients"
)

var clientOrder = []string{"client_id", "client_name", "application_type", "token_endpoint_auth_method", "redirect_uris",
	"post_logout_redirect_uris", "grant_types", "scopes", "connectors", "access_token_lifetime", "id_token_lifetime",
	"refresh_token_lifetime", "id_token_signed_response_alg", "backchannel_logout_uri", "backchannel_logout_session_required",
	"frontchannel_logout_uri", "frontchannel_logout_session_required", "dpop_bound_access_tokens", "require_pushed_authorization_requests", "jwks_uri", "jwks", "profile", "tls_client_auth_subject_dn", "tls_client_auth_san_dns", "source", "created_at", "updated_at", "client_secret"}

var clientColumns = []column{{"CLIENT_ID", "client_id"}, {"TYPE", "application_type"}, {"AUTH", "token_endpoint_auth_method"},
	{"GRANTS", "grant_types"}, {"SOURCE", "source"}, {"NAME", "client_name"}}

func clientCommands() []adminCommand {
	return []adminCommand{
		{name: "create", summary: "register a client; prints its client_id and, this once, its client_secret",
			define: func(fs *flag.FlagSet) adminRun {
				var f clientFlags
				f.define(fs, true)
				return func(ctx context.Context, s *adminSession, _ []string) error {
					m := clients.Metadata{ID: f.id}
					if err := f.apply(&m, given(fs)); err != nil {
						return err
					}
					data, err := s.call(ctx, http.MethodPost, "/clients", nil, m)
					if err != nil {
						return err
					}
					return s.printClientWithSecret(data)
				}
			}},
		{name: "list", summary: "list clients; SOURCE config: from the configuration file, read-only here (change the file)", list: true, define: func(fs *flag.FlagSet) adminRun {
			return func(ctx context.Context, s *adminSession, _ []string) error {
				items, err := s.list(ctx, "/clients", nil)
				if err != nil {
					return err
				}
				return s.printList(items, clientColumns, "clients")
			}
		}},
		{name: "get", args: []string{"CLIENT_ID"}, summary: "show a client", define: func(fs *flag.FlagSet) adminRun {
			return func(ctx context.Context, s *adminSession, args []string) error {
				data, err := s.call(ctx, http.MethodGet, "/clients/"+esc(args[0]), nil, nil)
				if err != nil {
					return err
				}
				return s.printObject(data, clientOrder...)
			}
		}},
		{name: "update", args: []string{"CLIENT_ID"},
			summary: "change a client: the flags given replace those fields (a list flag replaces the whole list; --scope '' clears it), the rest stays",
			define: func(fs *flag.FlagSet) adminRun {
				var f clientFlags
				f.define(fs, false)
				return func(ctx context.Context, s *adminSession, args []string) error {
					set := given(fs)
					if onlyGlobal(set) {
						return usagef("nothing to change: give at least one field flag")
					}
					path := "/clients/" + esc(args[0])
					cur, err := s.call(ctx, http.MethodGet, path, nil, nil)
					if err != nil {
						return err
					}
					var m clients.Metadata
					if err := json.Unmarshal(cur, &m); err != nil {
						return fmt.Errorf("client %s: %w", args[0], err)
					}
					m.ID = args[0]
					wasPublic := m.Public()
					if err := f.apply(&m, set); err != nil {
						return err
					}
					data, err := s.call(ctx, http.MethodPut, path, nil, m)
					if err != nil {
						return err
					}
					if err := s.printObject(data, clientOrder...); err != nil {
						return err
					}
					var after struct {
						Secret string `json:"client_secret"`
					}
					if wasPublic && json.Unmarshal(data, &after) == nil && after.Secret != "" {
						fmt.Fprintln(s.stderr, "note: the client is now confidential; its client_secret is shown only now, the broker keeps only its hash")
					}
					return nil
				}
			}},
		{name: "rotate-secret", args: []string{"CLIENT_ID"}, summary: "give a confidential client a new secret (printed this once); the old one stops working",
			define: func(fs *flag.FlagSet) adminRun {
				return func(ctx context.Context, s *adminSession, args []string) error {
					data, err := s.call(ctx, http.MethodPost, "/clients/"+esc(args[0])+"/secret", nil, nil)
					if err != nil {
						return err
					}
					return s.printClientWithSecret(data)
				}
			}},
		{name: "delete", args: []string{"CLIENT_ID"}, summary: "delete a client (not one from the configuration file); also removes stale_config copies older versions stored", define: func(fs *flag.FlagSet) adminRun {
			return func(ctx context.Context, s *adminSession, args []string) error {
				if _, err := s.call(ctx, http.MethodDelete, "/clients/"+esc(args[0]), nil, nil); err != nil {
					return err
				}
				return s.done("deleted client %s", args[0])
			}
		}},
	}
}

// printClientWithSecret prints a create or rotate-secret answer: the
// secret is in it this one time.
func (s *adminSession) printClientWithSecret(data []byte) error {
	if err := s.printObject(data, clientOrder...); err != nil {
		return err
	}
	if !s.json {
		var v struct {
			Secret string `json:"client_secret"`
		}
		if json.Unmarshal(data, &v) == nil && v.Secret != "" {
			fmt.Fprintln(s.stderr, "note: the client_secret is shown only now; the broker keeps only its hash")
		}
	}
	return nil
}

// onlyGlobal reports whether the flags set are connection/output flags
// only.
func onlyGlobal(set map[string]bool) bool {
	for k := range set {
		switch k {
		case "issuer", "client-id", "client-secret", "json":
		default:
			return false
		}
	}
	return true
}

// clientFlags are the metadata flags of clients create and update.
type clientFlags struct {
	id, name, authMethod, idTokenAlg                     string
	backchannel, frontchannel                            string
	redirects, postLogout, grants, scopes, connectorList stringList
	native, public                                       bool
	backchannelSession, frontchannelSession              bool
	dpopBound, requirePAR                                bool
	jwks, jwksURI, profile, subjectDN, sanDNS            string
	accessTTL, idTTL, refreshTTL                         time.Duration
}

func (f *clientFlags) define(fs *flag.FlagSet, create bool) {
	if create {
		fs.StringVar(&f.id, "id", "", "the client_id (`ID`); generated when left out")
	}
	fs.StringVar(&f.name, "name", "", "the client_name users see (`NAME`)")
	fs.Var(&f.redirects, "redirect-uri", "a redirect `URI` (repeatable): https, or http only on 127.0.0.1, [::1] or localhost")
	fs.Var(&f.postLogout, "post-logout-redirect-uri", "a post-logout redirect `URI` (repeatable)")
	fs.Var(&f.grants, "grant", "a grant `TYPE` (repeatable): authorization_code (default), refresh_token, client_credentials")
	fs.Var(&f.scopes, "scope", "an extra `SCOPE` the client may ask for (repeatable), e.g. gjj:api, gjjid:admin")
	fs.Var(&f.connectorList, "connector", "a connector (`ID`) offered to its users (repeatable); default: all")
	fs.BoolVar(&f.native, "native", false, "application_type native (desktop/mobile app, RFC 8252); default web")
	fs.BoolVar(&f.public, "public", false, "public client without a secret (token_endpoint_auth_method none; PKCE)")
	fs.StringVar(&f.authMethod, "auth-method", "", "token_endpoint_auth_method: client_secret_basic (web default), client_secret_post, private_key_jwt (with --jwks-uri or --jwks) or none (`METHOD`)")
	fs.DurationVar(&f.accessTTL, "access-token-lifetime", 0, "access token lifetime, a `DURATION` such as 10m; 0: the broker's")
	fs.DurationVar(&f.idTTL, "id-token-lifetime", 0, "ID token lifetime (`DURATION`)")
	fs.DurationVar(&f.refreshTTL, "refresh-token-lifetime", 0, "refresh token lifetime (`DURATION`)")
	fs.StringVar(&f.idTokenAlg, "id-token-signed-response-alg", "", "sign its ID tokens with `ALG`: ES256 or RS256; empty: the broker's default key")
	fs.StringVar(&f.backchannel, "backchannel-logout-uri", "", "where the broker POSTs logout tokens (`URI`, OpenID Connect Back-Channel Logout); empty: none")
	fs.BoolVar(&f.backchannelSession, "backchannel-logout-session-required", false, "logout tokens must carry sid")
	fs.StringVar(&f.frontchannel, "frontchannel-logout-uri", "", "framed on the logged-out page (`URI`, OpenID Connect Front-Channel Logout); empty: none")
	fs.BoolVar(&f.frontchannelSession, "frontchannel-logout-session-required", false, "the front-channel URI gets iss and sid")
	fs.BoolVar(&f.dpopBound, "dpop-bound-access-tokens", false, "every token request must carry a DPoP proof (RFC 9449)")
	fs.BoolVar(&f.requirePAR, "require-pushed-authorization-requests", false, "authorization requests must be pushed to /oauth/par first (RFC 9126)")
	fs.StringVar(&f.jwksURI, "jwks-uri", "", "where a private_key_jwt client publishes its public keys (`URL`)")
	fs.StringVar(&f.jwks, "jwks", "", "a private_key_jwt client's public keys, a JSON Web Key Set (`JSON`)")
	fs.StringVar(&f.subjectDN, "tls-client-auth-subject-dn", "", "the certificate subject of a tls_client_auth client (`DN`, RFC 8705)")
	fs.StringVar(&f.sanDNS, "tls-client-auth-san-dns", "", "the certificate DNS name of a tls_client_auth client (`NAME`)")
	fs.StringVar(&f.profile, "profile", "", "`PROFILE` fapi2 holds the client to the FAPI 2.0 Security Profile; empty: none")
}

// apply writes the flags the command line set into m.
func (f *clientFlags) apply(m *clients.Metadata, set map[string]bool) error {
	if set["public"] && set["auth-method"] && f.public != (f.authMethod == clients.AuthNone) {
		return usagef("--public and --auth-method %s contradict each other", f.authMethod)
	}
	if set["name"] {
		m.Name = f.name
	}
	lists := []struct {
		flag string
		in   stringList
		out  *[]string
	}{{"redirect-uri", f.redirects, &m.RedirectURIs}, {"post-logout-redirect-uri", f.postLogout, &m.PostLogoutRedirectURIs},
		{"grant", f.grants, &m.GrantTypes}, {"scope", f.scopes, &m.Scopes}, {"connector", f.connectorList, &m.Connectors}}
	for _, l := range lists {
		if set[l.flag] {
			*l.out = l.in.values()
		}
	}
	if set["native"] {
		m.ApplicationType = clients.AppWeb
		if f.native {
			m.ApplicationType = clients.AppNative
		}
	}
	if set["public"] {
		switch {
		case f.public:
			m.AuthMethod = clients.AuthNone
		case m.AuthMethod == clients.AuthNone:
			m.AuthMethod = "" // the default for the application type
		}
	}
	if set["auth-method"] {
		m.AuthMethod = f.authMethod
	}
	if set["access-token-lifetime"] {
		m.AccessTokenLifetime = f.accessTTL
	}
	if set["id-token-lifetime"] {
		m.IDTokenLifetime = f.idTTL
	}
	if set["refresh-token-lifetime"] {
		m.RefreshTokenLifetime = f.refreshTTL
	}
	if set["id-token-signed-response-alg"] {
		m.IDTokenSignedResponseAlg = f.idTokenAlg
	}
	if set["dpop-bound-access-tokens"] {
		m.DPoPBoundAccessTokens = f.dpopBound
	}
	if set["require-pushed-authorization-requests"] {
		m.RequirePushedAuthorizationRequests = f.requirePAR
	}
	if set["jwks-uri"] {
		m.JWKSURI = f.jwksURI
	}
	if set["jwks"] {
		m.JWKS = f.jwks
	}
	if set["profile"] {
		m.Profile = f.profile
	}
	if set["tls-client-auth-subject-dn"] {
		m.TLSClientAuthSubjectDN = f.subjectDN
	}
	if set["tls-client-auth-san-dns"] {
		m.TLSClientAuthSANDNS = f.sanDNS
	}
	f.applyLogout(m, set)
	return nil
}
