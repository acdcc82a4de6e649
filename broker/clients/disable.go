package clients

import (
	"context"
	"errors"
	"fmt"

	"github.com/gjjid/gjjid/broker/store"
)

// SetDisabled takes a stored client out of service (disabled) or puts it
// back. A disabled client is not served: the provider does not know it,
// so no login or token request of it succeeds; its access tokens already
// issued end with their short lifetime. Configured clients are read-only
// (*ReadOnlyError): remove them from the file instead.
func (s *Service) SetDisabled(ctx context.Context, id string, disabled bool) error {
	if s.ov.static.Has(id) {
		return &ReadOnlyError{ID: id}
	}
	now := s.now()
	_, err := s.st.UpdateClient(ctx, id, func(c *store.Client) error {
		if c.Source == store.SourceConfig {
			return &ReadOnlyError{ID: id, Stale: true}
		}
		c.Disabled, c.UpdatedAt = disabled, now
		return nil
	})
	if ro := (*ReadOnlyError)(nil); errors.As(err, &ro) {
		return ro
	}
	if err != nil {
		return fmt.Errorf("clients: set disabled of %q: %w", id, err)
	}
	s.changed(id)
	return nil
}
