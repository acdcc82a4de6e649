package main

import (
	"context"
	"flag"
	"net/http"
)

var unitOrder = []string{"id", "customer_no", "name", "status", "created_at"}

var unitColumns = []column{{"ID", "id"}, {"CUSTOMER_NO", "customer_no"}, {"STATUS", "status"}, {"CREATED", "created_at"}, {"NAME", "name"}}

func unitCommands() []adminCommand {
	return []adminCommand{
		{name: "create", summary: "create a unit", define: func(fs *flag.FlagSet) adminRun {
			id := fs.String("id", "", "the unified social credit code (`CREDITCODE`, 18 characters)")
			name := fs.String("name", "", "the unit's `NAME`")
			customerNo := fs.String("customer-no", "", "the 单位客户号 (`NO`)")
			return func(ctx context.Context, s *adminSession, _ []string) error {
				body := map[string]string{"id": *id, "customer_no": *customerNo, "name": *name}
				data, err := s.call(ctx, http.MethodPost, "/units", nil, body)
				if err != nil {
					return err
				}
				return s.printObject(data, unitOrder...)
			}
		}},
		{name: "list", summary: "list units", list: true, define: func(fs *flag.FlagSet) adminRun {
			return func(ctx context.Context, s *adminSession, _ []string) error {
				items, err := s.list(ctx, "/units", nil)
				if err != nil {
					return err
				}
				return s.printList(items, unitColumns, "units")
			}
		}},
		{name: "get", args: []string{"UNIT_ID"}, summary: "show a unit", define: func(fs *flag.FlagSet) adminRun {
			return func(ctx context.Context, s *adminSession, args []string) error {
				data, err := s.call(ctx, http.MethodGet, "/units/"+esc(args[0]), nil, nil)
				if err != nil {
					return err
				}
				return s.printObject(data, unitOrder...)
			}
		}},
		{name: "update", args: []string{"UNIT_ID"}, summary: "change a unit's name, customer number or status", define: func(fs *flag.FlagSet) adminRun {
			name := fs.String("name", "", "the new `NAME`")
			customerNo := fs.String("customer-no", "", "the new 单位客户号 (`NO`)")
			status := fs.String("status", "", "the new `STATUS`: active or disabled")
			return func(ctx context.Context, s *adminSession, args []string) error {
				body := changes(fs, map[string]*string{"name": name, "customer-no": customerNo, "status": status})
				if len(body) == 0 {
					return usagef("nothing to change: give --name, --customer-no or --status")
				}
				data, err := s.call(ctx, http.MethodPatch, "/units/"+esc(args[0]), nil, body)
				if err != nil {
					return err
				}
				return s.printObject(data, unitOrder...)
			}
		}},
	}
}

// changes is the body of a PATCH: the JSON member (the flag name with _
// for -) of each flag the command line set.
func changes(fs *flag.FlagSet, flags map[string]*string) map[string]any {
	set := given(fs)
	body := map[string]any{}
	for name, v := range flags {
		if set[name] {
			body[jsonName(name)] = *v
		}
	}
	return body
}

func jsonName(flagName string) string {
	b := []byte(flagName)
	for i, c := range b {
		if c == '-' {
			b[i] = '_'
		}
	}
	return string(b)
}
