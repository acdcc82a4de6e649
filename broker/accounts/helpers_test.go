package accounts_test

import (
	"bytes"
	"testing"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/memory"
)

// Demo data shared by the tests.
const (
	demoUnit     = "91510100MA61ABCD1T"
	demoUnitName = "成都示例科技有限公司"
	demoID       = "510107199003071236"
	demoMobile   = "13800138000"
	demoPW       = "802417"
	otherUnit    = "91350100M000100Y43"
	otherID      = "11010519491231002X"
)

var testSecrets = accounts.Secrets{
	IDHashKey: bytes.Repeat([]byte{0x11}, 32),
	Pepper:    bytes.Repeat([]byte{0x22}, 32),
}

// newService is a service on a fresh memory store whose new password
// hashes use 1 MiB of argon2id: under the race detector one 64 MiB hash
// takes over a second. The tests of the production parameters use
// newProductionService.
func newService(t testing.TB) (*accounts.Service, *memory.Store) {
	t.Helper()
	st := memory.New()
	t.Cleanup(func() { _ = st.Close() })
	s := testSecrets
	s.HashMemoryKiB = 1024
	return accounts.New(st, s), st
}

// newProductionService hashes with the production parameters.
func newProductionService(t testing.TB) (*accounts.Service, *memory.Store) {
	t.Helper()
	st := memory.New()
	t.Cleanup(func() { _ = st.Close() })
	return accounts.New(st, testSecrets), st
}

// demoPersonAndUnit registers the demo person 张三 and the demo unit, not
// yet linked by an agent record.
func demoPersonAndUnit(t testing.TB, svc *accounts.Service) *store.Person {
	t.Helper()
	p, err := svc.CreatePerson(t.Context(), accounts.NewPerson{Name: "张三", IDNumber: demoID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUnit(t.Context(), demoUnit, "", demoUnitName); err != nil {
		t.Fatal(err)
	}
	return p
}
