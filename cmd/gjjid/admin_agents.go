package main

import (
	"context"
	"flag"
	"net/http"
)

var agentOrder = []string{"person_id", "unit_id", "name", "id_type", "id_number_masked", "mobile_masked", "roles", "status", "created_at"}

var agentColumns = []column{{"PERSON_ID", "person_id"}, {"ROLES", "roles"}, {"STATUS", "status"}, {"ID_NUMBER", "id_number_masked"},
	{"MOBILE", "mobile_masked"}, {"NAME", "name"}}

// agentTarget are the --unit and --person flags naming an agent record.
type agentTarget struct{ unit, person *string }

func defineAgentTarget(fs *flag.FlagSet, withPerson bool) agentTarget {
	t := agentTarget{unit: fs.String("unit", "", "the unit's credit code (`UNIT_ID`)")}
	if withPerson {
		t.person = fs.String("person", "", "the person's broker ID (`PERSON_ID`; see persons find)")
	}
	return t
}

func (t agentTarget) check() error {
	if *t.unit == "" || (t.person != nil && *t.person == "") {
		if t.person != nil {
			return usagef("--unit and --person are required")
		}
		return usagef("--unit is required")
	}
	return nil
}

func (t agentTarget) path() string {
	p := "/units/" + esc(*t.unit) + "/agents"
	if t.person != nil {
		p += "/" + esc(*t.person)
	}
	return p
}

func agentCommands() []adminCommand {
	return []adminCommand{
		{name: "add", summary: "make a person an agent of a unit", define: func(fs *flag.FlagSet) adminRun {
			t := defineAgentTarget(fs, true)
			var roles stringList
			fs.Var(&roles, "role", "`ROLE` (repeatable): unit_admin or operator; default operator")
			return func(ctx context.Context, s *adminSession, _ []string) error {
				if err := t.check(); err != nil {
					return err
				}
				body := map[string]any{"person_id": *t.person}
				if len(roles) > 0 {
					body["roles"] = roles.values()
				}
				data, err := s.call(ctx, http.MethodPost, "/units/"+esc(*t.unit)+"/agents", nil, body)
				if err != nil {
					return err
				}
				return s.printObject(data, agentOrder...)
			}
		}},
		{name: "list", summary: "list a unit's agents", list: true, define: func(fs *flag.FlagSet) adminRun {
			t := defineAgentTarget(fs, false)
			return func(ctx context.Context, s *adminSession, _ []string) error {
				if err := t.check(); err != nil {
					return err
				}
				items, err := s.list(ctx, t.path(), nil)
				if err != nil {
					return err
				}
				return s.printList(items, agentColumns, "agents")
			}
		}},
		{name: "update", summary: "change an agent's roles or status", define: func(fs *flag.FlagSet) adminRun {
			t := defineAgentTarget(fs, true)
			var roles stringList
			fs.Var(&roles, "role", "`ROLE` (repeatable; replaces the roles): unit_admin or operator")
			status := fs.String("status", "", "the new `STATUS`: active or disabled")
			return func(ctx context.Context, s *adminSession, _ []string) error {
				if err := t.check(); err != nil {
					return err
				}
				set := given(fs)
				body := map[string]any{}
				if set["role"] {
					body["roles"] = roles.values()
				}
				if set["status"] {
					body["status"] = *status
				}
				if len(body) == 0 {
					return usagef("nothing to change: give --role or --status")
				}
				data, err := s.call(ctx, http.MethodPatch, t.path(), nil, body)
				if err != nil {
					return err
				}
				return s.printObject(data, agentOrder...)
			}
		}},
		{name: "remove", summary: "end a person's agency for a unit", define: func(fs *flag.FlagSet) adminRun {
			t := defineAgentTarget(fs, true)
			return func(ctx context.Context, s *adminSession, _ []string) error {
				if err := t.check(); err != nil {
					return err
				}
				if _, err := s.call(ctx, http.MethodDelete, t.path(), nil, nil); err != nil {
					return err
				}
				return s.done("removed agent %s from unit %s", *t.person, *t.unit)
			}
		}},
	}
}
