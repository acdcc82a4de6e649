package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/gjjid/gjjid/broker"
	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/bulkimport"
	"github.com/gjjid/gjjid/config"
)

const importUsage = `usage:
  gjjid import units|persons|agents --config FILE --csv FILE

Columns (header row, UTF-8):
  units    credit_code, name [, customer_no]
  persons  name, id_number [, id_type, mobile, password | password_hash, password_scheme, password_salt]
  agents   credit_code, name, id_number [, id_type, mobile, roles, password | password_hash, …]
password_scheme: bcrypt, sha256 or sm3 (hex digest of salt followed by password).
Existing records are left as they are: running a file again changes nothing.
Exit status 1 when any row was rejected (the others are imported).
`

// importCmd imports a CSV file of units, persons or agents into the store
// the configuration names, through the accounts service.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || !slices.Contains(bulkimport.Kinds, args[0]) {
		fmt.Fprint(stderr, importUsage)
		return flag.ErrHelp
	}
	kind := args[0]
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, importUsage) }
	cfgPath := fs.String("config", "", "configuration file (store and secrets)")
	csvPath := fs.String("csv", "", "CSV file to import")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *cfgPath == "" || *csvPath == "" || fs.NArg() > 0 {
		fs.Usage()
		return flag.ErrHelp
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	if cfg.Store.Type != "redis" {
		return errors.New(*cfgPath + ": store.type is memory: an import would be lost when gjjid import exits")
	}
	sec, err := cfg.Secrets.Decode()
	if err != nil {
		return err
	}
	f, err := os.Open(*csvPath)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := broker.OpenStore(ctx, cfg.Store)
	if err != nil {
		return err
	}
	defer st.Close()
	// PostgreSQL: one transaction per row.
	im := bulkimport.For(st, accounts.Secrets{IDHashKey: sec.IDHashKey, Pepper: sec.Pepper})
	if isTerminal(stderr) {
		im.Progress = func(n int) { fmt.Fprintf(stderr, "\r%s: %d rows", kind, n) }
	}
	res, err := im.Import(ctx, kind, f)
	if im.Progress != nil {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return err
	}
	for _, r := range res.Rejected {
		fmt.Fprintln(stderr, *csvPath+":", r)
	}
	fmt.Fprintf(stdout, "%s: %d rows: %d created, %d already there, %d repeated, %d rejected\n",
		kind, res.Rows, res.Created, res.Existing, res.Duplicates, len(res.Rejected)-res.Duplicates)
	if len(res.Rejected) > res.Duplicates {
		return fmt.Errorf("import: %d rows rejected (listed above; fix them and run the file again)", len(res.Rejected)-res.Duplicates)
	}
	return nil
}

// isTerminal reports whether w is a character device (progress is shown
// only there, not in logs or pipes).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
