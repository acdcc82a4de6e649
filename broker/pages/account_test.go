package pages_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors/appscan"

	"github.com/gjjid/gjjid/broker/audit"
	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/pages"
)

// TestAccountChangesPassword: the demo agent changes their password on
// 我的账号 (old one checked as a login is, the new one under the agent
// password rules) and signs in with the new one; the change is audited.
func TestAccountChangesPassword(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{})
	br := signIn(t, b, "/account", bt.AgentIDNumber, bt.AgentPassword)
	for _, want := range []string{"我的账号", bt.AgentName, "510***********1236", bt.UnitName} {
		if !strings.Contains(br.Page, want) {
			t.Errorf("account page lacks %q", want)
		}
	}
	token := csrf(t, br)
	for _, tc := range []struct{ name, old, pw, pw2, want string }{
		{"wrong old password", "999999", "582913", "582913", "密码错误"},
		{"weak new password", bt.AgentPassword, "111111", "111111", "不能全部相同"},
		{"passwords differ", bt.AgentPassword, "582913", "582914", "两次输入的登录密码不一致"},
	} {
		code, body, _ := post(t, br, b.URL+"/account/password", url.Values{"csrf": {token}, "old_password": {tc.old}, "password": {tc.pw}, "password2": {tc.pw2}}, nil)
		if code != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("%s: status %d, want 400 with %q: %.2500s", tc.name, code, tc.want, body)
		}
	}
	if _, err := br.Post(b.URL+"/account/password", url.Values{"csrf": {token}, "old_password": {bt.AgentPassword}, "password": {"582913"}, "password2": {"582913"}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(br.Page, "登录密码已修改") {
		t.Fatalf("after the change: status %d: %.2000s", br.Last, br.Page)
	}
	if unit, err := agentLogin(t, b, bt.AgentIDNumber, "582913"); err != nil || unit != bt.UnitID {
		t.Errorf("login with the new password: %q %v", unit, err)
	}
	evs, _, err := b.Audit.Query(context.Background(), audit.Query{Type: pages.AccountChange})
	if err != nil || len(evs) != 2 || evs[0].Outcome != audit.Failure || evs[1].Outcome != audit.Success {
		t.Errorf("audit of password changes: %+v %v", evs, err)
	}
}

// TestAccountPasswordLockout: wrong old passwords count as failed logins;
// the login locks and even the right old password is refused then.
func TestAccountPasswordLockout(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{})
	br := signIn(t, b, "/account", bt.AgentIDNumber, bt.AgentPassword)
	token := csrf(t, br)
	for range 6 {
		_, _, _ = post(t, br, b.URL+"/account/password", url.Values{"csrf": {token}, "old_password": {"999999"}, "password": {"582913"}, "password2": {"582913"}}, nil)
	}
	_, body, _ := post(t, br, b.URL+"/account/password", url.Values{"csrf": {token}, "old_password": {bt.AgentPassword}, "password": {"582913"}, "password2": {"582913"}}, nil)
	if !strings.Contains(body, "锁定") {
		t.Errorf("after repeated wrong passwords the right one was not refused as locked: %.2000s", body)
	}
	if _, err := agentLogin(t, b, bt.AgentIDNumber, "582913"); err == nil {
		t.Error("the password changed while locked")
	}
}

