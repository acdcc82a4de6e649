package memory

import (
	"context"
	"fmt"
	"slices"

	"github.com/gjjid/gjjid/broker/store"
)

// defaultPageSize is what ListClients returns when limit is not positive.
const defaultPageSize = 100

// PutClient creates or replaces the client.
func (s *Store) PutClient(ctx context.Context, c *store.Client) error {
	const op = "put client"
	b, err := encodeRecord(op, c, "ID", c.ID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[c.ID] = b
	return nil
}

// CreateClient stores the client unless its ID is taken.
func (s *Store) CreateClient(ctx context.Context, c *store.Client) error {
	const op = "create client"
	b, err := encodeRecord(op, c, "ID", c.ID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clients[c.ID]; ok {
		return fmt.Errorf("memory: %s %q: %w", op, c.ID, store.ErrConflict)
	}
	s.clients[c.ID] = b
	return nil
}

// UpdateClient applies update to a copy of the client under the lock, so
// nothing can change the client in between.
func (s *Store) UpdateClient(ctx context.Context, id string, update func(*store.Client) error) (*store.Client, error) {
	const op = "update client"
	if err := required(op, "ID", id); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.clients[id]
	if !ok {
		return nil, notFound(op, id)
	}
	c, err := decode[store.Client](op, old)
	if err != nil {
		return nil, err
	}
	if err := store.ApplyClientUpdate("memory: "+op, id, c, update); err != nil {
		return nil, err
	}
	b, err := encode(op, c)
	if err != nil {
		return nil, err
	}
	s.clients[id] = b
	return decode[store.Client](op, b)
}

// GetClient returns a copy of the client.
func (s *Store) GetClient(ctx context.Context, id string) (*store.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.clients[id]
	if !ok {
		return nil, notFound("get client", id)
	}
	return decode[store.Client]("get client", b)
}

// DeleteClient removes the client; ErrNotFound when there is none, so the
// admin API can answer 404.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clients[id]; !ok {
		return notFound("delete client", id)
	}
	delete(s.clients, id)
	return nil
}

// ListClients returns up to limit clients with IDs after cursor, in byte
// order of their IDs; next is the last ID returned when more follow.
func (s *Store) ListClients(ctx context.Context, cursor string, limit int) ([]*store.Client, string, error) {
	if limit <= 0 {
		limit = defaultPageSize
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.clients))
	for id := range s.clients {
		if id > cursor {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	next := ""
	if len(ids) > limit {
		ids = ids[:limit]
		next = ids[limit-1]
	}
	out := make([]*store.Client, 0, len(ids))
	for _, id := range ids {
		c, err := decode[store.Client]("list clients", s.clients[id])
		if err != nil {
			return nil, "", err
		}
		out = append(out, c)
	}
	return out, next, nil
}
