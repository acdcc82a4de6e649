package wechat

import "github.com/gjjid/gjjid/connectors"

// Login error codes, stable for logs and metrics.
const (
	CodeDenied      = connectors.CodeUserRefused // no code: the user refused
	CodeExpired     = "upstream_code"            // code wrong, used or expired: start again
	CodeUnavailable = "upstream_unavailable"     // system error, rate limit, slow or malformed reply
	CodeConfig      = "upstream_config"          // appid or secret refused
	CodeBlocked     = "upstream_blocked"         // 40226: WeChat flags the account as high-risk
	CodeNoUnionID   = "upstream_no_unionid"      // require_unionid and none came
	CodeSnapshot    = "upstream_snapshot"        // a virtual openid of the snapshot page mode
	CodeNotServed   = "unauthorized_client"      // a client this mini program does not serve
)

func loginError(code string, cause error) error {
	m := map[string][2]string{
		CodeDenied:      {"您未同意微信授权，请重新登录或换一种登录方式。", "You did not allow the sign-in in WeChat. Try again or use another method."},
		CodeExpired:     {"微信授权已失效或已使用，请重新登录。", "The WeChat authorisation has expired or was already used. Sign in again."},
		CodeUnavailable: {"微信服务暂时无法使用，请稍后再试或换一种登录方式。", "WeChat is not available right now. Try again later or use another method."},
		CodeConfig:      {"微信登录配置有误，请联系公积金中心。", "Sign-in with WeChat is misconfigured. Contact the provident fund centre."},
		CodeBlocked:     {"微信提示该账号存在风险，暂时无法用微信登录，请换一种登录方式。", "WeChat flags this account as at risk; use another sign-in method."},
		CodeNoUnionID:   {"无法获取微信账号的统一标识，请联系公积金中心。", "WeChat did not identify the account across the fund's apps. Contact the provident fund centre."},
		CodeSnapshot:    {"请在微信中打开完整页面后再登录。", "Open the full page in WeChat, then sign in."},
		CodeNotServed:   {"该应用不能使用小程序登录。", "This application may not sign in with the mini program."},
	}[code]
	return &connectors.LoginError{Code: code, Message: map[string]string{"zh-CN": m[0], "en": m[1]}, Err: cause}
}

// apiFailure maps an API error to the user's message
// (docs/connectors-alipay-wechat.md#wechat-errors).
func apiFailure(err error) error {
	switch codeOf(err) {
	case ErrInvalidCode, ErrCodeUsed, ErrCodeExpired, ErrInvalidRefresh, ErrRefreshExpired:
		return loginError(CodeExpired, err)
	case ErrInvalidSecret, ErrInvalidAppID, 41002, 41004, ErrInvalidCred, ErrAPIUnauthorized:
		return loginError(CodeConfig, err)
	case ErrCodeBlocked:
		return loginError(CodeBlocked, err)
	}
	return loginError(CodeUnavailable, err)
}
