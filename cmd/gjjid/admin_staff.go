package main

import (
	"context"
	"flag"
	"net/http"
)

var staffColumns = []column{{"PERSON_ID", "person_id"}, {"ROLES", "roles"}, {"NAME", "name"}}

// staffCommands grant and revoke the broker roles gjjid:admin,
// gjjid:counter and gjjid:audit.
func staffCommands() []adminCommand {
	change := func(verb string) func(fs *flag.FlagSet) adminRun {
		return func(fs *flag.FlagSet) adminRun {
			person := fs.String("person", "", "the person's broker ID (`PERSON_ID`; see persons find)")
			var roles stringList
			fs.Var(&roles, "role", "`ROLE` (repeatable): gjjid:admin, gjjid:counter or gjjid:audit")
			return func(ctx context.Context, s *adminSession, _ []string) error {
				if *person == "" || len(roles) == 0 {
					return usagef("--person and at least one --role are required")
				}
				data, err := s.call(ctx, http.MethodPost, "/staff/"+esc(*person)+"/"+verb, nil, map[string]any{"roles": roles.values()})
				if err != nil {
					return err
				}
				return s.printObject(data, "person_id", "roles")
			}
		}
	}
	return []adminCommand{
		{name: "list", summary: "list the staff and their roles", list: true, define: func(fs *flag.FlagSet) adminRun {
			return func(ctx context.Context, s *adminSession, _ []string) error {
				items, err := s.list(ctx, "/staff", nil)
				if err != nil {
					return err
				}
				return s.printList(items, staffColumns, "staff")
			}
		}},
		{name: "grant", summary: "give a person broker roles", define: change("grant")},
		{name: "revoke", summary: "take broker roles from a person", define: change("revoke")},
	}
}
