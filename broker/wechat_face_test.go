package broker_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/wechat"
)

// faceStart posts the face login's first step as the mini program does.
func faceStart(t *testing.T, b *bt.Broker, srv interface{ JSCode(string) string }, name, number string) (int, map[string]any, string) {
	t.Helper()
	resp, err := http.PostForm(b.URL+"/connectors/wechat/"+wechat.FaceStartPath, url.Values{"client_id": {miniClient},
		"js_code": {srv.JSCode(wxMP)}, "name": {name}, "id_type": {"resident_id"}, "id_number": {number}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&raw)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out, string(raw)
}

// TestWeChatFaceLogin: 人脸识别一键登录 end to end through the mini-program
// token exchange against the fake: the verified identity links to the
// existing person with that ID number without a binding page, amr [face],
// acr gjj:loa:2, acting for their one unit; the handle is single use and
// a refused face check is a specific error.
func TestWeChatFaceLogin(t *testing.T) {
	backendsWith(t, func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker) {
		srv := newWeChat(t)
		b := start(t, withWeChat(t, srv, wechat.ScopeBase))

		status, out, raw := faceStart(t, b, srv, bt.AgentName, bt.AgentIDNumber)
		if status != http.StatusOK || out["verify_id"] == nil || out["face_handle"] == nil || strings.Contains(raw, bt.AgentIDNumber) {
			t.Fatalf("face start: %d %s", status, raw)
		}
		handle := out["face_handle"].(string)
		face := url.Values{"subject_token_type": {wechat.FaceTokenType}}
		status, out = jsCodeExchange(t, b.URL, miniClient, handle+"."+srv.JSCode(wxMP), face)
		if status != http.StatusOK {
			t.Fatalf("face exchange: %d %v", status, out)
		}
		c := jwtClaims(t, out["access_token"].(string))
		amr, _ := c["amr"].([]any)
		if c["acr"] != wechat.FaceACR || len(amr) != 1 || amr[0] != wechat.AMRFace || c["unit_id"] != bt.UnitID || c["idp"] != "wechat" {
			t.Fatalf("access token claims %v", c)
		}
		// The same person as a password login.
		_, _, claims := login(t, b, bt.NewRP(t, b.URL), bt.NewBrowser(t))
		if c["sub"] != claims["sub"] {
			t.Fatalf("face login as %v, want the agent %v", c["sub"], claims["sub"])
		}

		// Single use.
		status, out = jsCodeExchange(t, b.URL, miniClient, handle+"."+srv.JSCode(wxMP), face)
		if status != http.StatusBadRequest || out["error"] != "invalid_grant" {
			t.Fatalf("reused handle: %d %v", status, out)
		}
		// The user cancels the face check.
		_, out, _ = faceStart(t, b, srv, bt.AgentName, bt.AgentIDNumber)
		srv.FaceResult(90003)
		status, out = jsCodeExchange(t, b.URL, miniClient, out["face_handle"].(string)+"."+srv.JSCode(wxMP), face)
		if status != http.StatusBadRequest || !strings.Contains(out["error_description"].(string), "cancelled") {
			t.Fatalf("cancelled: %d %v", status, out)
		}
		srv.FaceResult(wechat.VerifyRetOK)
		// Only resident ID numbers.
		if status, _, raw := faceStart(t, b, srv, bt.AgentName, "510107199003071237"); status != http.StatusBadRequest || !slices.Contains([]string{wechat.CodeFaceInvalid}, mustCode(raw)) {
			t.Fatalf("invalid ID number: %d %s", status, raw)
		}
		// Starts per ID number are limited (two so far): the sixth in an
		// hour is 429, whatever WeChat would say.
		for i := 3; i <= wechat.DefaultFaceStartsPerID; i++ {
			if status, _, raw := faceStart(t, b, srv, bt.AgentName, bt.AgentIDNumber); status != http.StatusOK {
				t.Fatalf("start %d: %d %s", i, status, raw)
			}
		}
		if status, _, raw := faceStart(t, b, srv, bt.AgentName, bt.AgentIDNumber); status != http.StatusTooManyRequests || mustCode(raw) != "rate_limited" {
			t.Fatalf("start beyond the limit: %d %s", status, raw)
		}
	})
}

func mustCode(raw string) string {
	var out struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal([]byte(raw), &out)
	return out.Code
}

// A face login of an ID number the broker does not know is refused,
// unless the connector allows creating the person (face_creates_persons).
func TestWeChatFaceLoginUnknownPerson(t *testing.T) {
	t.Parallel()
	const name, number = "王五", "11010519491231002X"
	for _, creates := range []bool{false, true} {
		srv := newWeChat(t)
		opts := withWeChat(t, srv, wechat.ScopeBase)
		if creates {
			edit := opts.Edit
			opts.Edit = func(c *config.Config) {
				edit(c)
				cn := &c.Connectors[len(c.Connectors)-1]
				cn.Config.Content = append(cn.Config.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "face_creates_persons"},
					&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
			}
		}
		b := bt.Start(t, opts)
		_, out, raw := faceStart(t, b, srv, name, number)
		if out["face_handle"] == nil {
			t.Fatalf("face start: %s", raw)
		}
		status, out := jsCodeExchange(t, b.URL, miniClient, out["face_handle"].(string)+"."+srv.JSCode(wxMP),
			url.Values{"subject_token_type": {wechat.FaceTokenType}})
		switch {
		case !creates && (status != http.StatusBadRequest || out["error"] != "invalid_grant"):
			t.Fatalf("unknown person without face_creates_persons: %d %v", status, out)
		case creates && status != http.StatusOK:
			t.Fatalf("unknown person with face_creates_persons: %d %v", status, out)
		}
	}
}
