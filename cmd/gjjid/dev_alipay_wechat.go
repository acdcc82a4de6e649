package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/alipay"
	"github.com/gjjid/gjjid/connectors/alipay/alipaytest"
	"github.com/gjjid/gjjid/connectors/wechat"
	"github.com/gjjid/gjjid/connectors/wechat/wechattest"
)

// Demo upstream apps of `gjjid dev` (fakes on loopback; keys and secrets
// generated at every start).
const (
	DemoAlipayAppID      = "2021000000000001"
	DemoWeChatWebsite    = "wx000000000000dev1"
	DemoWeChatOA         = "wx000000000000dev2"
	DemoWeChatMini       = "wx000000000000dev3"
	DemoMiniProgramID    = "demo-miniprogram"
	devWeChatSecretBytes = 16
)

// devAlipayWeChat starts the in-tree Alipay and WeChat fakes on loopback and
// adds connectors pointing at them (and the mini program's public client)
// to cfg, so the 支付宝 and 微信 buttons work with no external account.
// Both log in as the demo users of the fakes, who are not linked yet: the
// first login goes through the binding page. stop closes the fakes.
func devAlipayWeChat(cfg *config.Config) (stop func(), banner string, err error) {
	appKey := alipaytest.GenerateKey()
	ali := alipaytest.NewServer(alipaytest.Options{AppID: DemoAlipayAppID, AppKey: &appKey.PublicKey})
	secret := func() string { return devRandomHex(devWeChatSecretBytes) }
	webSecret, oaSecret, mpSecret := secret(), secret(), secret()
	wx := wechattest.NewServer(wechattest.App{ID: DemoWeChatWebsite, Secret: webSecret, Kind: wechattest.Website},
		wechattest.App{ID: DemoWeChatOA, Secret: oaSecret, Kind: wechattest.OfficialAccount},
		wechattest.App{ID: DemoWeChatMini, Secret: mpSecret, Kind: wechattest.MiniProgram})
	// 人脸识别一键登录: the fake verifies the demo agent's face only.
	wx.Citizen(DemoAgentName, DemoAgentID)
	stop = func() { ali.Close(); wx.Close() }
	node := func(s string) (yaml.Node, error) {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(s), &n); err != nil {
			return n, err
		}
		return *n.Content[0], nil
	}
	aliCfg, err := node(fmt.Sprintf("app_id: %q\nprivate_key: %q\nalipay_public_key: %q\nauthorize_url: %s\ngateway_url: %s\n",
		DemoAlipayAppID, alipaytest.PrivateKeyPEM(appKey), ali.AlipayPublicKeyPEM(), ali.AuthorizeURL(), ali.GatewayURL()))
	if err != nil {
		stop()
		return nil, "", err
	}
	wxCfg, err := node(fmt.Sprintf(`website: {app_id: %s, app_secret: %s}
official_account: {app_id: %s, app_secret: %s, scope: snsapi_userinfo}
mini_program: {app_id: %s, app_secret: %s, client_ids: [%s]}
open_url: %s
api_url: %s
`, DemoWeChatWebsite, webSecret, DemoWeChatOA, oaSecret, DemoWeChatMini, mpSecret, DemoMiniProgramID, wx.OpenURL(), wx.APIURL()))
	if err != nil {
		stop()
		return nil, "", err
	}
	cfg.Connectors = append(cfg.Connectors,
		config.Connector{ID: "alipay", Type: alipay.Type, Name: "支付宝登录", NameEN: "Alipay", Config: aliCfg},
		config.Connector{ID: "wechat", Type: wechat.Type, Name: "微信登录", NameEN: "WeChat", Config: wxCfg})
	cfg.Clients = append(cfg.Clients, config.Client{ID: DemoMiniProgramID, Name: "住房公积金小程序", Public: true, AuthMethod: "none",
		ApplicationType: "native", GrantTypes: []string{"urn:ietf:params:oauth:grant-type:token-exchange"}})
	banner = fmt.Sprintf(`  alipay            fake Alipay at %s (signs in as %s; first login binds to an agent)
  wechat            fake WeChat at %s (website QR; inside WeChat: official account)
  mini program      %s  (public; token exchange of a js_code: curl -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange
                    -d client_id=%s -d subject_token_type=%s -d subject_token=$(curl -s %s/dev/js_code?appid=%s) …/oauth/token)
  face login        POST …/connectors/wechat/%s (client_id, js_code, name, id_type=resident_id, id_number of the demo agent)
                    gives face_handle; then exchange "<face_handle>.<new js_code>" as subject_token_type %s
`, ali.URL, alipaytest.DefaultUser.NickName, wx.URL, DemoMiniProgramID, DemoMiniProgramID, wechat.SubjectTokenType, wx.URL, DemoWeChatMini,
		wechat.FaceStartPath, wechat.FaceTokenType)
	return stop, banner, nil
}

// printDevAlipayWeChat writes the fakes' banner lines.
func printDevAlipayWeChat(w io.Writer, banner string) { fmt.Fprint(w, banner) }

func devRandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
