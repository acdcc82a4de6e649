package web

// qrTexts are the texts of the QR login page (qr.html, static/qr.js). They
// join texts at start-up, kept apart so the QR page's wording lives in one
// place.
var qrTexts = map[string][2]string{
	"qr_instructions": {"请打开公积金App，扫描下方二维码", "Open the fund's app and scan this QR code"},
	"qr_alt":          {"扫码登录二维码", "Sign-in QR code"},
	"qr_image_link":   {"单独打开二维码图片", "Open the QR code image"},
	"qr_waiting":      {"等待扫码…", "Waiting for a scan…"},
	"qr_scanned":      {"{name} 已扫码，请在App中确认登录", "Scanned by {name}. Confirm the sign-in in the app."},
	"qr_confirmed":    {"已确认，正在登录…", "Confirmed. Signing you in…"},
	"qr_cancelled":    {"已在App中取消登录", "The sign-in was cancelled in the app."},
	"qr_expired":      {"二维码已过期", "The QR code has expired."},
	"qr_consumed":     {"该二维码已用于登录", "This QR code has been used to sign in."},
	"qr_retrying":     {"连接中断，正在重试…", "Connection lost. Retrying…"},
	"qr_refresh":      {"刷新二维码", "Refresh the QR code"},
	"qr_check":        {"核对App中显示的网站与您正在登录的是否一致；不是您本人发起的登录请勿确认。", "Check that the app shows the site you are signing in to. Never confirm a sign-in you did not start."},
	"qr_noscript":     {"扫码登录需要启用 JavaScript 以显示实时状态，请启用后刷新，或选择其他登录方式。", "Signing in by QR code needs JavaScript for the live status. Enable it and reload, or choose another sign-in method."},
}

func init() {
	for k, v := range qrTexts {
		texts[k] = v
	}
}
