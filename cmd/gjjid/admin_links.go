package main

import (
	"context"
	"flag"
	"net/http"
	"net/url"
)

var linkOrder = []string{"connector", "subject", "kind", "person_id", "unit_id", "label", "created_by", "created_at"}

var linkColumns = []column{{"CONNECTOR", "connector"}, {"KIND", "kind"}, {"PERSON_ID", "person_id"}, {"UNIT_ID", "unit_id"},
	{"CREATED", "created_at"}, {"SUBJECT", "subject"}, {"LABEL", "label"}}

func linkCommands() []adminCommand {
	return []adminCommand{
		{name: "create",
			summary: "link an upstream identity (--subject) or bind a certificate (--fingerprint, or --issuer and --serial) to a person, unit or agent.\n" +
				"  Here --issuer is the certificate's issuer DN: give the broker's issuer before the resource (gjjid admin --issuer URL links create …) or in GJJID_ISSUER.",
			define: func(fs *flag.FlagSet) adminRun {
				connector := fs.String("connector", "", "the connector (`ID`)")
				subject := fs.String("subject", "", "the upstream `SUBJECT` (open_id, unionid, …)")
				fingerprint := fs.String("fingerprint", "", "the certificate's SHA-256 fingerprint (`SHA256`, hex)")
				certIssuer := fs.String("issuer", "", "the certificate issuer's `DN` (RFC 4514), with --serial")
				fs.StringVar(certIssuer, "cert-issuer", "", "same as --issuer here (`DN`)")
				serial := fs.String("serial", "", "the certificate's serial number `N` (decimal, 0x-hex or colon-hex), with --issuer")
				kind := fs.String("kind", "", "`KIND`: person, unit or agent")
				person := fs.String("person", "", "the person (`ID`) of a person or agent link")
				unit := fs.String("unit", "", "the unit (`UNIT_ID`) of a unit or agent link")
				label := fs.String("label", "", "a `LABEL` shown in lists")
				return func(ctx context.Context, s *adminSession, _ []string) error {
					body := map[string]any{"connector": *connector, "kind": *kind}
					cert := map[string]string{}
					if *fingerprint != "" {
						cert["fingerprint_sha256"] = *fingerprint
					}
					if *certIssuer != "" {
						cert["issuer"] = *certIssuer
					}
					if *serial != "" {
						cert["serial"] = *serial
					}
					switch {
					case *subject != "" && len(cert) > 0:
						return usagef("give --subject, or --fingerprint, or --issuer and --serial: not more than one of them")
					case *subject != "":
						body["subject"] = *subject
					case len(cert) > 0:
						body["certificate"] = cert
					default:
						return usagef("--subject, --fingerprint, or --issuer and --serial is required")
					}
					for k, v := range map[string]string{"person_id": *person, "unit_id": *unit, "label": *label} {
						if v != "" {
							body[k] = v
						}
					}
					data, err := s.call(ctx, http.MethodPost, "/links", nil, body)
					if err != nil {
						return err
					}
					return s.printObject(data, linkOrder...)
				}
			}},
		{name: "list", summary: "list every link, or one person's or unit's", list: true, define: func(fs *flag.FlagSet) adminRun {
			principal := fs.String("principal", "", "only the links of this person or unit (`ID`)")
			return func(ctx context.Context, s *adminSession, _ []string) error {
				q := url.Values{}
				if *principal != "" {
					q.Set("principal", *principal)
				}
				items, err := s.list(ctx, "/links", q)
				if err != nil {
					return err
				}
				return s.printList(items, linkColumns, "links")
			}
		}},
		{name: "delete", summary: "unlink an upstream identity", define: func(fs *flag.FlagSet) adminRun {
			connector := fs.String("connector", "", "the connector (`ID`)")
			subject := fs.String("subject", "", "the linked `SUBJECT` (as links list shows it)")
			return func(ctx context.Context, s *adminSession, _ []string) error {
				if *connector == "" || *subject == "" {
					return usagef("--connector and --subject are required")
				}
				q := url.Values{"connector": {*connector}, "subject": {*subject}}
				if _, err := s.call(ctx, http.MethodDelete, "/links", q, nil); err != nil {
					return err
				}
				return s.done("deleted link %s %s", *connector, *subject)
			}
		}},
	}
}
