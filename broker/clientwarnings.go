package broker

import (
	"context"
	"log/slog"

	"github.com/gjjid/gjjid/broker/clients"
)

// warnShadowedClients logs the stored clients that a configured client of
// the same ID hides (the file wins), so that an operator learns that a
// client made through an API is no longer served. It only reads; a store
// that cannot answer is logged too and does not stop the start.
func warnShadowedClients(ctx context.Context, ov *clients.Overlay, log *slog.Logger) {
	hidden, err := ov.Shadowed(ctx)
	if err != nil {
		log.Warn("could not check for stored clients the configuration file shadows", "err", err)
		return
	}
	for _, c := range hidden {
		log.Warn("a client of the configuration file shadows a stored client of the same ID; the file's is served",
			"client_id", c.ID, "stored_source", c.Source)
	}
}
