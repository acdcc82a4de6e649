package upstream

import (
	"errors"
	"strings"

	"github.com/gjjid/gjjid/connectors"
)

// Login error codes of upstream connectors, stable for logs and metrics.
const (
	// CodeDenied: the user cancelled or the upstream refused the login.
	CodeDenied = connectors.CodeUserRefused
	// CodeInvalid: the upstream's answer failed a check (signature, nonce,
	// audience, expiry, ticket) or could not be read.
	CodeInvalid = "upstream_invalid"
	// CodeAttribute: the answer lacks an attribute the mapping needs, or
	// holds an unusable one (the log names which; the user is not told).
	CodeAttribute = "upstream_attribute"
	// CodeError: the upstream answered with an error.
	CodeError = "upstream_error"
)

// Denied is the answer to a login the user cancelled at the upstream.
func Denied(cause error) error {
	return &connectors.LoginError{Code: CodeDenied, Err: cause, Message: map[string]string{
		"zh-CN": "统一身份认证平台未完成登录，请重新登录",
		"en":    "The identity platform did not complete the sign-in; please try again",
	}}
}

// Invalid is the answer to an upstream reply that failed a check. The
// user sees a generic text; cause (for the log) says what failed.
func Invalid(cause error) error {
	return &connectors.LoginError{Code: CodeInvalid, Err: cause, Message: map[string]string{
		"zh-CN": "统一身份认证平台的登录结果无法验证，请重新登录",
		"en":    "The sign-in result of the identity platform could not be verified; please try again",
	}}
}

// Attribute is the answer to a reply without a needed attribute; cause
// names the attribute (for the log only).
func Attribute(cause error) error {
	return &connectors.LoginError{Code: CodeAttribute, Err: cause, Message: map[string]string{
		"zh-CN": "统一身份认证平台未提供登录所需的信息，请联系管理员",
		"en":    "The identity platform did not provide what the sign-in needs; please contact the administrator",
	}}
}

// Failed is the answer to an upstream that reported an error.
func Failed(cause error) error {
	return &connectors.LoginError{Code: CodeError, Err: cause, Message: map[string]string{
		"zh-CN": "统一身份认证平台返回错误，请稍后重试",
		"en":    "The identity platform reported an error; please try again later",
	}}
}

// ErrMissing marks a mapped attribute absent from the upstream's answer.
var ErrMissing = errors.New("mapped attribute missing")

// Clip is an upstream's value as an error may quote it: control
// characters dropped and cut after 64 bytes, so that a hostile or broken
// upstream cannot fill or forge log lines.
func Clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' {
			return -1
		}
		return r
	}, s)
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
