package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/connectors/ids"
)

// sequentialBackends runs test against a memory-store and a Redis-store
// broker one after the other, for tests that use t.Setenv or change
// package variables.
func sequentialBackends(t *testing.T, test func(t *testing.T, b *bt.Broker)) {
	t.Run("memory", func(t *testing.T) { test(t, bt.Start(t, bt.Options{})) })
	t.Run("redis", func(t *testing.T) {
		test(t, bt.Start(t, bt.Options{RedisURL: redistest.URL(t), KeyPrefix: redistest.Prefix(t)}))
	})
}

// adminBackends runs test against a memory-store and a Redis-store broker,
// in parallel.
func adminBackends(t *testing.T, test func(t *testing.T, b *bt.Broker)) {
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		test(t, bt.Start(t, bt.Options{}))
	})
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		test(t, bt.Start(t, bt.Options{RedisURL: redistest.URL(t), KeyPrefix: redistest.Prefix(t)}))
	})
}

type cliResult struct {
	code           int
	stdout, stderr string
}

func (r cliResult) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// runCLI runs `gjjid ARGS` in-process. No output may ever show the admin
// client's secret.
func runCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	r := cliResult{code, out.String(), errb.String()}
	if strings.Contains(r.stdout+r.stderr, bt.AdminSecret) {
		t.Errorf("gjjid %s printed the admin client's secret:\n%s", strings.Join(args, " "), r)
	}
	return r
}

// admin runs `gjjid admin` against b with the demo admin client's
// credentials as flags.
func admin(t *testing.T, b *bt.Broker, args ...string) cliResult {
	t.Helper()
	full := append([]string{"admin", "--issuer", b.URL, "--client-id", bt.AdminID, "--client-secret", bt.AdminSecret}, args...)
	return runCLI(t, full...)
}

// adminOK runs an admin command that must succeed and returns its stdout.
func adminOK(t *testing.T, b *bt.Broker, args ...string) string {
	t.Helper()
	r := admin(t, b, args...)
	if r.code != 0 {
		t.Fatalf("gjjid admin %s: %s", strings.Join(args, " "), r)
	}
	return r.stdout
}

// adminJSON runs an admin command with --json and decodes its output.
func adminJSON[T any](t *testing.T, b *bt.Broker, args ...string) T {
	t.Helper()
	out := adminOK(t, b, append(args, "--json")...)
	var v T
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("gjjid admin %s --json: %v\n%s", strings.Join(args, " "), err, out)
	}
	return v
}

// adminFails runs an admin command that must fail with exit status code
// and an error mentioning every want.
func adminFails(t *testing.T, b *bt.Broker, code int, args []string, want ...string) cliResult {
	t.Helper()
	r := admin(t, b, args...)
	if r.code != code {
		t.Fatalf("gjjid admin %s: want exit %d, got %s", strings.Join(args, " "), code, r)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("gjjid admin %s: stderr lacks %q:\n%s", strings.Join(args, " "), w, r.stderr)
		}
	}
	return r
}

