package password

import (
	"fmt"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

// Login error codes, stable for logs and metrics.
const (
	CodeInvalidCredentials = "invalid_credentials"
	CodeLocked             = "locked"
	CodeInvalidLogin       = "invalid_login"
	// CodeMustChange: the password was right but was reset by the fund's
	// staff; it must be changed (at /password/change) before it signs in.
	CodeMustChange = "password_change_required"
)

// mustChange refuses a right password that must be changed first; the
// Identity returned with it carries the person's Subject, for the change.
func mustChange() *connectors.LoginError {
	return &connectors.LoginError{
		Code: CodeMustChange,
		Message: map[string]string{
			"zh-CN": "您的登录密码已由公积金中心重置，请先到 /password/change 设置新密码后再登录",
			"en":    "Your password was reset by the fund centre; set a new one at /password/change, then sign in",
		},
	}
}

// invalidCredentials is the one answer for an unknown login, a disabled
// account, an account without password and a wrong password, so the page
// never tells whether an account exists. It does not count the attempts
// left either: the answer stays the same for every failure, and the policy
// is no secret to an attacker anyway.
func invalidCredentials(cause error) *connectors.LoginError {
	return &connectors.LoginError{
		Code: CodeInvalidCredentials,
		Message: map[string]string{
			"zh-CN": "证件号码/手机号或密码错误",
			"en":    "Incorrect ID number/mobile or password",
		},
		Err: cause,
	}
}

// locked says the login is locked and for how long at most. Unknown logins
// lock the same way, so this reveals nothing about the account either.
func locked(lockout time.Duration) error {
	m := int((lockout + time.Minute - 1) / time.Minute)
	return &connectors.LoginError{
		Code: CodeLocked,
		Message: map[string]string{
			"zh-CN": fmt.Sprintf("登录失败次数过多，已暂时锁定，请 %d 分钟后再试", m),
			"en":    fmt.Sprintf("Too many failed attempts. Sign-in is locked; please try again in %d minutes.", m),
		},
	}
}

// invalidLogin answers a user name that is neither a valid resident ID
// number nor a mobile number: a typo worth pointing out, which no account
// can have, so it says nothing about accounts and costs no attempt.
func invalidLogin(cause error) error {
	return &connectors.LoginError{
		Code: CodeInvalidLogin,
		Message: map[string]string{
			"zh-CN": "请输入正确的18位居民身份证号码或11位手机号",
			"en":    "Enter a valid 18-character resident ID number or an 11-digit mobile number",
		},
		Err: cause,
	}
}
