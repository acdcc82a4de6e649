package alipay_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/gjjid/gjjid/connectors/alipay"
)

// signed wraps content as a signed alipay.user.info.share reply.
func signed(t testing.TB, k *rsa.PrivateKey, content string) []byte {
	h := sha256.Sum256([]byte(content))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, h[:])
	if err != nil {
		t.Fatal(err)
	}
	return []byte(`{"alipay_user_info_share_response":` + content + `,"sign":"` + base64.StdEncoding.EncodeToString(sig) + `"}`)
}

// FuzzVerifyResponse: whatever the bytes, the verifier does not panic, and
// it accepts a reply only if its member's exact bytes carry a valid
// signature of the Alipay key.
func FuzzVerifyResponse(f *testing.F) {
	k := key()
	good := signed(f, k, `{"code":"10000","msg":"Success","avatar":"https:\/\/a.example\/x","nick_name":"张三","user_id":"2088102177846880"}`)
	f.Add(good)
	f.Add(signed(f, k, `{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.code-invalid","sub_msg":"授权码code无效"}`))
	f.Add([]byte(`{"error_response":{"code":"40002"},"sign":"AAAA"}`))
	f.Add([]byte(`{"alipay_user_info_share_response":{"code":"10000"},"alipay_cert_sn":"x","sign":""}`))
	f.Add([]byte(`{"alipay_user_info_share_response":"{}","sign":"AAAA"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"alipay_user_info_share_response":{"a":1},"alipay_user_info_share_response":{"b":2},"sign":"x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := alipay.VerifyResponse(body, alipay.MethodUserInfo, &k.PublicKey, "")
		if err != nil {
			return
		}
		var top map[string]json.RawMessage
		if json.Unmarshal(body, &top) != nil {
			t.Fatalf("accepted a body that is not JSON: %q", body)
		}
		var sign string
		_ = json.Unmarshal(top["sign"], &sign)
		sig, _ := base64.StdEncoding.DecodeString(sign)
		h := sha256.Sum256(r.Content)
		if rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, h[:], sig) != nil {
			t.Fatalf("accepted an unsigned member: %q", body)
		}
	})
}
