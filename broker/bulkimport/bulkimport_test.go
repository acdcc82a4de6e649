package bulkimport_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/bulkimport"
	"github.com/gjjid/gjjid/broker/store/memory"
)

// residentID returns a valid 18-character resident ID number (GB 11643
// check digit) for seq.
func residentID(seq int) string {
	base := fmt.Sprintf("51010719900307%03d", seq)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(base[i]-'0') * w
	}
	return base + string("10X98765432"[sum%11])
}

// badCheck changes the check digit of a valid ID number.
func badCheck(id string) string {
	if id[17] == '0' {
		return id[:17] + "1"
	}
	return id[:17] + "0"
}

func newImporter(t *testing.T) (*bulkimport.Importer, *accounts.Service) {
	t.Helper()
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	acc := accounts.New(st, accounts.Secrets{IDHashKey: bytes.Repeat([]byte{1}, 32), Pepper: bytes.Repeat([]byte{2}, 32)})
	return &bulkimport.Importer{Accounts: acc}, acc
}

func rejections(res bulkimport.Result) []string {
	var out []string
	for _, r := range res.Rejected {
		out = append(out, fmt.Sprintf("%d %s", r.Line, r.Field))
	}
	return out
}

const (
	unitA = "91510100MA61ABCD1T"
	unitB = "91350100M000100Y43"
)

func TestImportUnitsAndAgents(t *testing.T) {
	t.Parallel()
	im, acc := newImporter(t)
	ctx := t.Context()
	units := "\ufeffcredit_code,name,customer_no\n" +
		unitA + ",成都示例科技有限公司,510100000001\n" + // 2
		unitB + ",福州示例有限公司,\n" + // 3
		"91510100MA61ABCD1X,校验位错误公司,\n" + // 4: bad check digit
		unitA + ",成都示例科技有限公司,510100000001\n" // 5: repeats line 2
	res, err := im.Import(ctx, bulkimport.Units, strings.NewReader(units))
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 4 || res.Created != 2 || res.Duplicates != 1 || !slices.Equal(rejections(res), []string{"4 credit_code", "5 "}) {
		t.Fatalf("units: %+v %v", res, rejections(res))
	}

	sum := sha256.Sum256([]byte("s4lt" + "314159"))
	agents := "credit_code,name,id_number,mobile,roles,password,password_hash,password_scheme,password_salt\n" +
		unitA + ",张三," + residentID(1) + ",13800138000,unit_admin,802417,,,\n" + // 2
		unitA + ",李四," + residentID(2) + ",,operator,,," + hex.EncodeToString(sum[:]) + ",sha256,s4lt\n" + // 3: one field too many
		unitB + ",李四," + residentID(2) + ",,operator;unit_admin,," + hex.EncodeToString(sum[:]) + ",sha256,s4lt\n" + // 4: legacy hash
		unitA + ",王五," + badCheck(residentID(3)) + ",,,802417,,,\n" + // 5: bad check digit
		"91510100MA62XY3N0W,赵六," + residentID(4) + ",,,802417,,,\n" + // 6: no such unit
		unitA + ",孙七," + residentID(5) + ",,boss,802417,,,\n" + // 7: bad role
		unitA + ",周八," + residentID(6) + ",,,802417,abcd,sha256,\n" + // 8: both password and hash
		unitB + ",张三," + residentID(1) + ",13800138000,operator,802417,,,\n" + // 9: same person, second unit
		unitA + ",张三," + residentID(1) + ",13800138000,unit_admin,802417,,,\n" // 10: repeats line 2
	res, err = im.Import(ctx, bulkimport.Agents, strings.NewReader(agents))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"3 ", "5 id_number", "6 credit_code", "7 roles", "8 password_hash", "10 "}
	if res.Rows != 9 || res.Created != 3 || res.Duplicates != 1 || !slices.Equal(rejections(res), want) {
		t.Fatalf("agents: %+v\n got %v\nwant %v", res, rejections(res), want)
	}
	// Rejected rows wrote nothing: no person for the bad role or the
	// missing unit.
	for _, seq := range []int{4, 5, 6} {
		if _, err := acc.FindByIDNumber(ctx, accounts.IDTypeResident, residentID(seq)); err == nil {
			t.Errorf("a rejected row created person %d", seq)
		}
	}
	p, err := acc.FindByIDNumber(ctx, accounts.IDTypeResident, residentID(2))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := acc.VerifyPassword(p.PasswordHash, "314159"); !ok || err != nil {
		t.Fatalf("the legacy hash does not verify: %v", err)
	}
	if a, err := acc.Agent(ctx, p.ID, unitB); err != nil || !slices.Equal(a.Roles, []string{"operator", "unit_admin"}) {
		t.Fatalf("agent record: %+v, %v", a, err)
	}

	// Running the files again changes nothing.
	for kind, file := range map[string]string{bulkimport.Units: units, bulkimport.Agents: agents} {
		res, err := im.Import(ctx, kind, strings.NewReader(file))
		if err != nil || res.Created != 0 {
			t.Fatalf("%s again: %+v, %v", kind, res, err)
		}
	}
	if res, _ := im.Import(ctx, bulkimport.Agents, strings.NewReader(agents)); res.Existing != 3 {
		t.Fatalf("agents again: %+v", res)
	}
}

func TestImportPersonsAndHeaders(t *testing.T) {
	t.Parallel()
	im, _ := newImporter(t)
	ctx := t.Context()
	// Two persons with one mobile: rows import concurrently, so either may
	// be the one rejected.
	res, err := im.Import(ctx, bulkimport.Persons, strings.NewReader("name,id_number,mobile\n张三,"+residentID(1)+",13800138000\n"+
		"李四,"+residentID(2)+",13800138000\n"))
	if got := rejections(res); err != nil || res.Created != 1 || len(got) != 1 || !strings.HasSuffix(got[0], " mobile") {
		t.Fatalf("persons: %+v %v, %v", res, got, err)
	}
	for _, tc := range []struct{ kind, csv, want string }{
		{bulkimport.Units, "credit_code,name,colour\n", `unknown column "colour"`},
		{bulkimport.Units, "credit_code\n", `column "name" is required`},
		{bulkimport.Agents, "credit_code,name,id_number,name\n", `column "name" twice`},
		{"clients", "id\n", `kind "clients"`},
	} {
		if _, err := im.Import(ctx, tc.kind, strings.NewReader(tc.csv)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q: %v, want %q", tc.kind, tc.csv, err, tc.want)
		}
	}
}
