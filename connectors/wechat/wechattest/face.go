package wechattest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Face verification (微信人脸核身) as the mini program's server sees it:
// cgi-bin/stable_token, getverifyid and queryverifyinfo. wx.requestFacialVerify
// happens on the phone; here FaceResult sets the verify_ret the next
// queries answer (10000 by default), and Citizen restricts success to
// registered (name, ID number) pairs, as the real check compares the face
// with the ID authority's photo.

// Errcodes of this fake for a query that does not match its verify_id
// (WeChat answers such queries with an errcode, not a verify_ret).
const (
	ErrUnknownVerifyID = 84001 // no such verify_id, or it expired
	ErrVerifyMismatch  = 84002 // openid, out_seq_no or cert_hash differ from getverifyid's
)

type faceState struct {
	mu       sync.Mutex
	tokens   map[string]string // access_token -> appid
	verifies map[string]*verify
	citizens map[string]string // ID number -> name
	result   int
}

type verify struct {
	app, openid, outSeqNo, certHash string
	expires                         time.Time
}

var faces sync.Map // *Server -> *faceState

func (s *Server) faceState() *faceState {
	f, _ := faces.LoadOrStore(s, &faceState{tokens: map[string]string{}, verifies: map[string]*verify{}, citizens: map[string]string{}, result: 10000})
	return f.(*faceState)
}

// FaceResult sets the verify_ret of the next queries (10000: verified;
// 90002–90006: cancelled; 90017: timed out; …).
func (s *Server) FaceResult(ret int) {
	f := s.faceState()
	f.mu.Lock()
	f.result = ret
	f.mu.Unlock()
}

// Citizen registers a person whose face verifies; once any is
// registered, others get verify_ret 90011 (invalid face data).
func (s *Server) Citizen(name, idNumber string) {
	f := s.faceState()
	f.mu.Lock()
	f.citizens[idNumber] = name
	f.mu.Unlock()
}

// handleFace adds the face endpoints to mux.
func (s *Server) handleFace(mux *http.ServeMux) {
	mux.HandleFunc("/cgi-bin/stable_token", s.faceAPI(s.stableToken))
	mux.HandleFunc("/cityservice/face/identify/getverifyid", s.faceAPI(s.getVerifyID))
	mux.HandleFunc("/cityservice/face/identify/queryverifyinfo", s.faceAPI(s.queryVerifyInfo))
}

func (s *Server) faceAPI(h func(r *http.Request, body map[string]any, now time.Time) reply) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[r.URL.Path]++
		now := s.now()
		fault := s.faults[r.URL.Path]
		delete(s.faults, r.URL.Path)
		s.mu.Unlock()
		var rep reply
		var body map[string]any
		switch {
		case fault == FaultSystemError:
			rep = fail(-1, "system error")
		case fault == FaultVerifyMismatch:
			rep = fail(ErrVerifyMismatch, "cert_hash or openid mismatch")
		case r.Method != http.MethodPost || json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&body) != nil:
			rep = fail(47001, "data format error")
		default:
			rep = h(r, body, now)
		}
		var out []byte
		if rep.errcode != 0 {
			out, _ = json.Marshal(map[string]any{"errcode": rep.errcode, "errmsg": rep.errmsg + ", rid: " + rid()})
		} else {
			rep.fields["errcode"], rep.fields["errmsg"] = 0, "ok"
			out, _ = json.Marshal(rep.fields)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	}
}

func str(body map[string]any, k string) string { v, _ := body[k].(string); return v }

func (s *Server) stableToken(_ *http.Request, body map[string]any, _ time.Time) reply {
	a, ok := s.apps[str(body, "appid")]
	if str(body, "grant_type") != "client_credential" || !ok || a.Kind != MiniProgram {
		return fail(40013, "invalid appid")
	}
	if str(body, "secret") != a.Secret {
		return fail(40125, "invalid appsecret")
	}
	tok := "stable-" + randomHex(16)
	f := s.faceState()
	f.mu.Lock()
	f.tokens[tok] = a.ID
	f.mu.Unlock()
	return reply{fields: map[string]any{"access_token": tok, "expires_in": 7200}}
}

func (s *Server) tokenApp(r *http.Request) (string, *reply) {
	f := s.faceState()
	f.mu.Lock()
	defer f.mu.Unlock()
	app, ok := f.tokens[r.URL.Query().Get("access_token")]
	if !ok {
		rep := fail(40001, "invalid credential, access_token is invalid or not latest")
		return "", &rep
	}
	return app, nil
}

func (s *Server) getVerifyID(r *http.Request, body map[string]any, now time.Time) reply {
	app, bad := s.tokenApp(r)
	if bad != nil {
		return *bad
	}
	ci, _ := body["cert_info"].(map[string]any)
	seq, openid := str(body, "out_seq_no"), str(body, "openid")
	if ci == nil || str(ci, "cert_type") != "IDENTITY_CARD" || str(ci, "cert_name") == "" || str(ci, "cert_no") == "" || len(seq) < 5 || len(seq) > 32 || openid == "" {
		return fail(47001, "data format error")
	}
	id := "vid-" + randomHex(16)
	f := s.faceState()
	f.mu.Lock()
	f.verifies[id] = &verify{app: app, openid: openid, outSeqNo: seq, certHash: certHash(str(ci, "cert_type"), str(ci, "cert_name"), str(ci, "cert_no")),
		expires: now.Add(time.Hour)}
	if len(f.citizens) > 0 && f.citizens[str(ci, "cert_no")] != str(ci, "cert_name") {
		f.verifies[id].certHash += "!" // the face will not match: 90011 at query time
	}
	f.mu.Unlock()
	return reply{fields: map[string]any{"verify_id": id, "expires_in": 3600}}
}

func (s *Server) queryVerifyInfo(r *http.Request, body map[string]any, now time.Time) reply {
	app, bad := s.tokenApp(r)
	if bad != nil {
		return *bad
	}
	f := s.faceState()
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.verifies[str(body, "verify_id")]
	if !ok || v.app != app || !now.Before(v.expires) {
		return fail(ErrUnknownVerifyID, "invalid verify_id")
	}
	hash := str(body, "cert_hash")
	if v.openid != str(body, "openid") || v.outSeqNo != str(body, "out_seq_no") || (hash != v.certHash && hash+"!" != v.certHash) {
		return fail(ErrVerifyMismatch, "cert_hash or openid mismatch")
	}
	ret := f.result
	if hash+"!" == v.certHash {
		ret = 90011
	}
	return reply{fields: map[string]any{"verify_ret": ret}}
}

// certHash is WeChat's cert_hash (see the connector's CertHash).
func certHash(typ, name, number string) string {
	b := base64.StdEncoding.EncodeToString
	sum := sha256.Sum256([]byte("cert_type=" + b([]byte(typ)) + "&cert_name=" + b([]byte(name)) + "&cert_no=" + b([]byte(number))))
	return hex.EncodeToString(sum[:])
}
