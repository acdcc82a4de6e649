package provider

// Grant is the grant the token belongs to: the authorization request (code
// flow) or refresh family that minted it, the same for every token a login
// yields across refreshes; "" for client_credentials tokens. The app API
// names an app session by it.
func (t *AccessToken) Grant() string {
	g, _, _ := parseAccessTokenID(t.JTI)
	return g
}
