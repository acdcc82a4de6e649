package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/broker/store/pgtest"
	"github.com/gjjid/gjjid/broker/store/redistest"
)

// gjjid import writes through the configured store (here Redis +
// PostgreSQL), reports rejected rows by line and field with exit status 1,
// and a second run changes nothing.
func TestImportCommand(t *testing.T) {
	dbURL := pgtest.Schema(t, pgtest.URL(t))
	path := storeConfig(t, "store:\n  type: redis\n  redis:\n    url: \""+redistest.URL(t)+"\"\n    key_prefix: \""+
		redistest.Prefix(t)+"\"\n  database:\n    url: \""+dbURL+"\"\n")
	dir := t.TempDir()
	units := filepath.Join(dir, "units.csv")
	os.WriteFile(units, []byte("credit_code,name\n91510100MA61ABCD1T,成都示例科技有限公司\n91510100MA61ABCD1X,坏\n"), 0o600)
	agents := filepath.Join(dir, "agents.csv")
	os.WriteFile(agents, []byte("credit_code,name,id_number,password\n91510100MA61ABCD1T,张三,510107199003071236,802417\n"), 0o600)
	steps := []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{"import", "units", "--config", path, "--csv", units}, 1,
			"units: 2 rows: 1 created, 0 already there, 0 repeated, 1 rejected", "units.csv: line 3: credit_code:"},
		{[]string{"import", "units", "--config", path, "--csv", units}, 1,
			"units: 2 rows: 0 created, 1 already there", ""},
		{[]string{"import", "agents", "--config", path, "--csv", agents}, 0, "agents: 1 rows: 1 created", ""},
		{[]string{"import", "agents", "--config", path, "--csv", agents}, 0, "agents: 1 rows: 0 created, 1 already there", ""},
		{[]string{"import", "clients", "--config", path, "--csv", agents}, 2, "", "usage"},
	}
	for _, st := range steps {
		var out, errb bytes.Buffer
		code := run(context.Background(), st.args, &out, &errb)
		if code != st.code || !strings.Contains(out.String(), st.stdout) || !strings.Contains(errb.String(), st.stderr) {
			t.Fatalf("%v: exit %d\nstdout %s\nstderr %s", st.args, code, out.String(), errb.String())
		}
	}
}
