package main

import (
	"context"
	"flag"
	"net/http"
	"net/url"
)

var auditColumns = []column{{"TIME", "time"}, {"TYPE", "type"}, {"ACTION", "action"}, {"OUTCOME", "outcome"}, {"REASON", "reason"},
	{"ACTOR", "actor"}, {"PRINCIPAL", "principal"}, {"UNIT", "unit"}, {"CLIENT", "client"}}

func revokeCommands() []adminCommand {
	return []adminCommand{{args: []string{"PRINCIPAL_ID"},
		summary: "revoke every token and SSO session of a person or client issued until now",
		define: func(fs *flag.FlagSet) adminRun {
			return func(ctx context.Context, s *adminSession, args []string) error {
				data, err := s.call(ctx, http.MethodPost, "/principals/"+esc(args[0])+"/revoke", nil, nil)
				if err != nil {
					return err
				}
				return s.printObject(data, "principal", "revoked_before")
			}
		}}}
}

func keyCommands() []adminCommand {
	return []adminCommand{{name: "rotate", summary: "schedule a switch to a new signing key", define: func(fs *flag.FlagSet) adminRun {
		return func(ctx context.Context, s *adminSession, _ []string) error {
			data, err := s.call(ctx, http.MethodPost, "/keys/rotate", nil, nil)
			if err != nil {
				return err
			}
			return s.printObject(data, "status")
		}
	}}}
}

func auditCommands() []adminCommand {
	return []adminCommand{{list: true, summary: "list audit events", define: func(fs *flag.FlagSet) adminRun {
		since := fs.String("since", "", "events from `WHEN`: a duration ago (24h), a date (2026-01-02, UTC+8) or RFC 3339")
		until := fs.String("until", "", "events before `WHEN` (same forms)")
		principal := fs.String("principal", "", "only events concerning this person, unit or client (`ID`)")
		typ := fs.String("type", "", "only events of this `TYPE`")
		return func(ctx context.Context, s *adminSession, _ []string) error {
			q := url.Values{}
			for k, v := range map[string]string{"since": *since, "until": *until, "principal": *principal, "type": *typ} {
				if v != "" {
					q.Set(k, v)
				}
			}
			items, err := s.list(ctx, "/audit", q)
			if err != nil {
				return err
			}
			return s.printList(items, auditColumns, "audit events")
		}
	}}}
}