func mustContain(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

// residentID completes 17 digits with their GB 11643 check character.
func residentID(t *testing.T, body string) string {
	t.Helper()
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range body {
		sum += int(c-'0') * weights[i]
	}
	id := body + string("10X98765432"[sum%11])
	if _, err := ids.ResidentID(id); err != nil {
		t.Fatalf("test ID %s: %v", id, err)
	}
	return id
}

// creditCode completes 17 characters with their GB 32100 check character.
func creditCode(t *testing.T, body string) string {
	t.Helper()
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i, c := range body {
		sum += strings.IndexRune(chars, c) * weights[i]
	}
	code := body + string(chars[(31-sum%31)%31])
	if _, err := ids.CreditCode(code); err != nil {
		t.Fatalf("test credit code %s: %v", code, err)
	}
	return code
}

func TestAdminHelpAndUsage(t *testing.T) {
	r := runCLI(t, "admin", "help")
	if r.code != 0 {
		t.Fatalf("admin help: %s", r)
	}
	mustContain(t, "admin help", r.stdout, "clients create|list|get|update|rotate-secret|delete", "units", "persons", "agents",
		"links", "revoke", "keys rotate", "audit", "GJJID_ISSUER", "GJJID_CLIENT_ID", "GJJID_CLIENT_SECRET", "--json")

	r = runCLI(t, "admin", "clients", "--help")
	if r.code != 0 {
		t.Fatalf("admin clients --help: %s", r)
	}
	mustContain(t, "admin clients --help", r.stdout, "clients create [flags]", "--redirect-uri URI", "--grant TYPE", "--native",
		"--public", "clients rotate-secret CLIENT_ID", "clients delete CLIENT_ID")
	if r := runCLI(t, "admin", "help", "agents"); r.code != 0 || !strings.Contains(r.stdout, "--role ROLE") {
		t.Errorf("admin help agents: %s", r)
	}
	if r := runCLI(t, "admin", "persons", "create", "--help"); r.code != 0 || !strings.Contains(r.stdout, "--id-number NUMBER") ||
		!strings.Contains(r.stdout, "default resident_id") {
		t.Errorf("admin persons create --help: %s", r)
	}
	if r := runCLI(t, "admin", "audit", "--help"); r.code != 0 || !strings.Contains(r.stdout, "--since WHEN") {
		t.Errorf("admin audit --help: %s", r)
	}
	if r := runCLI(t, "help"); !strings.Contains(r.stdout, "gjjid admin") {
		t.Errorf("gjjid help does not mention admin:\n%s", r.stdout)
	}

	for _, args := range [][]string{
		{"admin"},
		{"admin", "nosuch"},
		{"admin", "clients"},
		{"admin", "clients", "nosuch"},
		{"admin", "clients", "get"},
		{"admin", "clients", "get", "a", "b"},
		{"admin", "clients", "list", "--bogus"},
		{"admin", "--bogus", "units", "list"},
		{"admin", "units", "list", "--limit", "x"},
	} {
		if r := runCLI(t, args...); r.code != 2 || r.stderr == "" {
			t.Errorf("gjjid %s: want exit 2 with a message, got %s", strings.Join(args, " "), r)
		}
	}
	// Commands check their arguments before they connect.
	conn := []string{"admin", "--issuer", "http://127.0.0.1:1", "--client-id", "x", "--client-secret", "y"}
	for _, args := range [][]string{
		{"units", "update", "x"},
		{"agents", "list"},
		{"links", "delete", "--subject", "s"},
		{"links", "create", "--subject", "s", "--fingerprint", "ab"},
		{"clients", "update", "rp1", "--json"},
	} {
		if r := runCLI(t, append(conn, args...)...); r.code != 2 || strings.Contains(r.stderr, "discovery") {
			t.Errorf("gjjid admin %s: want exit 2 before connecting, got %s", strings.Join(args, " "), r)
		}
	}
}

// TestAdminMissingCredentials: each missing setting is named with its
// flag and its environment variable. (t.Setenv: not parallel.)
func TestAdminMissingCredentials(t *testing.T) {
	for _, k := range []string{"GJJID_ISSUER", "GJJID_CLIENT_ID", "GJJID_CLIENT_SECRET"} {
		t.Setenv(k, "")
	}
	r := runCLI(t, "admin", "units", "list")
	if r.code != 2 {
		t.Fatalf("want exit 2: %s", r)
	}
	mustContain(t, "error", r.stderr, "--issuer", "GJJID_ISSUER", "--client-id", "GJJID_CLIENT_ID", "--client-secret", "GJJID_CLIENT_SECRET")

	r = runCLI(t, "admin", "--issuer", "http://127.0.0.1:1", "units", "list", "--client-id", "x")
	if r.code != 2 {
		t.Fatalf("want exit 2: %s", r)
	}
	mustContain(t, "error", r.stderr, "--client-secret", "GJJID_CLIENT_SECRET")
	if strings.Contains(r.stderr, "GJJID_ISSUER") || strings.Contains(r.stderr, "GJJID_CLIENT_ID") {
		t.Errorf("names settings that were given:\n%s", r.stderr)
	}

	r = runCLI(t, "admin", "--issuer", "not a url", "--client-id", "x", "--client-secret", "y", "units", "list")
	if r.code != 2 || !strings.Contains(r.stderr, "not an http(s) URL") {
		t.Errorf("bad issuer: %s", r)
	}
}

// TestAdminEnvCredentials: the environment supplies what flags do not,
// and flags win over it. (t.Setenv: the backends run one after the
// other.)
func TestAdminEnvCredentials(t *testing.T) {
	sequentialBackends(t, func(t *testing.T, b *bt.Broker) {
		t.Setenv("GJJID_ISSUER", b.URL+"/") // a trailing slash is fine
		t.Setenv("GJJID_CLIENT_ID", bt.AdminID)
		t.Setenv("GJJID_CLIENT_SECRET", bt.AdminSecret)
		r := runCLI(t, "admin", "units", "list")
		if r.code != 0 {
			t.Fatalf("units list with env credentials: %s", r)
		}
		mustContain(t, "units list", r.stdout, "ID", "CUSTOMER_NO", bt.UnitID, bt.UnitName, bt.Unit2ID)

		// A flag wins over the environment: a wrong secret flag fails …
		r = runCLI(t, "admin", "units", "list", "--client-secret", "wrong-secret-value")
		if r.code != 1 || !strings.Contains(r.stderr, "error: invalid_client") {
			t.Errorf("wrong --client-secret: want exit 1 with invalid_client, got %s", r)
		}
		if strings.Contains(r.stdout+r.stderr, "wrong-secret-value") {
			t.Errorf("printed the secret given:\n%s", r)
		}
		// … and a right one fixes a wrong environment.
		t.Setenv("GJJID_CLIENT_SECRET", "wrong")
		if r := runCLI(t, "admin", "--client-secret", bt.AdminSecret, "units", "get", bt.UnitID); r.code != 0 ||
			!strings.Contains(r.stdout, bt.UnitName) {
			t.Errorf("--client-secret over a wrong env: %s", r)
		}
		// A client without gjjid:admin gets no token with that scope.
		t.Setenv("GJJID_CLIENT_ID", bt.ServiceID)
		t.Setenv("GJJID_CLIENT_SECRET", bt.ServiceSecret)
		if r := runCLI(t, "admin", "units", "list"); r.code != 1 || !strings.HasPrefix(r.stderr, "error: ") {
			t.Errorf("service client: want exit 1 with an error, got %s", r)
		}
		// An unreachable broker is an error, not a hang.
		t.Setenv("GJJID_ISSUER", "http://127.0.0.1:1")
		if r := runCLI(t, "admin", "units", "list"); r.code != 1 || !strings.Contains(r.stderr, "discovery") {
			t.Errorf("unreachable broker: %s", r)
		}
	})
}

// TestAdminPasswordFromStdin: --password - reads the password from
// standard input. (Replaces adminStdin: not parallel.)
func TestAdminPasswordFromStdin(t *testing.T) {
	sequentialBackends(t, func(t *testing.T, b *bt.Broker) {
		defer func(r io.Reader) { adminStdin = r }(adminStdin)
		adminStdin = strings.NewReader("258025\n")
		p := adminJSON[personJSON](t, b, "persons", "create", "--name", "赵六", "--id-number", residentID(t, "11010519900101100"),
			"--password", "-")
		if !p.HasPassword {
			t.Fatalf("person created without the password from stdin: %+v", p)
		}
		adminStdin = strings.NewReader("1\n")
		adminFails(t, b, 1, []string{"persons", "set-password", p.ID, "--password", "-"}, "(field password)")
		adminStdin = strings.NewReader("")
		adminFails(t, b, 1, []string{"persons", "set-password", p.ID, "--password", "-"}, "standard input")
	})
}