// TestAccountUnlinks: the demo agent unlinks their WeChat link on 我的账号;
// another person's link in the same form is refused, audited, and stays.
func TestAccountUnlinks(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{})
	ctx := context.Background()
	me, err := b.Accounts.FindByIDNumber(ctx, "resident_id", bt.AgentIDNumber)
	if err != nil {
		t.Fatal(err)
	}
	other, err := b.Accounts.FindByIDNumber(ctx, "resident_id", bt.Agent2IDNumber)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []accounts.NewLink{
		{Connector: "wechat", Subject: "o_mine", Kind: store.LinkPerson, PersonID: me.ID, Label: "微信用户", CreatedBy: "self-bind"},
		{Connector: "wechat", Subject: "o_theirs", Kind: store.LinkPerson, PersonID: other.ID, Label: "微信用户", CreatedBy: "self-bind"},
	} {
		if _, err := b.Accounts.CreateLink(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	br := signIn(t, b, "/account", bt.AgentIDNumber, bt.AgentPassword)
	if !strings.Contains(br.Page, "解除绑定 wechat") {
		t.Fatalf("account page lists no WeChat link: %.3000s", br.Page)
	}
	token := csrf(t, br)
	code, body, _ := post(t, br, b.URL+"/account/links/remove", url.Values{"csrf": {token}, "connector": {"wechat"}, "subject": {"o_theirs"}}, nil)
	if code != http.StatusForbidden || !strings.Contains(body, "这不是您的登录方式") {
		t.Errorf("unlinking another's link: status %d: %.1500s", code, body)
	}
	if _, err := b.Accounts.GetLink(ctx, "wechat", "o_theirs"); err != nil {
		t.Errorf("another person's link is gone: %v", err)
	}
	if _, err := br.Post(b.URL+"/account/links/remove", url.Values{"csrf": {token}, "connector": {"wechat"}, "subject": {"o_mine"}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(br.Page, "已解除绑定") {
		t.Errorf("after unlinking: %.1500s", br.Page)
	}
	if _, err := b.Accounts.GetLink(ctx, "wechat", "o_mine"); err == nil {
		t.Error("the link is still there")
	}
	evs, _, err := b.Audit.Query(ctx, audit.Query{Type: audit.AccessDenied})
	if err != nil || !slices.ContainsFunc(evs, func(e audit.Event) bool { return e.Reason == "not_own_link" }) {
		t.Errorf("the refused unlink was not audited: %+v %v", evs, err)
	}
}

// TestAccountSignOutEverywhere: "退出所有设备" in one browser ends the page
// session and the SSO session in another; both must sign in again.
func TestAccountSignOutEverywhere(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{})
	br1 := signIn(t, b, "/account", bt.AgentIDNumber, bt.AgentPassword)
	br2 := signIn(t, b, "/account", bt.AgentIDNumber, bt.AgentPassword)
	time.Sleep(1100 * time.Millisecond) // auth_time has whole seconds
	if _, err := br1.Post(b.URL+"/account/signout-all", url.Values{"csrf": {csrf(t, br1)}}); err != nil {
		t.Fatal(err)
	}
	for i, br := range []*bt.Browser{br1, br2} {
		if _, err := br.Get(b.URL + "/account"); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(br.Page, `name="secret"`) {
			t.Errorf("browser %d still signed in after signing out everywhere: %.1000s", i+1, br.Page)
		}
	}
	evs, _, err := b.Audit.Query(context.Background(), audit.Query{Type: audit.TokenRevoke})
	if err != nil || len(evs) != 1 || evs[0].Reason != "sign_out_everywhere" {
		t.Errorf("audit: %+v %v", evs, err)
	}
	br3 := signIn(t, b, "/account", bt.AgentIDNumber, bt.AgentPassword)
	if !strings.Contains(br3.Page, "我的账号") {
		t.Errorf("a new sign-in after signing out everywhere: %.1000s", br3.Page)
	}
}

// TestSignOut: 退出 ends the page session and the broker's SSO session:
// the next visit asks for a login again.
func TestSignOut(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{})
	br := signIn(t, b, "/account", bt.AgentIDNumber, bt.AgentPassword)
	if _, err := br.Post(b.URL+"/pages/signout", url.Values{"csrf": {csrf(t, br)}}); err != nil {
		t.Fatal(err)
	}
	if br.Last != http.StatusOK || !strings.Contains(br.Page, "您已安全退出") {
		t.Errorf("after signing out: status %d: %.1000s", br.Last, br.Page)
	}
	if _, err := br.Get(b.URL + "/account"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(br.Page, `name="secret"`) {
		t.Errorf("still signed in after signing out: %.1000s", br.Page)
	}
}

var sessionItem = regexp.MustCompile(`(?s)<li><span>([^<]*)(<strong>[^<]*</strong>)?.*?name="session" value="([^"]+)"`)

// TestAccountSignsOutOneSession: 我的账号 lists the person's signed-in
// devices (this one marked) and signs out one of them: that browser's SSO
// session ends (its next login asks for the password again), the others
// stay; a session reference that is not the person's changes nothing.
func TestAccountSignsOutOneSession(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{})
	other := bt.NewBrowser(t)
	if _, err := agentLoginWith(t, b, other, bt.AgentIDNumber, bt.AgentPassword); err != nil {
		t.Fatalf("sign in on the other device: %v", err)
	}
	br := signIn(t, b, "/account", bt.AgentIDNumber, bt.AgentPassword)
	type item struct {
		ref     string
		current bool
	}
	list := func() []item {
		var out []item
		for _, m := range sessionItem.FindAllStringSubmatch(br.Page, -1) {
			out = append(out, item{ref: m[3], current: m[2] != ""})
		}
		return out
	}
	items := list()
	if len(items) != 2 || items[0].current == items[1].current {
		t.Fatalf("sessions listed %+v, want two, one of them this device: %.3000s", items, br.Page)
	}
	otherRef := items[0].ref
	if items[0].current {
		otherRef = items[1].ref
	}
	token := csrf(t, br)

	code, body, _ := post(t, br, b.URL+"/account/sessions/signout", url.Values{"csrf": {token}, "session": {"not-a-session-of-yours"}}, nil)
	if code != http.StatusBadRequest || !strings.Contains(body, "未做任何修改") {
		t.Fatalf("unknown session: %d %.1500s", code, body)
	}
	if _, err := br.Post(b.URL+"/account/sessions/signout", url.Values{"csrf": {token}, "session": {otherRef}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(br.Page, "已退出该设备上的登录") {
		t.Fatalf("after signing out the other device: %d %.2000s", br.Last, br.Page)
	}
	if items := list(); len(items) != 1 || !items[0].current {
		t.Fatalf("after signing out the other device the list is %+v", items)
	}
	// The other browser's next login asks for the password again.
	if _, err := other.Get(bt.NewRP(t, b.URL).NewFlow().URL); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(other.Page, `name="secret"`) {
		t.Fatalf("the signed-out device still has its SSO session: %d %.500s", other.Last, other.Page)
	}
	evs, _, err := b.Audit.Query(context.Background(), audit.Query{Type: pages.AccountChange})
	if err != nil || !slices.ContainsFunc(evs, func(e audit.Event) bool { return e.Action == "sessions.signout" }) {
		t.Fatalf("no sessions.signout audit event: %+v %v", evs, err)
	}
}

// TestAccountForgetsDevice: a device key the demo agent's app registered
// is listed on 我的账号 and forgotten there: the app API no longer knows it
// (so its signatures are refused). Another person's key named in the form changes
// nothing.
func TestAccountForgetsDevice(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{Edit: bt.WithAppScan("require_device_signature: true\n")})
	register := func(app *bt.App) (string, *ecdsa.PrivateKey) {
		t.Helper()
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		spki, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
		kid := appscan.DeviceKeyID(spki)
		at := time.Now()
		nonce := "nonce-" + kid[:12]
		h := sha256.Sum256(appscan.SignedMessage("", "register", nonce, at.Unix()))
		sig, _ := ecdsa.SignASN1(rand.Reader, key, h[:])
		code, body := app.Post(t, "/api/v1/qr/devices", `{"public_key":"`+base64.StdEncoding.EncodeToString(spki)+`"}`,
			map[string]string{"Gjjid-Device-Key": kid, "Gjjid-Device-Nonce": nonce, "Gjjid-Device-Time": strconv.FormatInt(at.Unix(), 10),
				"Gjjid-Device-Signature": base64.StdEncoding.EncodeToString(sig)})
		if code != http.StatusCreated {
			t.Fatalf("register a device key: %d %v", code, body)
		}
		return kid, key
	}
	app := bt.AppLogin(t, b.URL, bt.AgentIDNumber, bt.AgentPassword)
	mine, _ := register(app)
	theirs, _ := register(bt.AppLogin(t, b.URL, bt.Agent2IDNumber, bt.Agent2Password))

	br := signIn(t, b, "/account", bt.AgentIDNumber, bt.AgentPassword)
	if !strings.Contains(br.Page, mine) || strings.Contains(br.Page, theirs) {
		t.Fatalf("the account page should list the agent's device key only: %.3000s", br.Page)
	}
	token := csrf(t, br)
	code, body, _ := post(t, br, b.URL+"/account/devices/forget", url.Values{"csrf": {token}, "device": {theirs}}, nil)
	if code != http.StatusBadRequest || !strings.Contains(body, "未做任何修改") {
		t.Fatalf("forgetting another person's device: %d %.1500s", code, body)
	}
	if _, err := br.Post(b.URL+"/account/devices/forget", url.Values{"csrf": {token}, "device": {mine}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(br.Page, "已移除该设备") || strings.Contains(br.Page, "<code>"+mine+"</code>") {
		t.Fatalf("after forgetting the device: %d %.3000s", br.Last, br.Page)
	}
	// The app's key is gone (the app API no longer knows it); the other
	// person's key still stands.
	if code, body := app.Do(t, http.MethodDelete, "/api/v1/qr/devices/"+mine, "", nil); code != http.StatusNotFound {
		t.Fatalf("the forgotten key is still registered: %d %v", code, body)
	}
	other := signIn(t, b, "/account", bt.Agent2IDNumber, bt.Agent2Password)
	if !strings.Contains(other.Page, theirs) {
		t.Fatalf("the other person's device key went too: %.3000s", other.Page)
	}
	evs, _, err := b.Audit.Query(context.Background(), audit.Query{Type: pages.AccountChange})
	if err != nil || !slices.ContainsFunc(evs, func(e audit.Event) bool { return e.Action == "devices.forget" }) {
		t.Fatalf("no devices.forget audit event: %+v %v", evs, err)
	}
}
