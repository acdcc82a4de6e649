package connectors

import "net/http"

// Endpoints is a connector that serves HTTP endpoints of its own, which
// the broker mounts at /connectors/<connector id>/<path> (the WeChat mini
// program's face-verification start). Each handler authenticates its
// callers itself; RemoteIP is in the request's context.
type Endpoints interface {
	Connector
	Endpoints() map[string]http.Handler
}
