package connhost_test

import (
	"context"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/clients"
	"github.com/gjjid/gjjid/broker/connhost"
	"github.com/gjjid/gjjid/broker/provider"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/memory"
	redisstore "github.com/gjjid/gjjid/broker/store/redis"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
	goredis "github.com/redis/go-redis/v9"
)

// newFixture is the real host over st, as the broker builds it.
func newFixture(t *testing.T, st store.Store) connectorstest.Fixture {
	key := []byte("connhost test key, 32 bytes long")
	acc := accounts.New(st, accounts.Secrets{IDHashKey: key, Pepper: key})
	h := connhost.New(connhost.Options{
		Store: st, Accounts: acc, Audit: audit.New(st, nil, 0),
		Clients: provider.NewClientCache(clients.NewOverlay(st, nil), 0),
		Tokens:  provider.NewTokenVerifier("http://127.0.0.1", noKeys{}, st),
		Secrets: connectors.Secrets{IDHashKey: key, Pepper: key},
	})
	return connectorstest.Fixture{Deps: h.Deps(connectors.Spec{ID: "test", Type: "test"}),
		AddPerson: func(t *testing.T, name, login, pw string) string {
			p, err := acc.CreatePerson(context.Background(), accounts.NewPerson{Name: name, IDNumber: login, Password: pw})
			if err != nil {
				t.Fatal(err)
			}
			return p.ID
		}}
}

func TestHostKeepsTheContract(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		connectorstest.Contract(t, func(t *testing.T) connectorstest.Fixture { return newFixture(t, memory.New()) })
	})
	t.Run("redis", func(t *testing.T) {
		connectorstest.Contract(t, func(t *testing.T) connectorstest.Fixture {
			prefix := redistest.Prefix(t)
			st, err := redisstore.Open(t.Context(), redisstore.Options{URL: redistest.URL(t), KeyPrefix: prefix})
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			t.Cleanup(func() { st.Close() })
			o, _ := goredis.ParseURL(redistest.URL(t))
			admin := goredis.NewClient(o)
			t.Cleanup(func() { admin.Close() })
			redistest.CleanupKeys(t, admin, prefix)
			return newFixture(t, st)
		})
	})
}

// noKeys publishes no keys: every token fails its signature check.
type noKeys struct{}

func (noKeys) SigningKey() (string, jose.SignatureAlgorithm, any)  { return "", "", nil }
func (noKeys) SigningKeyFor(jose.SignatureAlgorithm) (string, any) { return "", nil }
func (noKeys) PublicKeys() []provider.PublicKey                    { return nil }
func (noKeys) JWKS() []byte                                        { return []byte(`{"keys":[]}`) }
func (noKeys) Version() int64                                      { return 0 }
