package web

// texts maps a message key to its zh-CN and en text.
var texts = map[string][2]string{
	"title":                 {"住房公积金统一身份认证", "Housing Provident Fund Sign-in"},
	"choose_method":         {"请选择登录方式", "Choose how to sign in"},
	"signing_in_to":         {"正在登录", "Signing in to"},
	"login_user":            {"证件号码或手机号", "ID number or mobile"},
	"login_secret":          {"登录密码（6位数字）", "Password (6 digits)"},
	"submit":                {"登录", "Sign in"},
	"login_mobile":          {"手机号", "Mobile number"},
	"login_code":            {"验证码", "Verification code"},
	"send_code":             {"获取验证码", "Send code"},
	"code_sent":             {"如果该手机号已登记，验证码已发送", "If this mobile is registered, a code has been sent"},
	"other_methods":         {"其他登录方式", "Other sign-in methods"},
	"choose_unit":           {"请选择要办理业务的单位", "Choose the unit you act for"},
	"continue":              {"继续", "Continue"},
	"error_title":           {"无法完成登录", "Sign-in could not be completed"},
	"logged_out":            {"您已安全退出", "You have signed out"},
	"back":                  {"返回", "Back"},
	"lang_switch":           {"English", "中文"},
	"err_invalid_authorize": {"业务系统发来的登录请求无效（客户端未登记或回调地址与登记的不一致），请联系该业务系统的管理员。", "The application sent an invalid sign-in request (unknown client, or a redirect address it did not register). Contact the application's administrator."},
	"err_invalid_request":   {"登录请求无效或已过期，请返回业务系统重新登录。", "The sign-in request is invalid or has expired. Go back to the application and sign in again."},
	"err_browser_mismatch":  {"登录请求是在另一个浏览器中发起的，请在同一浏览器中完成登录。", "This sign-in was started in another browser. Finish it in the browser where it began."},
	"err_csrf":              {"页面已过期，请刷新后重试。", "The page has expired. Reload it and try again."},
	"err_rate_limited":      {"尝试次数过多，请稍后再试。", "Too many attempts. Try again later."},
	"err_no_connector":      {"该业务系统没有可用的登录方式。", "No sign-in method is available for this application."},
	"err_unavailable":       {"服务暂时不可用，请稍后再试。", "The service is temporarily unavailable. Try again shortly."},
	"err_internal":          {"系统错误，请稍后再试。", "Something went wrong. Try again later."},
	"err_no_unit":           {"所选单位无效。", "The chosen unit is not valid."},
	"bind_title":            {"首次登录：绑定经办人账户", "First sign-in: link your agent account"},
	"bind_intro_1":          {"您首次使用", "This is your first sign-in with"},
	"bind_intro_2":          {"登录。请用已登记的经办人账户验证一次身份，之后即可直接登录。", ". Confirm once who you are with your registered agent account; after that this method signs you in directly."},
	"bind_submit":           {"验证并绑定", "Confirm and link"},
	"second_factor_title":   {"证书已验证：请经办人确认密码", "Certificate verified: the agent confirms with their password"},
	"second_factor_intro":   {"请填写本单位经办人的证件号码或手机号及6位登录密码。", "Enter the ID number or mobile and the 6-digit password of an agent of this unit."},
	"second_factor_submit":  {"确认并登录", "Confirm and sign in"},
	"err_invalid_state":     {"登录状态无效或已过期，请返回业务系统重新登录。", "The sign-in state is invalid or has expired. Go back to the application and sign in again."},
	"cert_intro":            {"请插入证书介质（U盾），点击下方按钮，按提示输入证书口令完成签名。", "Insert your certificate key, press the button below and enter its PIN to sign."},
	"cert_sign":             {"使用证书签名登录", "Sign in with my certificate"},
	"cert_mtls":             {"使用浏览器中的证书登录（双向TLS）", "Use a certificate installed in the browser (mutual TLS)"},
	"cert_manual":           {"手工提交（证书与签名）", "Submit by hand (certificate and signature)"},
	"cert_challenge":        {"待签名的挑战值（2分钟内有效）", "Challenge to sign (valid for 2 minutes)"},
	"cert_certificate":      {"证书（PEM或Base64）", "Certificate (PEM or base64)"},
	"cert_signature":        {"签名（Base64，原始签名或PKCS#7）", "Signature (base64, raw or PKCS #7)"},
	"cert_demo_key":         {"演示签名器：选择演示证书私钥与证书文件", "Demo signer: choose the demo key and certificate files"},
	"err_cert_challenge":    {"签名挑战值无效、已使用或已过期，请重新签名。", "The challenge is invalid, already used or expired. Please sign again."},
	"err_no_certificate":    {"浏览器没有提供证书，请确认已安装证书并在提示时选择它。", "The browser presented no certificate. Check that it is installed and choose it when asked."},
	"err_upstream":          {"外部登录服务暂时无法使用，请稍后再试或换一种登录方式。", "The external sign-in service is not available. Try again later or use another method."},
	"err_not_bound":         {"此证书尚未在公积金中心柜台绑定。证书续期或更换后需要重新办理绑定，请携带新证书到柜台办理。", "This certificate has not been bound at the fund's counter. A renewed or replaced certificate must be bound again: bring the new certificate to the counter."},
	"err_no_account":        {"未找到与此身份对应的有效账户，请联系公积金中心。", "No active account matches this identity. Contact the provident fund centre."},
	"err_no_bind_method":    {"没有可用于验证身份的经办人登录方式，请联系公积金中心。", "No agent sign-in method is available to confirm who you are. Contact the provident fund centre."},
	"err_weak_method":       {"该业务系统要求更高安全级别的登录方式。", "This application requires a stronger sign-in method."},
}

// Text returns the message for key in lang ("zh-CN" or "en").
func Text(lang, key string) string {
	t, ok := texts[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return t[1]
	}
	return t[0]
}
