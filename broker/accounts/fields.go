package accounts

import (
	"errors"
	"fmt"
)

// FieldError is a validation failure of one input field; it matches
// ErrInvalid. The admin API reports Field as its "field".
type FieldError struct {
	Field   string // JSON/form name, e.g. "id_number"
	Problem string // what is wrong and how to fix it; never the value
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// Is makes every FieldError match ErrInvalid.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// wrapInvalid names the field of a validator's error.
func wrapInvalid(field string, err error) error {
	return &FieldError{Field: field, Problem: err.Error()}
}

// Field returns the first field an error names, if any.
func Field(err error) (string, bool) {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.Field, true
	}
	if errors.Is(err, ErrWeakPassword) {
		return "password", true
	}
	return "", false
}
