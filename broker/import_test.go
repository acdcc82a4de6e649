package broker_test

import (
	"context"
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
