package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

var personOrder = []string{"id", "name", "id_type", "id_number_masked", "mobile_masked", "has_password", "status", "created_at"}

var personColumns = []column{{"ID", "id"}, {"ID_TYPE", "id_type"}, {"ID_NUMBER", "id_number_masked"}, {"MOBILE", "mobile_masked"},
	{"PASSWORD", "has_password"}, {"STATUS", "status"}, {"NAME", "name"}}

// adminStdin is where --password - reads from.
var adminStdin io.Reader = os.Stdin

const passwordUsage = "the login `PASSWORD` (six digits); - reads it from standard input, out of the process list and shell history"

// readPassword resolves --password -.
func readPassword(p string) (string, error) {
	if p != "-" {
		return p, nil
	}
	line, err := bufio.NewReader(adminStdin).ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func personCommands() []adminCommand {
	return []adminCommand{
		{name: "create", summary: "create a person", define: func(fs *flag.FlagSet) adminRun {
			name := fs.String("name", "", "the full `NAME`")
			idType := fs.String("id-type", "resident_id", "the document `TYPE`: resident_id, …")
			idNumber := fs.String("id-number", "", "the document `NUMBER` (居民身份证号码 for resident_id)")
			mobile := fs.String("mobile", "", "a mainland mobile `NUMBER` (optional)")
			password := fs.String("password", "", passwordUsage+" (optional)")
			return func(ctx context.Context, s *adminSession, _ []string) error {
				pw, err := readPassword(*password)
				if err != nil {
					return err
				}
				body := map[string]string{"name": *name, "id_type": *idType, "id_number": *idNumber, "mobile": *mobile, "password": pw}
				data, err := s.call(ctx, http.MethodPost, "/persons", nil, body)
				if err != nil {
					return err
				}
				return s.printObject(data, personOrder...)
			}
		}},
		{name: "list", summary: "list persons", list: true, define: func(fs *flag.FlagSet) adminRun {
			return func(ctx context.Context, s *adminSession, _ []string) error {
				items, err := s.list(ctx, "/persons", nil)
				if err != nil {
					return err
				}
				return s.printList(items, personColumns, "persons")
			}
		}},
		{name: "get", args: []string{"PERSON_ID"}, summary: "show a person", define: func(fs *flag.FlagSet) adminRun {
			return func(ctx context.Context, s *adminSession, args []string) error {
				data, err := s.call(ctx, http.MethodGet, "/persons/"+esc(args[0]), nil, nil)
				if err != nil {
					return err
				}
				return s.printObject(data, personOrder...)
			}
		}},
		{name: "find", summary: "find a person by document number (sent in a POST body, never in a URL)", define: func(fs *flag.FlagSet) adminRun {
			idType := fs.String("id-type", "resident_id", "the document `TYPE`: resident_id, …")
			idNumber := fs.String("id-number", "", "the document `NUMBER`")
			return func(ctx context.Context, s *adminSession, _ []string) error {
				if *idNumber == "" {
					return usagef("--id-number is required")
				}
				data, err := s.call(ctx, http.MethodPost, "/persons/lookup", nil, map[string]string{"id_type": *idType, "id_number": *idNumber})
				if err != nil {
					return err
				}
				return s.printObject(data, personOrder...)
			}
		}},
		{name: "update", args: []string{"PERSON_ID"}, summary: "change a person's name, mobile or status", define: func(fs *flag.FlagSet) adminRun {
			name := fs.String("name", "", "the new `NAME`")
			mobile := fs.String("mobile", "", "the new mobile `NUMBER`")
			status := fs.String("status", "", "the new `STATUS`: active or disabled")
			return func(ctx context.Context, s *adminSession, args []string) error {
				body := changes(fs, map[string]*string{"name": name, "mobile": mobile, "status": status})
				if len(body) == 0 {
					return usagef("nothing to change: give --name, --mobile or --status")
				}
				data, err := s.call(ctx, http.MethodPatch, "/persons/"+esc(args[0]), nil, body)
				if err != nil {
					return err
				}
				return s.printObject(data, personOrder...)
			}
		}},
		{name: "set-password", args: []string{"PERSON_ID"}, summary: "set a person's login password", define: func(fs *flag.FlagSet) adminRun {
			password := fs.String("password", "", passwordUsage)
			return func(ctx context.Context, s *adminSession, args []string) error {
				if !given(fs)["password"] {
					return usagef("--password is required")
				}
				pw, err := readPassword(*password)
				if err != nil {
					return err
				}
				if _, err := s.call(ctx, http.MethodPut, "/persons/"+esc(args[0])+"/password", nil, map[string]string{"password": pw}); err != nil {
					return err
				}
				return s.done("password set for person %s", args[0])
			}
		}},
	}
}
