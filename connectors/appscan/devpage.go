package appscan

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
)

// The simulated app (dev_app_page, which only `gjjid dev` sets): /dev/app
// lists the QR codes this instance showed lately and scans, confirms or
// cancels them as dev_app_user, through the same steps as the app API
// (without a token), so a newcomer can try QR login with two browser tabs.
const devPath = "/dev/app"

// devRecentMax bounds the sessions the dev page lists.
const devRecentMax = 20

func (c *Connector) devRemember(id string) {
	c.devMu.Lock()
	defer c.devMu.Unlock()
	c.devRecent = append(c.devRecent, id)
	if len(c.devRecent) > devRecentMax {
		c.devRecent = slices.Delete(c.devRecent, 0, len(c.devRecent)-devRecentMax)
	}
}

// devSession is the simulated app's login of dev_app_user.
func (c *Connector) devSession(ctx context.Context) (appSession, error) {
	p, err := c.svc.FindByLogin(ctx, c.cfg.DevAppUser)
	if err != nil {
		return appSession{}, err
	}
	tok := connectors.AccessToken{Subject: p.PersonID, ClientID: "dev-app", Grant: "dev-app", AMR: []string{"pwd"}, ACR: c.cfg.ACR}
	return appSession{token: tok, person: p, id: appSessionID(tok)}, nil
}

type devRow struct {
	ID, Short, State, Client, IP, UserAgent, Scanner string
	ExpiresIn                                        int
	CanScan, CanDecide                               bool
}

func (c *Connector) devPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, err := c.devSession(ctx)
	if err != nil {
		http.Error(w, "dev_app_user "+c.cfg.DevAppUser+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	c.devMu.Lock()
	recent := slices.Clone(c.devRecent)
	c.devMu.Unlock()
	slices.Reverse(recent)
	now := c.now()
	var rows []devRow
	for _, id := range recent {
		s, err := c.svc.GetQR(ctx, id)
		if err != nil {
			continue
		}
		req, err := decodeRequest(s)
		if err != nil {
			continue
		}
		st := c.state(s)
		row := devRow{ID: id, Short: short(id), State: st, Client: req.ClientID, IP: req.RemoteIP, UserAgent: req.UserAgent,
			ExpiresIn: max(0, int(s.ExpiresAt.Sub(now)/time.Second)), CanScan: st == connectors.CrossDeviceWaiting,
			CanDecide: st == connectors.CrossDeviceScanned && s.AppSession == a.id}
		if name, err := c.svc.ClientName(ctx, req.ClientID); err == nil && name != "" {
			row.Client = name
		}
		if sc, ok := decodeScan(s); ok {
			row.Scanner = sc.Masked
		}
		rows = append(rows, row)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = devTemplate.Execute(w, map[string]any{"User": ids.MaskName(a.person.Name), "Login": c.cfg.DevAppUser,
		"Rows": rows, "Message": r.URL.Query().Get("msg"), "Path": devPath})
}

func (c *Connector) devAction(w http.ResponseWriter, r *http.Request) {
	// Same-origin forms only: another site must not drive the simulated app.
	if msg := devCrossOrigin(r); msg != "" {
		http.Error(w, msg, http.StatusForbidden)
		return
	}
	ctx := r.Context()
	a, err := c.devSession(ctx)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	a.ip, a.userAgent = remoteIP(r), r.UserAgent()
	id := r.PostFormValue("qr")
	var aerr *apiError
	switch action := r.PathValue("action"); action {
	case "scan":
		_, aerr = c.scan(ctx, id, a)
	case "confirm":
		aerr = c.decide(ctx, id, a, connectors.CrossDeviceConfirmed, action)
	case "cancel":
		aerr = c.decide(ctx, id, a, connectors.CrossDeviceCancelled, action)
	default:
		http.NotFound(w, r)
		return
	}
	msg := r.PathValue("action") + " " + short(id) + ": ok"
	if aerr != nil {
		msg = r.PathValue("action") + " " + short(id) + ": " + aerr.Code + " (" + aerr.Description + ")"
	}
	http.Redirect(w, r, devPath+"?msg="+url.QueryEscape(msg), http.StatusSeeOther)
}

var devTemplate = template.Must(template.New("dev").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="3">
<title>模拟公积金App（开发用）</title><link rel="stylesheet" href="/static/gjjid.css"></head>
<body><header><span>模拟公积金App · simulated app (gjjid dev only)</span></header><main>
<h1>扫码登录</h1>
<p class="sub">已登录 / signed in as <strong id="dev-user">{{.User}}</strong> ({{.Login}})</p>
{{if .Message}}<div class="notice" id="dev-message" role="status">{{.Message}}</div>{{end}}
{{if not .Rows}}<p id="dev-empty">还没有二维码。在另一个标签页打开登录页并选择扫码登录。<br>No QR codes yet: open the login page in another tab and choose the QR login.</p>{{end}}
<ul class="units" id="dev-sessions">{{range .Rows}}
<li data-qr="{{.ID}}"><strong>{{.Short}}</strong> · <span class="state">{{.State}}</span>{{if .Scanner}} · {{.Scanner}}{{end}} · {{.ExpiresIn}}s<br>
{{.Client}} · {{.IP}}<br><small>{{.UserAgent}}</small>
{{if .CanScan}}<form method="post" action="{{$.Path}}/scan"><input type="hidden" name="qr" value="{{.ID}}"><button type="submit" class="scan">扫码 / scan</button></form>{{end}}
{{if .CanDecide}}<form method="post" action="{{$.Path}}/confirm"><input type="hidden" name="qr" value="{{.ID}}"><button type="submit" class="confirm">确认登录 / confirm</button></form>
<form method="post" action="{{$.Path}}/cancel"><input type="hidden" name="qr" value="{{.ID}}"><button type="submit" class="btn secondary cancel">取消 / cancel</button></form>{{end}}
</li>{{end}}</ul>
</main></body></html>`))

// devCrossOrigin returns why a form post to the simulated app is refused,
// or "" for a same-origin one. The browser's Sec-Fetch-Site decides when it
// sends one: under the broker's Referrer-Policy: no-referrer Chromium posts
// a same-origin form with Origin: null, so Origin is judged only by
// browsers that send no Sec-Fetch-Site.
func devCrossOrigin(r *http.Request) string {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin":
		return ""
	case "":
	default:
		return "cross-site request refused"
	}
	if o := r.Header.Get("Origin"); o != "" {
		if u, err := url.Parse(o); err != nil || u.Host != r.Host {
			return "cross-origin request refused"
		}
	}
	return ""
}
