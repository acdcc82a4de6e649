package wechat

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
	"github.com/gjjid/gjjid/connectors/sealed"
)

// Face verification (人脸识别一键登录) in the mini program, in two steps:
//
//  1. StartFace: the mini program sends a js_code with the user's name and
//     resident ID number; the connector resolves the openid, asks
//     getVerifyId for a verify_id bound to (openid, name, number), and
//     answers the verify_id with a one-time handle. The number is kept
//     sealed under the handle, never returned or logged.
//  2. The mini program runs wx.requestFacialVerify(verify_id), then
//     FinishFace with the handle and a fresh js_code: the connector asks
//     queryVerifyInfo itself (the mini program's word is never taken) and
//     requires verify_ret 10000 for that openid, verify_id and ID, once,
//     within the verify_id's lifetime.
//
// The identity is then a verified person: link policy auto links it to
// the person with that ID number (or, with face_creates_persons, creates
// them), amr [face], acr gjj:loa:2.

// Face login codes, stable for logs and metrics.
const (
	CodeFaceCancelled = "face_cancelled"   // the user cancelled (verify_ret 90002–90006)
	CodeFaceTimeout   = "face_timeout"     // the check timed out (90017, 90107)
	CodeFaceFailed    = "face_failed"      // any other verify_ret: not verified
	CodeFaceMismatch  = "face_mismatch"    // WeChat refused the openid or ID for this verify_id
	CodeFaceWrongUser = "face_wrong_user"  // the finishing js_code is another WeChat user's
	CodeFaceUsed      = "face_handle_used" // the handle was exchanged already
	CodeFaceExpired   = "face_expired"     // the handle or its verify_id expired
	CodeFaceInvalid   = "face_invalid"     // not a resident ID number, or a malformed request
)

// AMRFace is RFC 8176's method of a face verification.
const AMRFace = "face"

// FaceACR is the level of a face login: a verified real-name identity.
const FaceACR = "gjj:loa:2"

// faceMaxTTL bounds a verify_id's life in the broker (WeChat's default
// is an hour).
const faceMaxTTL = time.Hour

// FaceStart is StartFace's answer to the mini program.
type FaceStart struct {
	VerifyID  string        // for wx.requestFacialVerify
	Handle    string        // for FinishFace, once
	ExpiresIn time.Duration // the verify_id's lifetime
}

// faceRecord is what the broker keeps between the steps, sealed.
type faceRecord struct {
	Client   string    `json:"c"`
	OpenID   string    `json:"o"`
	UnionID  string    `json:"u,omitempty"`
	VerifyID string    `json:"v"`
	OutSeqNo string    `json:"s"`
	Name     string    `json:"n"`
	Number   string    `json:"i"`
	Expires  time.Time `json:"e"`
}

func faceKey(handle string) string {
	sum := sha256.Sum256([]byte(handle))
	return "wechat-face:" + hex.EncodeToString(sum[:])
}

func faceUsedKey(handle string) string { return faceKey(handle) + ":used" }

// StartFace begins a face login for a mini program client.
func (c *Connector) StartFace(ctx context.Context, clientID, jsCode, name, idNumber string) (FaceStart, error) {
	if !c.AcceptsSubjectToken(SubjectTokenType, clientID) || c.values == nil || c.counters == nil {
		return FaceStart{}, loginError(CodeNotServed, fmt.Errorf("wechat: client %s may not start a face login", clientID))
	}
	number, err := ids.Document(ids.DocResident, idNumber)
	if err != nil || name == "" || len(name) > 64 || jsCode == "" || len(jsCode) > 512 {
		return FaceStart{}, faceError(CodeFaceInvalid, errors.New("wechat: face login needs a js_code, a name and a valid resident ID number"))
	}
	if err := c.limitFaceStart(ctx, number); err != nil {
		return FaceStart{}, err
	}
	app := c.cfg.MiniProgram
	s, err := c.api.session(ctx, app, jsCode)
	if err != nil {
		return FaceStart{}, c.failed(ctx, app, PathJSCode, err)
	}
	seq := make([]byte, 16)
	_, _ = rand.Read(seq)
	outSeqNo := hex.EncodeToString(seq) // 32 characters of [0-9a-f]
	v, err := c.api.getVerifyID(ctx, app, outSeqNo, s.OpenID, name, number)
	if err != nil {
		return FaceStart{}, c.failed(ctx, app, PathGetVerifyID, err)
	}
	ttl := time.Duration(v.ExpiresIn) * time.Second
	if ttl <= 0 || ttl > faceMaxTTL {
		ttl = faceMaxTTL
	}
	handle := connectors.RandomSecret()
	rec := faceRecord{Client: clientID, OpenID: s.OpenID, UnionID: s.UnionID, VerifyID: v.VerifyID, OutSeqNo: outSeqNo,
		Name: name, Number: number, Expires: c.now().Add(ttl)}
	sealed, err := sealFace(handle, rec)
	if err != nil {
		return FaceStart{}, err
	}
	if err := c.values.SetValue(ctx, faceKey(handle), sealed, ttl); err != nil {
		return FaceStart{}, fmt.Errorf("wechat: keep face login: %w", err)
	}
	return FaceStart{VerifyID: v.VerifyID, Handle: handle, ExpiresIn: ttl}, nil
}

