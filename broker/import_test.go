package broker_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/gjjid/gjjid/broker/accounts"
	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/bulkimport"
)

// TestImportedLegacyHashSignsInAndIsUpgraded: an agent imported with the
// former system's bcrypt hash signs in with the old password; the hash is
// then argon2id, and the password still signs in.
func TestImportedLegacyHashSignsInAndIsUpgraded(t *testing.T) {
	b := bt.Start(t, bt.Options{})
	const idNumber, password = "510107199003070014", "271828"
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	csv := "credit_code,name,id_number,roles,password_hash,password_scheme\n" +
		bt.UnitID + ",钱九," + idNumber + ",operator," + string(h) + ",bcrypt\n"
	res, err := (&bulkimport.Importer{Accounts: b.Accounts}).Import(context.Background(), bulkimport.Agents, strings.NewReader(csv))
	if err != nil || res.Created != 1 || len(res.Rejected) != 0 {
		t.Fatalf("import: %+v, %v", res, err)
	}
	hashOf := func() string {
		p, err := b.Accounts.FindByIDNumber(context.Background(), accounts.IDTypeResident, idNumber)
		if err != nil {
			t.Fatal(err)
		}
		return p.PasswordHash
	}
	if !strings.HasPrefix(hashOf(), "$2a$") {
		t.Fatalf("imported hash %q", hashOf())
	}
	rp := bt.NewRP(t, b.URL)
	for i := range 2 {
		f := rp.NewFlow()
		br := bt.NewBrowser(t)
		loc, err := br.Login(b.URL, f.URL, idNumber, password)
		if err != nil {
			t.Fatalf("login %d: %v", i+1, err)
		}
		if _, err := rp.Callback(f, loc); err != nil {
			t.Fatalf("login %d: callback: %v (page %.300s)", i+1, err, br.Page)
		}
		if got := hashOf(); !strings.HasPrefix(got, "$argon2id$") {
			t.Fatalf("after login %d the hash is %q", i+1, got)
		}
	}
}

// TestAdminImport: POST /admin/v1/import/{kind} imports a CSV file as
// gjjid import does, on every store: good rows are created, each bad row is
// reported by line and field and changes nothing, re-running the file
// changes nothing, and the import is one audit event with its counts.
func TestAdminImport(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		api := bt.NewAdminAPI(t, b.URL)
		const good, alsoGood = "320106198001011233", "320106198001011241"
		csv := bt.Raw{ContentType: "text/csv; charset=utf-8", Data: []byte("name,id_number,mobile\n" +
			"孙七," + good + ",13900000001\n" +
			"周八,320106198001011234,13900000002\n" + // wrong check digit
			"吴九,32010619800101125X,12345\n" + // not a mobile
			"郑十," + alsoGood + ",13900000003\n")}
		type result struct {
			Rows, Created, Existing, Duplicates int
			Rejected                            []struct {
				Line           int
				Field, Problem string
			}
		}
		var first result
		api.Want(http.StatusOK, http.MethodPost, "/admin/v1/import/persons", csv, &first)
		if first.Rows != 4 || first.Created != 2 || len(first.Rejected) != 2 ||
			first.Rejected[0].Line != 3 || first.Rejected[0].Field != "id_number" ||
			first.Rejected[1].Line != 4 || first.Rejected[1].Field != "mobile" || first.Duplicates != 0 {
			t.Fatalf("first import: %+v", first)
		}
		for _, r := range first.Rejected {
			if strings.Contains(r.Problem, "3201061980010112") || strings.Contains(r.Problem, "32010619800101125X") {
				t.Fatalf("a rejection quotes the ID number: %+v", r)
			}
		}
		if _, err := b.Accounts.FindByIDNumber(context.Background(), accounts.IDTypeResident, good); err != nil {
			t.Fatalf("imported person: %v", err)
		}
		var again result
		api.Want(http.StatusOK, http.MethodPost, "/admin/v1/import/persons", csv, &again)
		if again.Created != 0 || again.Existing != 2 {
			t.Fatalf("second import changed something: %+v", again)
		}

		var e apiErr
		if got := api.Call(http.MethodPost, "/admin/v1/import/persons", bt.Raw{ContentType: "text/csv", Data: []byte("name,shoe_size\n张三,42\n")}, &e); got != http.StatusBadRequest || e.Error != "invalid_request" {
			t.Fatalf("unknown column: %d %+v", got, e)
		}
		if got := api.Call(http.MethodPost, "/admin/v1/import/persons", map[string]string{"name": "张三"}, &e); got != http.StatusUnsupportedMediaType {
			t.Fatalf("JSON body: %d %+v", got, e)
		}
		if got := api.Call(http.MethodPost, "/admin/v1/import/cats", csv, &e); got != http.StatusNotFound {
			t.Fatalf("unknown kind: %d %+v", got, e)
		}
		// Only administrators: a service token without gjjid:admin is refused.
		svc := bt.NewServiceAPI(t, b.URL, bt.ServiceID, bt.ServiceSecret, "gjj:api")
		wantStatus(t, svc, http.StatusForbidden, "insufficient_scope", http.MethodPost, "/admin/v1/import/persons", csv)

		var page struct {
			Items []struct {
				Action string         `json:"action"`
				After  map[string]any `json:"after"`
			} `json:"items"`
		}
		api.Want(http.StatusOK, http.MethodGet, "/admin/v1/audit?type=admin.change", nil, &page)
		imports := 0
		for _, ev := range page.Items {
			if ev.Action == "import.persons" {
				imports++
				if ev.After["rows"] != float64(4) {
					t.Errorf("import audit event: %v", ev.After)
				}
			}
		}
		if imports != 2 {
			t.Fatalf("%d import audit events, want one per import (2)", imports)
		}
	})
}
