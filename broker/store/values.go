package store

import "github.com/gjjid/gjjid/connectors"

// Values keeps small short-lived values by key: one-time codes,
// challenges, login tickets, used nonces. It is the very capability a
// connector is given (connectors.Values, where its methods are
// documented), so the host hands a store's values to a connector as they
// are; its errors are the store's ErrNotFound and ErrConflict, which are
// the connectors contract's.
type Values = connectors.Values
