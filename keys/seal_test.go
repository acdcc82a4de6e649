package keys

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestWrongKEKIsReported(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	st := &memStore{}
	newTestManager(t, st, clk, nil)

	opts := testOptions(clk)
	opts.KEK[0] ^= 0xff
	_, err := New(context.Background(), st, opts)
	if !errors.Is(err, ErrKEKMismatch) {
		t.Fatalf("New with another KEK: err %v, want ErrKEKMismatch", err)
	}
	if !strings.Contains(err.Error(), "key-encryption key does not match the stored key set") {
		t.Errorf("error %q does not say the key-encryption key does not match", err)
	}
	if _, swaps, _ := st.stats(); swaps != 1 {
		t.Errorf("the stored set was overwritten (%d writes)", swaps)
	}
}

func TestTamperedKeySetIsRejected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		tamper func(set *storedSet)
		want   string // %s is the first key's kid
	}{
		{"flipped byte in sealed key", func(s *storedSet) {
			s.Keys[0].SealedPrivateKey[20] ^= 1
		}, "keys: decrypt key %s"},
		{"sealed keys swapped between entries", func(s *storedSet) {
			s.Keys[0].SealedPrivateKey, s.Keys[1].SealedPrivateKey = s.Keys[1].SealedPrivateKey, s.Keys[0].SealedPrivateKey
		}, "keys: decrypt key %s"},
		{"algorithm relabelled", func(s *storedSet) {
			s.Keys[0].Alg = "EdDSA"
		}, "keys: decrypt key %s"},
		{"public JWK replaced", func(s *storedSet) {
			s.Keys[0].PublicJWK = s.Keys[1].PublicJWK
		}, "keys: key %s: stored public JWK does not match"},
		{"schedule broken", func(s *storedSet) {
			s.Keys[0].DeactivateAt = s.Keys[0].ActivateAt
		}, "keys: stored key set is inconsistent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock()
			st := &memStore{}
			m := newTestManager(t, st, clk, nil)
			active := m.Active().ID()

			set := st.stored(t)
			want := strings.ReplaceAll(tt.want, "%s", set.Keys[0].KID)
			tt.tamper(&set)
			data, err := json.Marshal(set)
			if err != nil {
				t.Fatal(err)
			}
			st.put(data)

			err = m.Refresh(context.Background())
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("Refresh of tampered set: err %v, want %q", err, want)
			}
			if errors.Is(err, ErrKEKMismatch) {
				t.Errorf("tampering reported as a KEK mismatch: %v", err)
			}
			if m.Active().ID() != active || m.Version() != 1 {
				t.Errorf("a failed load replaced the served set")
			}
			if _, err := New(context.Background(), st, testOptions(clk)); err == nil {
				t.Errorf("New accepted the tampered set")
			}
		})
	}
}

func TestStoredSetHoldsNoPlainPrivateKey(t *testing.T) {
	t.Parallel()
	for _, alg := range allAlgorithms {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			st := &memStore{}
			m := newTestManager(t, st, newFakeClock(), func(o *Options) { o.Algorithm = alg })
			data, _, err := st.GetKeySet(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(data, []byte(`"d"`)) {
				t.Errorf("stored set has a JWK private member \"d\": %s", data)
			}
			sealed := map[string][]byte{}
			for _, k := range st.stored(t).Keys {
				sealed[k.KID] = k.SealedPrivateKey
			}
			for _, e := range m.snap.Load().entries {
				der, err := x509.MarshalPKCS8PrivateKey(e.signer)
				if err != nil {
					t.Fatal(err)
				}
				for _, form := range []string{
					base64.StdEncoding.EncodeToString(der),
					base64.RawURLEncoding.EncodeToString(der),
				} {
					if bytes.Contains(data, []byte(form)) {
						t.Errorf("key %s: base64 PKCS#8 private key found in the stored set", e.KID)
					}
				}
				for _, secret := range [][]byte{der, privateScalar(t, e.signer)} {
					if bytes.Contains(sealed[e.KID], secret) {
						t.Errorf("key %s: private key material readable in its sealed form", e.KID)
					}
				}
			}
		})
	}
}

// privateScalar is the secret number of a private key.
func privateScalar(t testing.TB, k crypto.Signer) []byte {
	t.Helper()
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		b, err := k.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		return b
	case *rsa.PrivateKey:
		return k.D.Bytes()
	case ed25519.PrivateKey:
		return k.Seed()
	}
	t.Fatalf("unexpected key type %T", k)
	return nil
}
