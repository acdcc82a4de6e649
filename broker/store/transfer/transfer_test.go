package transfer_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/pgtest"
	redisstore "github.com/gjjid/gjjid/broker/store/redis"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/broker/store/transfer"
)

// populate writes n records of every durable kind.
func populate(t *testing.T, s store.Store, n int) {
	t.Helper()
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Millisecond)
	for i := range n {
		must(t, s.PutClient(ctx, &store.Client{ID: fmt.Sprintf("client-%03d", i), Name: "业务系统", Source: store.SourceAdmin,
			RedirectURIs: []string{"https://rp.example/cb"}, AccessTokenLifetime: 5 * time.Minute, CreatedAt: now, UpdatedAt: now}))
		unit := fmt.Sprintf("91510100MA%08d", i)
		must(t, s.AddUnit(ctx, &store.Unit{ID: unit, CustomerNo: fmt.Sprint(1000 + i), OrgCode: fmt.Sprintf("MA%07d", i),
			Name: "示例单位", Status: "active", CreatedAt: now}))
		person := fmt.Sprintf("p_%03d", i)
		must(t, s.PutPerson(ctx, &store.Person{ID: person, Name: "张三", IDType: "resident_id", IDHash: fmt.Sprintf("idh-%d", i),
			IDMasked: "5101**********1236", IDSealed: []byte{1, byte(i)}, MobileHash: fmt.Sprintf("mh-%d", i),
			MobileSealed: []byte{2, byte(i)}, PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", Status: "active", CreatedAt: now}))
		must(t, s.AddAgent(ctx, &store.Agent{PersonID: person, UnitID: unit, Roles: []string{"unit_admin"}, Status: "active", CreatedAt: now}))
		must(t, s.AddLink(ctx, &store.Link{Connector: "x509", Subject: fmt.Sprintf("sha256:%064d", i), Kind: store.LinkAgent,
			PersonID: person, UnitID: unit, CreatedBy: "client:admin", CreatedAt: now}))
		must(t, s.GrantStaffRoles(ctx, person, "gjjid:counter", "gjjid:audit"))
		data, _ := json.Marshal(map[string]any{"type": "admin.change", "principal": person, "n": i})
		_, err := s.AppendAudit(ctx, data, time.Hour)
		must(t, err)
	}
	_, err := s.SwapKeySet(ctx, 0, []byte("sealed key set"))
	must(t, err)
}

// dump lists every durable record of s as JSON, audit IDs included.
func dump(t *testing.T, s transfer.Source) string {
	t.Helper()
	ctx := t.Context()
	clients, _, err1 := s.ListClients(ctx, "", 1000)
	units, _, err2 := s.ListUnits(ctx, "", 1000)
	persons, _, err3 := s.ListPersons(ctx, "", 1000)
	links, _, err4 := s.ListLinks(ctx, "", 1000)
	recs, err5 := s.ReadAudit(ctx, time.Time{}, "", time.Time{}, 1000)
	keys, version, err6 := s.GetKeySet(ctx)
	staff, err7 := s.ListStaff(ctx)
	var agents []*store.Agent
	for _, p := range persons {
		a, err := s.AgentsOfPerson(ctx, p.ID)
		must(t, err)
		agents = append(agents, a...)
	}
	for _, err := range []error{err1, err2, err3, err4, err5, err6, err7} {
		must(t, err)
	}
	audit := make([]string, len(recs))
	for i, r := range recs {
		audit[i] = r.ID + " " + string(r.Data)
	}
	b, _ := json.MarshalIndent(map[string]any{"clients": clients, "units": units, "persons": persons, "agents": agents,
		"links": links, "audit": audit, "keys": string(keys), "has_keys": version > 0, "staff": staff}, "", " ")
	return string(b)
}

// A populated Redis store copied to PostgreSQL reads back the same, audit
// IDs and times included; copying again changes nothing.
func TestCopyRedisToPostgresRoundTrips(t *testing.T) {
	t.Parallel()
	from := redisFor(t)
	populate(t, from, 7)
	to := pgtest.Open(t)

	counts, err := transfer.Copy(t.Context(), from, to, nil)
	must(t, err)
	for _, c := range counts {
		want := 7
		if c.Kind == "key set" {
			want = 1
		}
		if c.Copied != want || c.Unchanged != 0 || c.Kept != 0 {
			t.Errorf("first copy: %v, want %d copied", c, want)
		}
	}
	if got, want := dump(t, to), dump(t, from); got != want {
		t.Fatalf("PostgreSQL after the copy:\n%s\nRedis:\n%s", got, want)
	}

	counts, err = transfer.Copy(t.Context(), from, to, nil)
	must(t, err)
	for _, c := range counts {
		if c.Copied != 0 || c.Kept != 0 {
			t.Errorf("second copy wrote: %v", c)
		}
	}
	if got, want := dump(t, to), dump(t, from); got != want {
		t.Fatalf("the second copy changed PostgreSQL:\n%s", got)
	}
}

// Links and key sets the target has differently are kept, and counted.
func TestCopyKeepsTargetsOwnLinksAndKeys(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	from, to := redisFor(t), pgtest.Open(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	must(t, from.AddLink(ctx, &store.Link{Connector: "x509", Subject: "sha256:1", Kind: store.LinkUnit, UnitID: "u-old", CreatedAt: now}))
	must(t, to.AddLink(ctx, &store.Link{Connector: "x509", Subject: "sha256:1", Kind: store.LinkUnit, UnitID: "u-new", CreatedAt: now}))
	_, err := from.SwapKeySet(ctx, 0, []byte("redis keys"))
	must(t, err)
	_, err = to.SwapKeySet(ctx, 0, []byte("postgres keys"))
	must(t, err)
	counts, err := transfer.Copy(ctx, from, to, nil)
	must(t, err)
	kept := map[string]int{}
	for _, c := range counts {
		kept[c.Kind] = c.Kept
	}
	if kept["links"] != 1 || kept["key set"] != 1 {
		t.Fatalf("counts %v", counts)
	}
	l, err := to.GetLink(ctx, "x509", "sha256:1")
	must(t, err)
	data, _, err := to.GetKeySet(ctx)
	must(t, err)
	if l.UnitID != "u-new" || string(data) != "postgres keys" {
		t.Fatalf("target overwritten: %+v, %s", l, data)
	}
}

func redisFor(t *testing.T) *redisstore.Store {
	t.Helper()
	return redisstore.New(redistest.Client(t))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
