package store

import (
	"fmt"
	"time"
)

// Required rejects empty identifiers, which no caller should produce; pairs
// are name, value, name, value…. Every backend refuses the same inputs with
// it (storetest checks that).
func Required(op string, pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return fmt.Errorf("%s: empty %s", op, pairs[i])
		}
	}
	return nil
}

// Lifetime refuses a record that would not exist once written.
func Lifetime(op string, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("%s: lifetime %v is not positive", op, ttl)
	}
	return nil
}

// ApplyClientUpdate runs a caller's UpdateClient function on c, the stored
// client id as read, and refuses an update that changed the ID: every
// backend's UpdateClient applies updates through it.
func ApplyClientUpdate(op, id string, c *Client, update func(*Client) error) error {
	if err := update(c); err != nil {
		return err
	}
	if c.ID != id {
		return fmt.Errorf("%s %q: update changed the ID to %q", op, id, c.ID)
	}
	return nil
}