// limitFaceStart counts a start against the caller's IP and the ID number
// (hashed: counter names reach the store) before anything is asked of
// WeChat, and refuses beyond the configured hourly limits.
func (c *Connector) limitFaceStart(ctx context.Context, number string) error {
	ip := connectors.RemoteIP(ctx)
	if ip == "" {
		ip = "unknown"
	}
	mac := hmac.New(sha256.New, c.idKey)
	mac.Write([]byte(number))
	for _, l := range []struct {
		key   string
		limit int
	}{
		{"wechat-face:ip:" + c.ID() + ":" + ip, c.cfg.FaceStartsPerIP},
		{"wechat-face:id:" + c.ID() + ":" + hex.EncodeToString(mac.Sum(nil)), c.cfg.FaceStartsPerID},
	} {
		n, err := c.counters.Incr(ctx, l.key, time.Hour)
		if err != nil {
			return fmt.Errorf("wechat: count face-login starts: %w", err)
		}
		if n > int64(l.limit) {
			return faceError(connectors.CodeRateLimited, fmt.Errorf("wechat: more than %d face-login starts in an hour", l.limit))
		}
	}
	return nil
}

// FinishFace completes a face login: handle from StartFace, jsCode fresh
// from the same WeChat user.
func (c *Connector) FinishFace(ctx context.Context, clientID, handle, jsCode string) (connectors.Identity, error) {
	if !c.AcceptsSubjectToken(SubjectTokenType, clientID) || c.values == nil {
		return connectors.Identity{}, loginError(CodeNotServed, fmt.Errorf("wechat: client %s may not finish a face login", clientID))
	}
	if handle == "" || len(handle) > 128 || jsCode == "" || len(jsCode) > 512 {
		return connectors.Identity{}, faceError(CodeFaceInvalid, errors.New("wechat: face login needs the handle and a js_code"))
	}
	raw, err := c.values.TakeValue(ctx, faceKey(handle))
	if errors.Is(err, connectors.ErrNotFound) {
		if _, used := c.values.GetValue(ctx, faceUsedKey(handle)); used == nil {
			return connectors.Identity{}, faceError(CodeFaceUsed, errors.New("wechat: face handle used already"))
		}
		return connectors.Identity{}, faceError(CodeFaceExpired, errors.New("wechat: face handle unknown or expired"))
	}
	if err != nil {
		return connectors.Identity{}, fmt.Errorf("wechat: take face login: %w", err)
	}
	_ = c.values.SetValue(ctx, faceUsedKey(handle), []byte{1}, faceMaxTTL)
	rec, err := openFace(handle, raw)
	if err != nil || rec.Client != clientID {
		return connectors.Identity{}, faceError(CodeFaceInvalid, errors.New("wechat: face handle of another client or unreadable"))
	}
	if !c.now().Before(rec.Expires) {
		return connectors.Identity{}, faceError(CodeFaceExpired, errors.New("wechat: verify_id expired"))
	}
	app := c.cfg.MiniProgram
	s, err := c.api.session(ctx, app, jsCode)
	if err != nil {
		return connectors.Identity{}, c.failed(ctx, app, PathJSCode, err)
	}
	if s.OpenID != rec.OpenID {
		return connectors.Identity{}, faceError(CodeFaceWrongUser, errors.New("wechat: face login finished by another openid"))
	}
	ret, err := c.api.queryVerify(ctx, app, rec.VerifyID, rec.OutSeqNo, CertHash(CertTypeResident, rec.Name, rec.Number), rec.OpenID)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Code != ErrSystem {
			c.log.WarnContext(ctx, "wechat face verification refused", "connector", c.ID(), "errcode", ae.Code)
			return connectors.Identity{}, faceError(CodeFaceMismatch, err)
		}
		return connectors.Identity{}, c.failed(ctx, app, PathQueryVerify, err)
	}
	if ret != VerifyRetOK {
		c.log.InfoContext(ctx, "wechat face verification failed", "connector", c.ID(), "verify_ret", ret)
		return connectors.Identity{}, faceRefusal(ret)
	}
	id, err := c.identity(ctx, app, rec.OpenID, rec.UnionID)
	if err != nil {
		return id, err
	}
	id.AMR, id.ACR, id.LinkPolicy = []string{AMRFace}, FaceACR, connectors.LinkAuto
	if c.cfg.FaceCreatesPersons {
		// The broker creates a person it does not know only from an
		// identity that names them.
		id.Name = rec.Name
	}
	id.Claims["id_type"], id.Claims["id_number"] = ids.DocResident, rec.Number
	return id, nil
}

