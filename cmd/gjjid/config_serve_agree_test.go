package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckRefusesWhatServeRefuses: a configuration serve cannot run (or
// would run only to strand every user) fails `config check` too, with
// the same YAML path.
func TestCheckRefusesWhatServeRefuses(t *testing.T) {
	for _, tc := range []struct{ name, yaml, path string }{
		{"seed password of one repeated digit", `issuer: http://127.0.0.1:1
connectors:
  - {id: password, type: password}
seed:
  units: [{id: 91350100M000100Y43, name: 示例}]
  persons: [{name: 张三, id_number: 11010519491231002X, password: "111111", units: [91350100M000100Y43]}]
`, "seed.persons[0].password"},
		{"self-bind with no password or sms connector", `issuer: http://127.0.0.1:1
connectors:
  - id: wechat
    type: wechat
    config:
      website: {app_id: wx1123456789abcdef, app_secret: s}
`, "connectors[0].config.link_policy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"config", "check", path}, {"serve", "--config", path}} {
				var out, errb bytes.Buffer
				if code := run(context.Background(), args, &out, &errb); code != 1 {
					t.Fatalf("%s: exit %d, want 1; stderr:\n%s", args[0], code, errb.String())
				}
				if !strings.Contains(errb.String(), tc.path) {
					t.Errorf("%s: error lacks %q:\n%s", args[0], tc.path, errb.String())
				}
			}
		})
	}
}
