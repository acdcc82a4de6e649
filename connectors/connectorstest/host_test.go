package connectorstest_test

import (
	"testing"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
)

func TestDoubleKeepsTheContract(t *testing.T) {
	connectorstest.Contract(t, func(t *testing.T) connectorstest.Fixture {
		h := connectorstest.New()
		return connectorstest.Fixture{Deps: h.Deps(), AddPerson: func(t *testing.T, name, login, pw string) string {
			h.AddAccount(connectors.Account{PersonID: "person-" + login, Name: name, PasswordHash: connectorstest.PasswordHash(pw)}, login)
			return "person-" + login
		}}
	})
}
