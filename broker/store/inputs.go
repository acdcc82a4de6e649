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
