package wechat_test

import (
	"context"
	"errors"
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
	logs *connectorstest.Logs
}

func openFace(t *testing.T) faceSetup {
	t.Helper()
	return openFaceWith(t, "")
}

// openFaceWith opens the connector with extra lines of configuration.
func openFaceWith(t *testing.T, extra string) faceSetup {
	t.Helper()
	srv := wechattest.NewServer(wechattest.App{ID: mpApp, Secret: mpSecret, Kind: wechattest.MiniProgram})
	t.Cleanup(srv.Close)
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(fmt.Sprintf("mini_program: {app_id: %s, app_secret: %s, client_ids: [mp]}\napi_url: %s\n%s", mpApp, mpSecret, srv.APIURL(), extra)), &n); err != nil {
		t.Fatal(err)
	}
	host, logs := connectorstest.New(), &connectorstest.Logs{}
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
	if _, err := s.finish(st.Handle); connectorstest.LoginErrorCode(err) != wechat.CodeFaceUsed {
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
			if _, err := s.finish(st.Handle); connectorstest.LoginErrorCode(err) != tc.want {
				t.Fatalf("verify_ret %d: %v, want %s", tc.ret, err, tc.want)
			}
		})
	}
	t.Run("another WeChat user finishes", func(t *testing.T) {
		t.Parallel()
		s := openFace(t)
		st := s.start(t)
		s.srv.As(wechattest.User{Key: "user-2"})
		if _, err := s.finish(st.Handle); connectorstest.LoginErrorCode(err) != wechat.CodeFaceWrongUser {
			t.Fatalf("%v", err)
		}
	})
	t.Run("expired", func(t *testing.T) {
		t.Parallel()
		s := openFace(t)
		st := s.start(t)
		s.host.Advance(st.ExpiresIn + time.Second)
		if _, err := s.finish(st.Handle); connectorstest.LoginErrorCode(err) != wechat.CodeFaceExpired {
			t.Fatalf("%v", err)
		}
	})
	t.Run("unknown handle", func(t *testing.T) {
		t.Parallel()
		s := openFace(t)
		if _, err := s.finish("nosuchhandle"); connectorstest.LoginErrorCode(err) != wechat.CodeFaceExpired {
			t.Fatalf("%v", err)
		}
	})
	t.Run("not a resident ID number", func(t *testing.T) {
		t.Parallel()
		s := openFace(t)
		if _, err := s.c.StartFace(context.Background(), "mp", s.srv.JSCode(mpApp), faceName, "510107199003071237"); connectorstest.LoginErrorCode(err) != wechat.CodeFaceInvalid {
			t.Fatalf("%v", err)
		}
	})
	t.Run("another client", func(t *testing.T) {
		t.Parallel()
		s := openFace(t)
		if _, err := s.c.StartFace(context.Background(), "web", s.srv.JSCode(mpApp), faceName, faceNumber); connectorstest.LoginErrorCode(err) != wechat.CodeNotServed {
			t.Fatalf("%v", err)
		}
	})
	t.Run("WeChat refuses the query", func(t *testing.T) {
		t.Parallel()
		s := openFace(t)
		st := s.start(t)
		s.srv.Fail(wechat.PathQueryVerify, wechattest.FaultVerifyMismatch)
		if _, err := s.finish(st.Handle); connectorstest.LoginErrorCode(err) != wechat.CodeFaceMismatch {
			t.Fatalf("%v", err)
		}
	})
	t.Run("not the citizen", func(t *testing.T) {
		t.Parallel()
		s := openFace(t)
		s.srv.Citizen("李四", "440106198511204569")
		st := s.start(t)
		if _, err := s.finish(st.Handle); connectorstest.LoginErrorCode(err) != wechat.CodeFaceFailed {
			t.Fatalf("%v", err)
		}
	})
}

// Each start is a paid getverifyid call and a try of a (name, ID number)
// pair: starts are limited per caller IP and per ID number, before WeChat
// is asked anything.
func TestFaceStartLimits(t *testing.T) {
	t.Parallel()
	const other = "440106198511204569"
	start := func(s faceSetup, ip, number string) error {
		ctx := connectors.WithRemoteIP(context.Background(), ip)
		_, err := s.c.StartFace(ctx, "mp", s.srv.JSCode(mpApp), faceName, number)
		return err
	}
	t.Run("per ID number", func(t *testing.T) {
		t.Parallel()
		s := openFace(t)
		for i := range wechat.DefaultFaceStartsPerID {
			if err := start(s, "192.0.2.1", faceNumber); err != nil {
				t.Fatalf("start %d: %v", i+1, err)
			}
		}
		if err := start(s, "192.0.2.9", faceNumber); connectorstest.LoginErrorCode(err) != connectors.CodeRateLimited {
			t.Fatalf("start beyond the limit from another IP: %v", err)
		}
		if err := start(s, "192.0.2.1", other); err != nil {
			t.Fatalf("another ID number: %v", err)
		}
		if strings.Contains(strings.Join(s.host.Keys(), " "), faceNumber) {
			t.Fatalf("an ID number in a counter's name: %v", s.host.Keys())
		}
		s.host.Advance(time.Hour + time.Second)
		if err := start(s, "192.0.2.1", faceNumber); err != nil {
			t.Fatalf("an hour later: %v", err)
		}
	})
	t.Run("per IP", func(t *testing.T) {
		t.Parallel()
		s := openFaceWith(t, "face_starts_per_hour: {per_ip: 2}\n")
		for _, n := range []string{faceNumber, other} {
			if err := start(s, "192.0.2.1", n); err != nil {
				t.Fatal(err)
			}
		}
		calls := s.srv.Calls(wechat.PathJSCode) + s.srv.Calls(wechat.PathGetVerifyID)
		if err := start(s, "192.0.2.1", faceNumber); connectorstest.LoginErrorCode(err) != connectors.CodeRateLimited {
			t.Fatalf("third start from one IP: %v", err)
		}
		if got := s.srv.Calls(wechat.PathJSCode) + s.srv.Calls(wechat.PathGetVerifyID); got != calls {
			t.Fatalf("a refused start reached WeChat (%d calls, then %d)", calls, got)
		}
		if err := start(s, "192.0.2.2", faceNumber); err != nil {
			t.Fatalf("another IP: %v", err)
		}
	})
	t.Run("store down", func(t *testing.T) {
		t.Parallel()
		s := openFace(t)
		s.host.Fail(connectors.ErrUnavailable)
		if err := start(s, "192.0.2.1", faceNumber); !errors.Is(err, connectors.ErrUnavailable) {
			t.Fatalf("%v", err)
		}
	})
}
