package storetest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

var auditTests = []test{
	{"AuditAppendRead", testAuditAppendRead},
	{"AuditRetention", testAuditRetention},
}

func testAuditAppendRead(t *testing.T, s store.Store) {
	ctx := t.Context()
	start := time.Now()
	recs, err := s.ReadAudit(ctx, time.Time{}, "", time.Time{}, 10)
	must(t, "read empty", err)
	if len(recs) != 0 {
		t.Fatalf("empty log has %d records", len(recs))
	}
	var ids []string
	for i := range 5 {
		data, _ := json.Marshal(map[string]int{"n": i})
		id, err := s.AppendAudit(ctx, data, time.Hour)
		must(t, "append", err)
		ids = append(ids, id)
	}
	var got []string
	after := ""
	for {
		recs, err := s.ReadAudit(ctx, start.Add(-time.Second), after, time.Time{}, 2)
		must(t, "read", err)
		if len(recs) == 0 {
			break
		}
		for _, r := range recs {
			got = append(got, r.ID+"="+string(r.Data))
		}
		after = recs[len(recs)-1].ID
	}
	var want []string
	for i, id := range ids {
		want = append(want, fmt.Sprintf(`%s={"n":%d}`, id, i))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("read in pages:\n got %v\nwant %v", got, want)
	}
	recs, err = s.ReadAudit(ctx, time.Now().Add(time.Hour), "", time.Time{}, 10)
	must(t, "read from the future", err)
	if len(recs) != 0 {
		t.Fatalf("since in the future returned %d records", len(recs))
	}
	recs, err = s.ReadAudit(ctx, time.Time{}, "", start.Add(-time.Hour), 10)
	must(t, "read until the past", err)
	if len(recs) != 0 {
		t.Fatalf("until in the past returned %d records", len(recs))
	}
	_, err = s.ReadAudit(ctx, time.Time{}, "not-a-cursor", time.Time{}, 10)
	if err == nil {
		t.Fatal("a malformed cursor was accepted")
	}
}

func testAuditRetention(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, err := s.AppendAudit(ctx, []byte(`{"old":true}`), time.Hour)
	must(t, "append", err)
	time.Sleep(20 * time.Millisecond)
	_, err = s.AppendAudit(ctx, []byte(`{"old":false}`), 10*time.Millisecond)
	must(t, "append with short retention", err)
	recs, err := s.ReadAudit(ctx, time.Time{}, "", time.Time{}, 10)
	must(t, "read", err)
	// Redis trims approximately (whole macro-nodes), so the old record may
	// survive there; the newest must always be kept and nothing newer lost.
	if n := len(recs); n == 0 || string(recs[n-1].Data) != `{"old":false}` {
		t.Fatalf("after trimming: %v", recs)
	}
	if _, err := s.AppendAudit(ctx, []byte("{}"), 0); err == nil {
		t.Fatal("an audit record without retention was accepted")
	}
}
