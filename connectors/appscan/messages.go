package appscan

import "github.com/gjjid/gjjid/connectors"

// Login errors the browser side may show; codes are stable for logs and
// metrics.

func rateLimited(err error) *connectors.LoginError {
	return &connectors.LoginError{Code: "rate_limited", Err: err, Message: map[string]string{
		"zh-CN": "获取二维码过于频繁，请稍后再试。",
		"en":    "Too many QR codes were requested. Try again later.",
	}}
}

func notFound(err error) *connectors.LoginError {
	return &connectors.LoginError{Code: "not_found", Err: err, Message: map[string]string{
		"zh-CN": "二维码不存在或已失效，请刷新二维码。",
		"en":    "This QR code does not exist or is no longer valid. Refresh the QR code.",
	}}
}

func expired(err error) *connectors.LoginError {
	return &connectors.LoginError{Code: "expired", Err: err, Message: map[string]string{
		"zh-CN": "二维码已过期，请刷新后重新扫码。",
		"en":    "The QR code has expired. Refresh it and scan again.",
	}}
}

func invalidTicket(err error) *connectors.LoginError {
	return &connectors.LoginError{Code: "invalid_ticket", Err: err, Message: map[string]string{
		"zh-CN": "扫码登录未能完成，请刷新二维码后重新扫码。",
		"en":    "The sign-in by QR code could not be completed. Refresh the QR code and scan again.",
	}}
}

func noAccount(err error) *connectors.LoginError {
	return &connectors.LoginError{Code: "no_account", Err: err, Message: map[string]string{
		"zh-CN": "扫码的App账户无法登录，请联系公积金中心。",
		"en":    "The app account that scanned cannot sign in. Contact the fund centre.",
	}}
}
