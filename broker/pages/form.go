package pages

import (
	"net/url"
	"slices"
	"strings"
)

// field is one labelled input of a form, rendered by the "pg_field"
// template: a visible label, the value typed (never a password's), and an
// error announced with the field (aria-invalid, aria-describedby).
type field struct {
	ID, Name, Label, Type, Value, Error, Hint string
	Autocomplete, InputMode, Pattern          string
	MaxLength                                 int
	Required                                  bool
	Options                                   []option // a select's or checkboxes' choices
	Check                                     string   // data-check rule for pages.js
	CheckMsg                                  string   // what pages.js says when the rule fails
}

type option struct {
	Value, Label string
	Selected     bool
}

// form is a form's fields, its CSRF token and a summary of its errors.
type form struct {
	Action, CSRF, Submit string
	Fields               []field
	Errors               []fieldError // in field order; the summary links to each
	Hidden               map[string]string
}

type fieldError struct{ ID, Message string }

// setError attaches msg to the field named name.
func (f *form) setError(name, msg string) {
	for i := range f.Fields {
		if f.Fields[i].Name == name {
			if f.Fields[i].Error == "" {
				f.Fields[i].Error = msg
			}
			return
		}
	}
}

// finish collects the field errors for the summary, in field order.
func (f *form) finish() {
	f.Errors = f.Errors[:0]
	for _, fl := range f.Fields {
		if fl.Error != "" {
			f.Errors = append(f.Errors, fieldError{ID: fl.ID, Message: fl.Label + "：" + fl.Error})
		}
	}
}

// fill sets the fields' values from posted input, leaving passwords empty.
func (f *form) fill(in url.Values) {
	for i := range f.Fields {
		fl := &f.Fields[i]
		if fl.Type == "password" {
			continue
		}
		if len(fl.Options) > 0 {
			for j := range fl.Options {
				fl.Options[j].Selected = slices.Contains(in[fl.Name], fl.Options[j].Value)
			}
			continue
		}
		fl.Value = strings.TrimSpace(in.Get(fl.Name))
	}
}

// withMessages sets each checked field's browser-side message to the text
// the server gives for the same rule.
func (f form) withMessages(text func(key string) string) form {
	for i := range f.Fields {
		if c := f.Fields[i].Check; c != "" {
			f.Fields[i].CheckMsg = text("pg_e_" + c)
		}
	}
	return f
}
