package postgres_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/pgtest"
	"github.com/gjjid/gjjid/broker/store/postgres"
)

func TestOptionsConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		o       postgres.Options
		wantErr string
		check   func(t *testing.T, o postgres.Options)
	}{
		{name: "empty url", o: postgres.Options{}, wantErr: "url is empty"},
		{name: "bad tls mode", o: postgres.Options{URL: "postgres://h/db", TLSMode: "maybe"}, wantErr: "tls mode"},
		{name: "negative pool", o: postgres.Options{URL: "postgres://h/db", MaxConns: -1}, wantErr: "negative"},
		{name: "negative timeout", o: postgres.Options{URL: "postgres://h/db", Timeout: -time.Second}, wantErr: "negative"},
		{name: "unparsable url keeps the password out", o: postgres.Options{URL: "postgres://u:s3cret@h:notaport/db"}, wantErr: "cannot parse"},
		{name: "pool size and verify-full", o: postgres.Options{URL: "postgres://u@db.example:5432/gjjid", MaxConns: 17, TLSMode: "verify-full"},
			check: func(t *testing.T, o postgres.Options) {
				cfg, _ := o.Config()
				if cfg.MaxConns != 17 {
					t.Errorf("max conns %d", cfg.MaxConns)
				}
				tc := cfg.ConnConfig.TLSConfig
				if tc == nil || tc.InsecureSkipVerify || tc.ServerName != "db.example" {
					t.Errorf("verify-full TLS config: %+v", tc)
				}
			}},
		{name: "key=value string with require", o: postgres.Options{URL: "host=db.example dbname=gjjid", TLSMode: "require"},
			check: func(t *testing.T, o postgres.Options) {
				cfg, _ := o.Config()
				if cfg.ConnConfig.TLSConfig == nil || len(cfg.ConnConfig.Fallbacks) != 0 {
					t.Errorf("require must not fall back to plaintext: %+v", cfg.ConnConfig.Fallbacks)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.o.Config()
			switch {
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Fatalf("error shows the password: %v", err)
				}
			case err != nil:
				t.Fatalf("config: %v", err)
			default:
				tc.check(t, tc.o)
			}
		})
	}
}

// An unreachable server is store.ErrUnavailable, not a configuration error.
func TestOpenUnreachableIsUnavailable(t *testing.T) {
	t.Parallel()
	_, err := postgres.Open(t.Context(), postgres.Options{URL: "postgres://postgres@127.0.0.1:1/postgres", Timeout: time.Second})
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("open: %v, want ErrUnavailable", err)
	}
}

// The 组织机构代码 is unique across units (the other stores keep only an
// index; here the database refuses a second owner).
func TestOrgCodeUnique(t *testing.T) {
	t.Parallel()
	s := pgtest.Open(t)
	ctx := t.Context()
	now := time.Now().UTC()
	must(t, s.AddUnit(ctx, &store.Unit{ID: "91110000MA01", OrgCode: "MA01XXXXX", CreatedAt: now}))
	for _, write := range []func() error{
		func() error {
			return s.AddUnit(ctx, &store.Unit{ID: "91110000MA02", OrgCode: "MA01XXXXX", CreatedAt: now})
		},
		func() error {
			return s.PutUnit(ctx, &store.Unit{ID: "91110000MA03", OrgCode: "MA01XXXXX", CreatedAt: now})
		},
	} {
		if err := write(); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("a second unit with the same org code: %v, want ErrConflict", err)
		}
	}
	// Units without an org code do not collide.
	must(t, s.PutUnit(ctx, &store.Unit{ID: "u-a", CreatedAt: now}))
	must(t, s.PutUnit(ctx, &store.Unit{ID: "u-b", CreatedAt: now}))
	// Moving the code releases the old one.
	must(t, s.PutUnit(ctx, &store.Unit{ID: "91110000MA01", OrgCode: "MA01YYYYY", CreatedAt: now}))
	must(t, s.PutUnit(ctx, &store.Unit{ID: "91110000MA03", OrgCode: "MA01XXXXX", CreatedAt: now}))
	if _, err := s.FindUnitByOrgCode(ctx, "MA01XXXXX"); err != nil {
		t.Fatalf("find the moved code: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// InTx writes several records together or not at all.
func TestInTxAllOrNothing(t *testing.T) {
	t.Parallel()
	s := pgtest.Open(t)
	ctx := t.Context()
	now := time.Now().UTC()
	must(t, s.PutPerson(ctx, &store.Person{ID: "p-taken", IDHash: "h-taken", CreatedAt: now}))
	// The agent record is written, then the person conflicts: neither stays.
	err := s.InTx(ctx, func(tx *postgres.Store) error {
		if err := tx.AddAgent(ctx, &store.Agent{PersonID: "p-new", UnitID: "u1", CreatedAt: now}); err != nil {
			return err
		}
		if _, err := tx.AppendAudit(ctx, []byte(`{"type":"admin.change"}`), time.Hour); err != nil {
			return err
		}
		return tx.PutPerson(ctx, &store.Person{ID: "p-new", IDHash: "h-taken", CreatedAt: now})
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("tx: %v, want ErrConflict", err)
	}
	if a, err := s.AgentsOfPerson(ctx, "p-new"); err != nil || len(a) != 0 {
		t.Fatalf("agent of the rolled-back transaction: %v, %v", a, err)
	}
	if recs, err := s.ReadAudit(ctx, time.Time{}, "", time.Time{}, 10); err != nil || len(recs) != 0 {
		t.Fatalf("audit event of the rolled-back transaction: %v, %v", recs, err)
	}
	must(t, s.InTx(ctx, func(tx *postgres.Store) error {
		if err := tx.PutPerson(ctx, &store.Person{ID: "p-new", IDHash: "h-new", CreatedAt: now}); err != nil {
			return err
		}
		return tx.InTx(ctx, func(same *postgres.Store) error { // nested: the same transaction
			return same.AddAgent(ctx, &store.Agent{PersonID: "p-new", UnitID: "u1", CreatedAt: now})
		})
	}))
	if a, err := s.AgentsOfPerson(ctx, "p-new"); err != nil || len(a) != 1 {
		t.Fatalf("agent of the committed transaction: %v, %v", a, err)
	}
}
