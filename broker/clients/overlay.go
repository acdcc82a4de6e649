package clients

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gjjid/gjjid/broker/store"
)

// SourceStaleConfig is the Source Service.Get and Service.List report for
// a stored client marked store.SourceConfig whose ID this instance's
// configuration file does not define. gjjid versions before the overlay
// wrote the file's clients into the store; such a copy is never served
// (the file is the only truth for configured clients, and a client
// dropped from it must stop working), the APIs refuse to change it
// (ErrStaleConfig), and an administrator may delete it.
const SourceStaleConfig = "stale_config"

// Overlay is where every reader of clients looks them up: the
// configuration file's clients (Static) first, then the store's (admin API
// and dynamic registration). A stored client with the ID of a configured
// one is shadowed: the file wins. The overlay itself never writes.
type Overlay struct {
	static *Static
	st     store.Clients
}

// NewOverlay serves static's clients over st's; static may be nil.
func NewOverlay(st store.Clients, static *Static) *Overlay {
	return &Overlay{static: static, st: st}
}

// GetClient returns the client relying parties use (the provider's
// lookup): the configured one, else the stored one. Unknown clients and
// stale stored copies of configured clients (SourceStaleConfig) are errors
// wrapping store.ErrNotFound.
func (o *Overlay) GetClient(ctx context.Context, id string) (*store.Client, error) {
	c, err := o.record(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Source == SourceStaleConfig {
		return nil, fmt.Errorf("clients: %q is a stored copy of a client no longer in the configuration file, not served: %w", id, store.ErrNotFound)
	}
	if c.Disabled {
		return nil, fmt.Errorf("clients: %q is disabled, not served: %w", id, store.ErrNotFound)
	}
	return c, nil
}

// record returns the client as administrators see it: configured clients
// with source config, stale stored copies with SourceStaleConfig.
func (o *Overlay) record(ctx context.Context, id string) (*store.Client, error) {
	if c, ok := o.static.get(id); ok {
		return c, nil
	}
	c, err := o.st.GetClient(ctx, id)
	if err != nil {
		return nil, err
	}
	return stored(c), nil
}

// stored marks a store record that claims to come from the configuration
// file (and so is not in this instance's file) as stale.
func stored(c *store.Client) *store.Client {
	if c.Source == store.SourceConfig {
		c.Source = SourceStaleConfig
	}
	return c
}

// Shadowed returns the stored clients, made through an API, that a
// configured client of the same ID hides: they are neither served nor
// listed while the file defines the ID, so the broker warns about them at
// start. Stored copies of configured clients (source config) are not
// returned: hiding them is the point.
func (o *Overlay) Shadowed(ctx context.Context) ([]*store.Client, error) {
	var out []*store.Client
	for _, c := range o.static.after("") {
		sc, err := o.st.GetClient(ctx, c.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return nil, fmt.Errorf("clients: look for stored clients the configuration file shadows: %w", err)
		case sc.Source != store.SourceConfig:
			out = append(out, sc)
		}
	}
	return out, nil
}

// WarnShadowed logs every stored client that Shadowed returns, so an
// operator learns that a client made through an API is no longer served.
// It only reads; a store that cannot answer is logged too and does not
// stop the start.
func (o *Overlay) WarnShadowed(ctx context.Context, log *slog.Logger) {
	hidden, err := o.Shadowed(ctx)
	if err != nil {
		log.WarnContext(ctx, "could not check for stored clients the configuration file shadows", "err", err)
		return
	}
	for _, c := range hidden {
		log.WarnContext(ctx, "a client of the configuration file shadows a stored client of the same ID; the file's is served",
			"client_id", c.ID, "stored_source", c.Source)
	}
}

// list pages through configured and stored clients together in ID order,
// as record shows them; cursor is the last ID of the previous page ("" to
// start), next "" at the end. limit must be positive.
func (o *Overlay) list(ctx context.Context, cursor string, limit int) (cs []*store.Client, next string, err error) {
	// Read stored clients until limit+1 unshadowed ones or the end. When
	// the store has more, the first limit of the merged list are all at or
	// before the last stored client read, so no unread one belongs among
	// them; otherwise everything after cursor has been read.
	var fromStore []*store.Client
	for c := cursor; ; {
		page, n, err := o.st.ListClients(ctx, c, limit+1)
		if err != nil {
			return nil, "", err
		}
		for _, sc := range page {
			if !o.static.Has(sc.ID) {
				fromStore = append(fromStore, stored(sc))
			}
		}
		if n == "" || len(fromStore) > limit {
			break
		}
		c = n
	}
	fromFile := o.static.after(cursor)
	cs = mergeByID(fromFile, fromStore)
	if len(cs) > limit {
		cs = cs[:limit]
		next = cs[limit-1].ID
	}
	return cs, next, nil
}

// mergeByID merges two lists sorted by ID with no ID in both.
func mergeByID(a, b []*store.Client) []*store.Client {
	out := make([]*store.Client, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if a[0].ID < b[0].ID {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}
