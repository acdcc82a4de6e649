package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// `gjjid admin …` is a command line client of the JSON admin API
// (/admin/v1). It authenticates as a client_credentials client holding the
// scope gjjid:admin; see adminHelp.

const adminHelp = `usage: gjjid admin [connection flags] RESOURCE COMMAND [flags] [ARGS]

Manages a running broker through its admin API (/admin/v1), as a client
holding the scope gjjid:admin (gjjid dev prints one: demo-admin).

Connection (flags win over the environment):
  --issuer URL             GJJID_ISSUER          the broker's issuer URL
  --client-id ID           GJJID_CLIENT_ID       an admin client (client_credentials, scope gjjid:admin)
  --client-secret SECRET   GJJID_CLIENT_SECRET   its secret (prefer the environment variable)
Output:
  --json                   print the API's JSON instead of a table
  --limit N, --cursor C    list commands: one page of N items (1–500) from
                           cursor C, instead of every page

Resources and commands ("gjjid admin RESOURCE --help" lists their flags):
`

// adminCommand is one `gjjid admin RESOURCE COMMAND`.
type adminCommand struct {
	name    string   // "" for a resource that is itself the command (revoke, audit)
	args    []string // required positional arguments, by name
	summary string
	list    bool // pages: takes --limit and --cursor
	// define declares the command's flags and returns what runs it.
	define func(fs *flag.FlagSet) adminRun
}

// adminRun runs a parsed command with its positional arguments.
type adminRun func(ctx context.Context, s *adminSession, args []string) error

type adminResource struct {
	name     string
	summary  string
	commands []adminCommand
}

func adminResources() []adminResource {
	return []adminResource{
		{"clients", "OAuth/OIDC client registrations", clientCommands()},
		{"units", "units (单位), by unified social credit code", unitCommands()},
		{"persons", "natural persons (ID numbers and mobiles shown masked)", personCommands()},
		{"agents", "agents (经办人): persons acting for a unit", agentCommands()},
		{"links", "upstream identities and certificates linked to persons, units or agents", linkCommands()},
		{"revoke", "revoke every token and SSO session of a person or client", revokeCommands()},
		{"keys", "signing keys", keyCommands()},
		{"audit", "query the audit log", auditCommands()},
		{"staff", "the fund's staff: broker roles gjjid:admin, gjjid:counter, gjjid:audit", staffCommands()},
	}
}

// adminGlobals are the flags every command takes.
type adminGlobals struct {
	issuer, clientID, clientSecret string
	json                           bool
	limit                          int
	cursor                         string
}

func (g *adminGlobals) define(fs *flag.FlagSet, list bool) {
	str := func(p *string, name, usage string) {
		if fs.Lookup(name) == nil {
			fs.StringVar(p, name, *p, usage)
		}
	}
	str(&g.issuer, "issuer", "the broker's issuer URL (env GJJID_ISSUER)")
	str(&g.clientID, "client-id", "admin client ID (env GJJID_CLIENT_ID)")
	str(&g.clientSecret, "client-secret", "admin client secret (env GJJID_CLIENT_SECRET)")
	if fs.Lookup("json") == nil {
		fs.BoolVar(&g.json, "json", g.json, "print the API's JSON")
	}
	if list {
		fs.IntVar(&g.limit, "limit", g.limit, "one page of at most N items instead of all")
		str(&g.cursor, "cursor", "start the page at this cursor (with --limit)")
	}
}

// usageError is a mistake on the command line (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// adminCmd runs `gjjid admin ARGS`; it returns the exit status: 0, 1 for a
// failed call, 2 for a usage error.
func adminCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return adminMain(ctx, args, stdout, stderr, os.Getenv)
}