// faceRefusal maps a verify_ret other than 10000.
func faceRefusal(ret int) error {
	cause := fmt.Errorf("wechat: verify_ret %d", ret)
	switch {
	case ret >= 90002 && ret <= 90006:
		return faceError(CodeFaceCancelled, cause)
	case ret == 90017 || ret == 90107:
		return faceError(CodeFaceTimeout, cause)
	}
	return faceError(CodeFaceFailed, cause)
}

func faceError(code string, cause error) error {
	m := map[string][2]string{
		CodeFaceCancelled:          {"您已取消人脸识别，请重试或换一种登录方式。", "You cancelled the face check. Try again or use another method."},
		CodeFaceTimeout:            {"人脸识别超时，请重试。", "The face check timed out. Try again."},
		CodeFaceFailed:             {"人脸识别未通过，请重试或换一种登录方式。", "The face check did not pass. Try again or use another method."},
		CodeFaceMismatch:           {"人脸识别结果与填写的身份信息不符。", "The face check does not match the identity entered."},
		CodeFaceWrongUser:          {"请使用发起人脸识别的微信账号完成登录。", "Finish the sign-in with the WeChat account that started the face check."},
		CodeFaceUsed:               {"该人脸识别结果已使用，请重新识别。", "This face check was used already. Start again."},
		CodeFaceExpired:            {"人脸识别已过期，请重新识别。", "The face check has expired. Start again."},
		connectors.CodeRateLimited: {"人脸识别尝试次数过多，请一小时后再试或换一种登录方式。", "Too many face checks were started. Try again in an hour or use another method."},
		CodeFaceInvalid:            {"请填写正确的姓名和居民身份证号码。", "Enter your name and a valid resident ID number."},
	}[code]
	return &connectors.LoginError{Code: code, Message: map[string]string{"zh-CN": m[0], "en": m[1]}, Err: cause}
}

// The record holds a name and an ID number: sealed under a key derived
// from the handle (package sealed), which only the mini program holds.
const faceSealPurpose = "gjjid wechat face login v1"

func sealFace(handle string, rec faceRecord) ([]byte, error) {
	b, err := sealed.Seal(handle, faceSealPurpose, rec)
	if err != nil {
		return nil, fmt.Errorf("wechat: face record: %w", err)
	}
	return b, nil
}

func openFace(handle string, b []byte) (faceRecord, error) {
	var rec faceRecord
	if err := sealed.Open(handle, faceSealPurpose, b, &rec); err != nil {
		return faceRecord{}, fmt.Errorf("wechat: face record: %w", err)
	}
	return rec, nil
}
