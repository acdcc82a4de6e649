// Package upstream holds what the connectors to upstream identity
// platforms (oidc, cas, oauth2: the provincial unified identity
// authentication platforms, 统一身份认证平台) share:
//
//   - the claim mapping from an upstream's answer onto connectors.Identity
//     (Mapping), with a small JSON-path language (Path);
//   - the mapping's YAML keys and claim paths (Mapping.Fields, PathField,
//     Mapping.Decode), on the shared strict decoder connectors/yamlconfig;
//   - an HTTP client whose answers are capped in time and size, and error
//     texts that never carry a URL's query (where secrets may travel);
//   - the login errors all three show to the user;
//   - what each opens with and holds besides its own config (Kind, Base,
//     OpenBase): Base gives ID, Type, DisplayName, ACR and SelfBinds, and
//     Base.Callback the part of HandleCallback around each one's own.
//
// It is not a connector; it imports no connector and no broker package.
package upstream
