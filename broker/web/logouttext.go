package web

// logoutTexts are the texts of the logged-out page's front-channel logout.
var logoutTexts = map[string][2]string{
	"logout_frames": {"正在通知您登录过的业务系统退出…", "Signing you out of the applications you used…"},
}

func init() {
	for k, v := range logoutTexts {
		texts[k] = v
	}
}
