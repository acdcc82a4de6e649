package alipay

import "github.com/gjjid/gjjid/connectors"

// Login error codes, stable for logs and metrics.
const (
	CodeDenied      = connectors.CodeUserRefused // no auth_code: the user did not agree
	CodeExpired     = "upstream_code"            // auth_code wrong, used or expired: start again
	CodeUnavailable = "upstream_unavailable"     // gateway down, slow, malformed or oversized reply
	CodeInvalid     = "upstream_invalid"         // a reply that failed verification (fail closed)
	CodeConfig      = "upstream_config"          // the gateway refused our app, key or signature
)

func loginError(code string, cause error) error {
	m := map[string][2]string{
		CodeDenied:      {"未完成支付宝授权，请重新登录或换一种登录方式。", "The sign-in was not authorised in Alipay. Try again or use another method."},
		CodeExpired:     {"支付宝授权已失效或已使用，请重新登录。", "The Alipay authorisation has expired or was already used. Sign in again."},
		CodeUnavailable: {"支付宝服务暂时无法使用，请稍后再试或换一种登录方式。", "Alipay is not available right now. Try again later or use another method."},
		CodeInvalid:     {"无法验证支付宝返回的结果，登录已中止，请稍后再试。", "Alipay's answer could not be verified, so the sign-in was stopped. Try again later."},
		CodeConfig:      {"支付宝登录配置有误，请联系公积金中心。", "Sign-in with Alipay is misconfigured. Contact the provident fund centre."},
	}[code]
	return &connectors.LoginError{Code: code, Message: map[string]string{"zh-CN": m[0], "en": m[1]}, Err: cause}
}
