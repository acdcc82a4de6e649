package wechat_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
	"github.com/gjjid/gjjid/connectors/wechat"
	"github.com/gjjid/gjjid/connectors/wechat/wechattest"
)

const (
	faceName   = "张三"
	faceNumber = "510107199003071236"
)

type faceSetup struct {
	c    *wechat.Connector
	srv  *wechattest.Server
	host *connectorstest.Host
	logs *recorder
}

func openFace(t *testing.T) faceSetup {
	t.Helper()
	srv := wechattest.NewServer(wechattest.App{ID: mpApp, Secret: mpSecret, Kind: wechattest.MiniProgram})
	t.Cleanup(srv.Close)
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(fmt.Sprintf("mini_program: {app_id: %s, app_secret: %s, client_ids: [mp]}\napi_url: %s\n", mpApp, mpSecret, srv.APIURL())), &n); err != nil {
		t.Fatal(err)
	}
	host, logs := connectorstest.New(), &recorder{}
	deps := host.Deps()
	deps.Logger = logs
	c, err := wechat.Open(connectors.Spec{ID: "wechat", Type: wechat.Type, Config: n, Path: "connectors[0].config"}, deps)
	if err != nil {
		t.Fatal(err)
	}
	return faceSetup{c, srv, host, logs}
}

func (s faceSetup) start(t *testing.T) wechat.FaceStart {
	t.Helper()
	st, err := s.c.StartFace(context.Background(), "mp", s.srv.JSCode(mpApp), faceName, faceNumber)
	if err != nil || st.VerifyID == "" || st.Handle == "" || st.ExpiresIn <= 0 {
		t.Fatalf("start: %+v %v", st, err)
	}
	return st
}

func (s faceSetup) finish(handle string) (connectors.Identity, error) {
	return s.c.FinishFace(context.Background(), "mp", handle, s.srv.JSCode(mpApp))
}

func faceCode(err error) string {
	if le, ok := connectors.AsLoginError(err); ok {
		return le.Code
	}
	return fmt.Sprint(err)
}

func TestFaceLoginVerifiesOnce(t *testing.T) {
	t.Parallel()
	s := openFace(t)
	st := s.start(t)
	id, err := s.finish(st.Handle)
	if err != nil {
		t.Fatal(err)
	}
	if id.Kind != connectors.KindPerson || id.Name != "" || id.Claims["id_number"] != faceNumber || id.Claims["id_type"] != "resident_id" ||
		id.LinkPolicy != connectors.LinkAuto || len(id.AMR) != 1 || id.AMR[0] != wechat.AMRFace || id.ACR != wechat.FaceACR {
		t.Fatalf("identity %+v", id)
	}
	// Single use.
	if _, err := s.finish(st.Handle); faceCode(err) != wechat.CodeFaceUsed {
		t.Fatalf("second exchange of the handle: %v", err)
	}
	// The mini program's access_token is cached: one stable_token for two
	// calls and a second login.
	s.finish(s.start(t).Handle)
	if n := s.srv.Calls(wechat.PathStableToken); n != 1 {
		t.Errorf("stable_token called %d times, want 1 (cached until expiry)", n)
	}
	if strings.Contains(s.logs.String(), faceNumber) {
		t.Errorf("the ID number reached the log:\n%s", s.logs)
	}
}

func TestFaceLoginRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ret  int
		want string
	}{
		{"cancelled", 90003, wechat.CodeFaceCancelled},
		{"timed out", 90017, wechat.CodeFaceTimeout},
		{"invalid face", 90011, wechat.CodeFaceFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := openFace(t)
			st := s.start(t)
			s.srv.FaceResult(tc.ret)
			if _, err := s.finish(st.Handle); faceCode(err) != tc.want {
				t.Fatalf("verify_ret %d: %v, want %s", tc.ret, err, tc.want)
			}
		})
	}
	t.Run("another WeChat user finishes", func(t *testing.T) {
		t.Parallel()
		s := openFace(t)
		st := s.start(t)
		s.srv.As(wechattest.User{Key: "user-2"})
		if _, err := s.finish(st.Handle); faceCode(err) != wechat.CodeFaceWrongUser {
			t.Fatalf("%v", err)
		}
	})
	t.Run("expired", func(t *testing.T) {
		t.Parallel()
		s := openFace(t)
		st := s.start(t)
		s.host.Advance(st.ExpiresIn + time.Second)
		if _, err := s.finish(st.Handle); faceCode(err) != wechat.CodeFaceExpired {
			t.Fatalf("%v", err)
		}
	})
	t.Run("unknown handle", func(t *testing.T) {
		t.Parallel()
		s := openFace(t)
		if _, err := s.finish("nosuchhandle"); faceCode(err) != wechat.CodeFaceExpired {
			t.Fatalf("%v", err)
		}
	})
	t.Run("not a resident ID number", func(t *testing.T) {
		t.Parallel()
		s := openFace(t)
		if _, err := s.c.StartFace(context.Background(), "mp", s.srv.JSCode(mpApp), faceName, "510107199003071237"); faceCode(err) != wechat.CodeFaceInvalid {
			t.Fatalf("%v", err)
		}
	})
	t.Run("another client", func(t *testing.T) {
		t.Parallel()
		s := openFace(t)
		if _, err := s.c.StartFace(context.Background(), "web", s.srv.JSCode(mpApp), faceName, faceNumber); faceCode(err) != wechat.CodeNotServed {
			t.Fatalf("%v", err)
		}
	})
	t.Run("not the citizen", func(t *testing.T) {
		t.Parallel()
		s := openFace(t)
		s.srv.Citizen("李四", "440106198511204569")
		st := s.start(t)
		if _, err := s.finish(st.Handle); faceCode(err) != wechat.CodeFaceFailed {
			t.Fatalf("%v", err)
		}
	})
}
