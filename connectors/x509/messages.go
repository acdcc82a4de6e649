package x509

import (
	"errors"

	"github.com/gjjid/gjjid/connectors"
)

// messages are the user-facing texts of each LoginError code, zh-CN and en.
var messages = map[string][2]string{
	"bad_evidence":           {"无法读取证书或签名，请重新插入证书介质后重试。", "The certificate or signature could not be read. Re-insert the certificate key and try again."},
	"method_disabled":        {"此登录方式未启用该证书提交方式。", "This sign-in method does not accept certificates presented this way."},
	"bad_signature":          {"证书签名验证失败，请重新登录。", "The certificate's signature did not verify. Please sign in again."},
	"expired":                {"证书已过期，请到发证机构办理证书更新。", "The certificate has expired. Renew it with the certification authority."},
	"not_yet_valid":          {"证书尚未生效。", "The certificate is not valid yet."},
	"key_usage":              {"此证书不能用于登录（密钥用途不符），请使用签名证书。", "This certificate may not be used to sign in (key usage). Use the signing certificate."},
	"untrusted":              {"证书不是由本中心认可的发证机构签发。", "The certificate was not issued by a certification authority this fund accepts."},
	"revoked":                {"证书已被吊销，请联系发证机构。", "The certificate has been revoked. Contact the certification authority."},
	"revocation_unavailable": {"暂时无法确认证书状态，请稍后重试。", "The certificate's status cannot be checked right now. Try again later."},
	"no_identifier":          {"证书中没有找到单位或个人的身份标识。", "The certificate carries no unit or personal identifier this fund recognises."},
	"invalid_identifier":     {"证书中的统一社会信用代码或证件号码校验位不正确，请联系发证机构。", "The credit code or ID number in the certificate fails its check digit. Contact the certification authority."},
}

func loginError(code string, err error) *connectors.LoginError {
	m := messages[code]
	return &connectors.LoginError{Code: code, Message: map[string]string{"zh-CN": m[0], "en": m[1]}, Err: err}
}

// reasonCode maps a verification error to its LoginError code.
func reasonCode(err error) string {
	for _, r := range []struct {
		err  error
		code string
	}{
		{errExpired, "expired"}, {errNotYetValid, "not_yet_valid"}, {errKeyUsage, "key_usage"},
		{errRevoked, "revoked"}, {errRevocationUnavailable, "revocation_unavailable"},
		{errNoRevocationSource, "revocation_unavailable"}, {errNoIdentifier, "no_identifier"},
		{errBadIdentifier, "invalid_identifier"}, {errSignature, "bad_signature"}, {errEvidence, "bad_evidence"},
	} {
		if errors.Is(err, r.err) {
			return r.code
		}
	}
	return "untrusted"
}
