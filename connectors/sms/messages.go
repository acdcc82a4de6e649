package sms

import (
	"fmt"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

// Login error codes, stable for logs and metrics.
const (
	CodeInvalidLogin = "invalid_login" // not a mobile number
	CodeInvalidCode  = "invalid_code"  // wrong, used, expired or never sent
	CodeCodeDead     = "code_dead"     // max_attempts wrong codes: request a new one
	CodeRateLimited  = "rate_limited"
	// CodeSMSUnavailable: the provider is failing; nobody is sent a code.
	CodeSMSUnavailable = "sms_unavailable"
)

// invalidLogin answers a login that is no mainland mobile number: a typo
// worth pointing out, which no account can have, so it says nothing about
// accounts and costs nothing.
func invalidLogin(cause error) error {
	return &connectors.LoginError{
		Code: CodeInvalidLogin,
		Message: map[string]string{
			"zh-CN": "请输入正确的11位手机号",
			"en":    "Enter a valid 11-digit mobile number",
		},
		Err: cause,
	}
}

// invalidCode is the one answer for a wrong code, a code already used, an
// expired code and a mobile that was never sent one (registered or not).
func invalidCode(reason string) error {
	return &connectors.LoginError{
		Code: CodeInvalidCode,
		Message: map[string]string{
			"zh-CN": "验证码错误或已失效",
			"en":    "The verification code is wrong or no longer valid",
		},
		Err: fmt.Errorf("sms: %s", reason),
	}
}

// malformedCode answers a code that is not six digits: no code can match
// it, so it costs no attempt.
func malformedCode() error {
	return &connectors.LoginError{
		Code: CodeInvalidCode,
		Message: map[string]string{
			"zh-CN": "请输入短信中的6位数字验证码",
			"en":    "Enter the 6-digit code from the text message",
		},
		Err: fmt.Errorf("sms: malformed code"),
	}
}

// codeDead says the code took max_attempts wrong tries. Codes stored for
// unknown mobiles (never sent) die the same way, so this reveals nothing.
func codeDead() error {
	return &connectors.LoginError{
		Code: CodeCodeDead,
		Message: map[string]string{
			"zh-CN": "验证码错误次数过多，已失效，请重新获取验证码",
			"en":    "Too many wrong codes: this code no longer works. Request a new one.",
		},
		Err: fmt.Errorf("sms: code dead after too many wrong tries"),
	}
}

// resendTooSoon: a code went to this mobile less than resend_interval ago.
func resendTooSoon(wait time.Duration) error {
	s := int((wait + time.Second - 1) / time.Second)
	return &connectors.LoginError{
		Code: CodeRateLimited,
		Message: map[string]string{
			"zh-CN": fmt.Sprintf("验证码发送过于频繁，请 %d 秒后再试", s),
			"en":    fmt.Sprintf("A code was sent moments ago. Try again in %d seconds.", s),
		},
		Err: fmt.Errorf("sms: resend interval (%s left)", wait.Round(time.Second)),
	}
}

// dailyLimit: daily_limit codes went to this mobile today (China time).
func dailyLimit() error {
	return &connectors.LoginError{
		Code: CodeRateLimited,
		Message: map[string]string{
			"zh-CN": "该手机号今日获取验证码次数已达上限，请明天再试",
			"en":    "This mobile has had too many codes today. Try again tomorrow.",
		},
		Err: fmt.Errorf("sms: daily limit per mobile"),
	}
}

// ipLimit: ip_hourly_limit codes were requested from this IP this hour.
func ipLimit(wait time.Duration) error {
	m := int((wait + time.Minute - 1) / time.Minute)
	return &connectors.LoginError{
		Code: CodeRateLimited,
		Message: map[string]string{
			"zh-CN": fmt.Sprintf("当前网络获取验证码次数过多，请 %d 分钟后再试", m),
			"en":    fmt.Sprintf("Too many codes were requested from your network. Try again in %d minutes.", m),
		},
		Err: fmt.Errorf("sms: hourly limit per IP (%s left)", wait.Round(time.Second)),
	}
}

// gatewayLimit: the SMS provider refused for flow control (Aliyun's
// isv.BUSINESS_LIMIT_CONTROL).
func gatewayLimit(cause error) error {
	return &connectors.LoginError{
		Code: CodeRateLimited,
		Message: map[string]string{
			"zh-CN": "短信发送过于频繁，请 1 小时后再试",
			"en":    "Too many text messages to this mobile. Try again in an hour.",
		},
		Err: cause,
	}
}

// smsUnavailable answers every request while the provider is failing
// (health.go), registered mobile or not, so it tells nobody apart and
// promises no text that will not come.
func smsUnavailable() error {
	return &connectors.LoginError{
		Code: CodeSMSUnavailable,
		Message: map[string]string{
			"zh-CN": "短信服务暂时不可用，请稍后再试或选择其他登录方式",
			"en":    "Text messages cannot be sent right now. Try again later or choose another way to sign in.",
		},
		Err: fmt.Errorf("sms: provider failing"),
	}
}
