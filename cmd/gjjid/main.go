// Command gjjid is the OpenID Connect identity broker for housing provident
// fund online services.
//
//	gjjid serve --config FILE   run with a configuration file
//	gjjid dev [--addr A] [--store URL]   run with demo client, accounts and keys
//	gjjid config check FILE     print every problem of a configuration file
//	gjjid healthcheck [--url U] exit 0 when a broker's /healthz answers 200 (container HEALTHCHECK)
//	gjjid migrate --config FILE apply the PostgreSQL schema migrations
//	gjjid import KIND --config FILE --csv FILE   bulk import units, persons or agents
//	gjjid version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  gjjid serve --config FILE
  gjjid dev [--addr 127.0.0.1:5556] [--store redis://…]
  gjjid config check FILE
  gjjid migrate --config FILE | --url URL   apply PostgreSQL schema migrations
  gjjid import units|persons|agents --config FILE --csv FILE
  gjjid admin RESOURCE COMMAND [flags]   manage a running broker (gjjid admin help)
  gjjid healthcheck [--url http://127.0.0.1:5556/healthz] [--timeout 3s]
  gjjid version
`

// run dispatches a command line; it returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serveCmd(ctx, args[1:], stderr)
	case "dev":
		err = devCmd(ctx, args[1:], stdout, stderr)
	case "config":
		if len(args) != 3 || args[1] != "check" {
			fmt.Fprint(stderr, usage)
			return 2
		}
		return configCheck(args[2], stdout, stderr)
	case "admin":
		return adminCmd(ctx, args[1:], stdout, stderr)
	case "healthcheck":
		err = healthcheckCmd(ctx, args[1:], stdout, stderr)
	case "migrate":
		err = migrateCmd(ctx, args[1:], stdout, stderr)
	case "import":
		err = importCmd(ctx, args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "gjjid", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "gjjid: unknown command %q\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "gjjid:", err)
		return 1
	}
	return 0
}