func adminMain(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	g := &adminGlobals{}
	gfs := newAdminFlagSet("admin")
	g.define(gfs, false)
	if err := gfs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printAdminHelp(stdout)
			return 0
		}
		fmt.Fprintf(stderr, "gjjid admin: %v\n\n", err)
		printAdminHelp(stderr)
		return 2
	}
	rest := gfs.Args()
	if len(rest) == 0 {
		printAdminHelp(stderr)
		return 2
	}
	if rest[0] == "help" {
		if len(rest) > 1 {
			if r := findResource(rest[1]); r != nil {
				printResourceHelp(stdout, r)
				return 0
			}
		}
		printAdminHelp(stdout)
		return 0
	}
	r := findResource(rest[0])
	if r == nil {
		fmt.Fprintf(stderr, "gjjid admin: unknown resource %q\n\n", rest[0])
		printAdminHelp(stderr)
		return 2
	}
	rest = rest[1:]
	var cmd *adminCommand
	if len(r.commands) == 1 && r.commands[0].name == "" {
		cmd = &r.commands[0]
		if len(rest) > 0 && rest[0] == "help" {
			printResourceHelp(stdout, r)
			return 0
		}
	} else {
		if len(rest) == 0 {
			printResourceHelp(stderr, r)
			return 2
		}
		switch rest[0] {
		case "help", "-h", "-help", "--help":
			printResourceHelp(stdout, r)
			return 0
		}
		for i := range r.commands {
			if r.commands[i].name == rest[0] {
				cmd = &r.commands[i]
			}
		}
		if cmd == nil {
			fmt.Fprintf(stderr, "gjjid admin %s: unknown command %q\n\n", r.name, rest[0])
			printResourceHelp(stderr, r)
			return 2
		}
		rest = rest[1:]
	}

	fs := newAdminFlagSet(r.name + " " + cmd.name)
	runCmd := cmd.define(fs)
	g.define(fs, cmd.list)
	pos, err := parseInterspersed(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		printCommandHelp(stdout, r, cmd, true)
		return 0
	}
	switch {
	case err != nil:
	case len(pos) < len(cmd.args):
		err = usagef("missing %s", strings.Join(cmd.args[len(pos):], " "))
	case len(pos) > len(cmd.args):
		err = usagef("unexpected argument %q", pos[len(cmd.args)])
	}
	if err == nil {
		var s *adminSession
		if s, err = g.session(getenv, stdout, stderr); err == nil {
			err = runCmd(ctx, s, pos)
		}
	}
	return adminExit(err, r, cmd, stderr)
}

// adminExit reports err and returns the exit status.
func adminExit(err error, r *adminResource, cmd *adminCommand, stderr io.Writer) int {
	var ue *usageError
	var ae *apiError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "gjjid admin %s: %v\n", strings.TrimSpace(r.name+" "+cmd.name), ue)
		printCommandHelp(stderr, r, cmd, false)
		return 2
	case errors.As(err, &ae):
		fmt.Fprintln(stderr, "error:", ae.Error())
		return 1
	default:
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
}

func newAdminFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors and help are printed by adminMain
	fs.Usage = func() {}
	return fs
}

// parseInterspersed parses flags anywhere among the positional arguments
// (`clients get rp1 --json`); "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func findResource(name string) *adminResource {
	for _, r := range adminResources() {
		if r.name == name {
			return &r
		}
	}
	return nil
}

func commandLine(r *adminResource, c *adminCommand) string {
	s := "gjjid admin " + r.name
	if c.name != "" {
		s += " " + c.name
	}
	fs := newAdminFlagSet("")
	c.define(fs)
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags || c.list {
		s += " [flags]"
	}
	for _, a := range c.args {
		s += " " + a
	}
	return s
}

func printAdminHelp(w io.Writer) {
	fmt.Fprint(w, adminHelp)
	for _, r := range adminResources() {
		var names []string
		for _, c := range r.commands {
			if c.name != "" {
				names = append(names, c.name)
			}
		}
		line := r.name
		if len(names) > 0 {
			line += " " + strings.Join(names, "|")
		}
		fmt.Fprintf(w, "  %-58s %s\n", line, r.summary)
	}
	fmt.Fprint(w, `
Example:
  export GJJID_ISSUER=http://127.0.0.1:5556 GJJID_CLIENT_ID=demo-admin
  read -rs GJJID_CLIENT_SECRET && export GJJID_CLIENT_SECRET
  gjjid admin clients create --id rp1 --name 业务系统 --redirect-uri https://rp.example/cb \
      --grant authorization_code --grant refresh_token
  gjjid admin units list --json
`)
}

func printResourceHelp(w io.Writer, r *adminResource) {
	fmt.Fprintf(w, "gjjid admin %s — %s\n\n", r.name, r.summary)
	for i := range r.commands {
		printCommandHelp(w, r, &r.commands[i], true)
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "Every command also takes --issuer, --client-id, --client-secret and --json (see gjjid admin help).")
}

// printCommandHelp prints the command's synopsis and, when full, its
// summary and flags.
func printCommandHelp(w io.Writer, r *adminResource, c *adminCommand, full bool) {
	fmt.Fprintln(w, "usage:", commandLine(r, c))
	if !full {
		return
	}
	fmt.Fprintln(w, "  "+c.summary)
	fs := newAdminFlagSet("")
	c.define(fs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + name
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0s" {
			usage += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(tw, "    --%s%s\t%s\n", f.Name, name, usage)
	})
	if c.list {
		fmt.Fprintln(tw, "    --limit N, --cursor C\tone page of at most N items (1–500) from cursor C; default: every page")
	}
	tw.Flush()
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// values returns the list without empty entries: `--scope ""` given
// alone clears a list on update.
func (l stringList) values() []string {
	out := []string{}
	for _, s := range l {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// given reports which flags the command line set.
func given(fs *flag.FlagSet) map[string]bool {
	m := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { m[f.Name] = true })
	return m
}
