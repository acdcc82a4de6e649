package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// column is one column of a list table: its header and the JSON member it
// shows. Tables put names last: tabwriter counts a Chinese character as
// one column, so a wide-character column aligns only at the end.
type column struct{ head, key string }

// printJSON prints a JSON document indented.
func (s *adminSession) printJSON(data []byte) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, bytes.TrimSpace(data), "", "  "); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err := s.stdout.Write(buf.Bytes())
	return err
}

// printList prints items as a table, or with --json as one JSON array.
func (s *adminSession) printList(items []json.RawMessage, cols []column, what string) error {
	if s.json {
		data, err := json.Marshal(items)
		if err != nil {
			return err
		}
		return s.printJSON(data)
	}
	if len(items) == 0 {
		fmt.Fprintf(s.stderr, "no %s\n", what)
		return nil
	}
	tw := tabwriter.NewWriter(s.stdout, 0, 0, 2, ' ', 0)
	heads := make([]string, len(cols))
	for i, c := range cols {
		heads[i] = c.head
	}
	fmt.Fprintln(tw, strings.Join(heads, "\t"))
	for _, raw := range items {
		m, err := decodeObject(raw)
		if err != nil {
			return err
		}
		row := make([]string, len(cols))
		for i, c := range cols {
			row[i] = cell(c.key, m[c.key])
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// printObject prints one object as "member  value" lines, the members in
// order first and any others after them, or with --json as is.
func (s *adminSession) printObject(data []byte, order ...string) error {
	if s.json {
		return s.printJSON(data)
	}
	m, err := decodeObject(data)
	if err != nil {
		return err
	}
	keys := slices.Clone(order)
	var rest []string
	for k := range m {
		if !slices.Contains(order, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	keys = append(keys, rest...)
	tw := tabwriter.NewWriter(s.stdout, 0, 0, 2, ' ', 0)
	for _, k := range keys {
		if v, ok := m[k]; ok {
			fmt.Fprintf(tw, "%s:\t%s\n", k, cell(k, v))
		}
	}
	return tw.Flush()
}

// done reports a change that answers no body (delete, set-password); with
// --json nothing is printed.
func (s *adminSession) done(format string, args ...any) error {
	if !s.json {
		fmt.Fprintf(s.stdout, format+"\n", args...)
	}
	return nil
}

func decodeObject(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("unexpected answer: %w", err)
	}
	return m, nil
}

// cell formats a JSON value for a table.
func cell(key string, v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		if isTimeKey(key) {
			if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
				if t.IsZero() {
					return ""
				}
				return t.Local().Format("2006-01-02 15:04:05 -0700")
			}
		}
		return strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, v)
	case bool:
		if v {
			return "yes"
		}
		return "no"
	case json.Number:
		return v.String()
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = cell("", x)
		}
		return strings.Join(parts, ",")
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

func isTimeKey(k string) bool {
	return k == "time" || strings.HasSuffix(k, "_at") || strings.HasSuffix(k, "_before")
}
