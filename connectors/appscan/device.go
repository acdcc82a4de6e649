package appscan

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

// Device keys. An app may register an ECDSA P-256 public key with the
// user's own access token (POST /api/v1/qr/devices, signed by that key as
// below with action "register" and an empty QR ID: proof of possession)
// and then sign scan, confirm and cancel with it:
//
//	Gjjid-Device-Key:       the device_key_id the registration returned
//	Gjjid-Device-Nonce:     16–128 characters of [A-Za-z0-9_-], never reused
//	Gjjid-Device-Time:      unix seconds, within a minute of the broker's clock
//	Gjjid-Device-Signature: base64 of the ECDSA-SHA256 signature (ASN.1 DER or
//	                        the 64-byte r‖s of WebCrypto and CryptoKit) over
//	                        "gjjid-qr-v1\n" + qr_id + "\n" + action + "\n" + nonce + "\n" + time
//
// A key signs only for the person who registered it; a nonce is accepted
// once. With require_device_signature every QR action must be signed; without
// it a signature, when sent, must still be right.
const (
	headerDeviceKey = "Gjjid-Device-Key"
	headerNonce     = "Gjjid-Device-Nonce"
	headerTime      = "Gjjid-Device-Time"
	headerSignature = "Gjjid-Device-Signature"
	signaturePrefix = "gjjid-qr-v1"
	signatureSkew   = time.Minute
)

// deviceRecord is a registered key.
type deviceRecord struct {
	Subject string `json:"s"`
	Key     string `json:"k"` // base64 SPKI DER
	Created int64  `json:"t"`
}

// actionRegister is the action a device key signs to register itself
// (with an empty QR ID).
const actionRegister = "register"

// SignedMessage is what a device signs for action ("scan", "confirm" or
// "cancel") on QR session qrID, or for its own registration ("register",
// qrID "").
func SignedMessage(qrID, action, nonce string, unix int64) []byte {
	return []byte(signaturePrefix + "\n" + qrID + "\n" + action + "\n" + nonce + "\n" + strconv.FormatInt(unix, 10))
}

// DeviceKeyID is the ID under which the SPKI DER public key is registered.
func DeviceKeyID(spki []byte) string {
	h := sha256.Sum256(spki)
	return base64.RawURLEncoding.EncodeToString(h[:])[:22]
}

func forbidden(code, desc string) *apiError {
	return &apiError{Status: http.StatusForbidden, Code: code, Description: desc}
}

// verifyDevice checks the request's device signature; it returns the key
// ID, or "" for an unsigned request where none is required.
func (c *Connector) verifyDevice(r *http.Request, a appSession, qrID, action string) (string, error) {
	kid := r.Header.Get(headerDeviceKey)
	if kid == "" {
		if c.cfg.RequireDeviceSignature {
			return "", forbidden("device_signature_required", "sign "+action+" with a registered device key ("+headerDeviceKey+", "+headerNonce+", "+headerTime+", "+headerSignature+")")
		}
		return "", nil
	}
	raw, err := c.svc.GetValue(r.Context(), deviceKey(kid))
	switch {
	case errors.Is(err, connectors.ErrNotFound):
		return "", forbidden("unknown_device_key", "no such device key; register it again")
	case err != nil:
		return "", err
	}
	var rec deviceRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return "", fmt.Errorf("appscan: device key %s: malformed record", kid)
	}
	if rec.Subject != a.token.Subject {
		c.log.WarnContext(r.Context(), "appscan request signed with another person's device key", "connector", c.ID(), "person_id", a.person.PersonID)
		return "", forbidden("unknown_device_key", "the device key belongs to another account")
	}
	pub, err := parseKey(rec.Key)
	if err != nil {
		return "", fmt.Errorf("appscan: device key %s: %w", kid, err)
	}
	if err := c.checkSignature(r, a, kid, pub, qrID, action); err != nil {
		return "", err
	}
	return kid, nil
}

// checkSignature checks that pub signed SignedMessage(qrID, action, …)
// with the request's nonce and time, and spends the nonce.
func (c *Connector) checkSignature(r *http.Request, a appSession, kid string, pub *ecdsa.PublicKey, qrID, action string) error {
	nonce, ts, sig := r.Header.Get(headerNonce), r.Header.Get(headerTime), r.Header.Get(headerSignature)
	if !validNonce(nonce) {
		return forbidden("invalid_signature", headerNonce+" must be 16–128 characters of A–Z, a–z, 0–9, - and _")
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return forbidden("invalid_signature", headerTime+" must be unix seconds")
	}
	if d := c.now().Sub(time.Unix(unix, 0)); d > signatureSkew || d < -signatureSkew {
		return forbidden("invalid_signature", "the signature's time is more than a minute off the server's clock")
	}
	if !verifySignature(pub, SignedMessage(qrID, action, nonce, unix), sig) {
		c.log.InfoContext(r.Context(), "appscan request with a bad device signature", "connector", c.ID(), "person_id", a.person.PersonID, "action", action)
		return forbidden("invalid_signature", "the device signature does not verify")
	}
	err = c.svc.AddValue(r.Context(), nonceKey(kid, nonce), []byte{1}, 2*signatureSkew+time.Second)
	switch {
	case errors.Is(err, connectors.ErrConflict):
		return forbidden("invalid_signature", "the nonce was used before")
	case err != nil:
		return err
	}
	return nil
}

func validNonce(n string) bool {
	if len(n) < 16 || len(n) > 128 {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// decodeBase64 accepts standard and URL-safe base64, padded or not.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

func parseKey(b64 string) (*ecdsa.PublicKey, error) {
	der, err := decodeBase64(b64)
	if err != nil {
		return nil, errors.New("public_key must be base64 of a DER SubjectPublicKeyInfo")
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, errors.New("public_key is not a DER SubjectPublicKeyInfo")
	}
	pub, ok := k.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, errors.New("public_key must be an ECDSA P-256 key")
	}
	return pub, nil
}

func verifySignature(pub *ecdsa.PublicKey, msg []byte, sig64 string) bool {
	sig, err := decodeBase64(sig64)
	if err != nil {
		return false
	}
	h := sha256.Sum256(msg)
	if len(sig) == 64 { // r‖s (IEEE P1363), as WebCrypto and CryptoKit sign
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		if ecdsa.Verify(pub, h[:], r, s) {
			return true
		}
	}
	return ecdsa.VerifyASN1(pub, h[:], sig)
}

// apiRegisterDevice registers the app's public key for the token's person.
func (c *Connector) apiRegisterDevice(w http.ResponseWriter, r *http.Request) {
	a, aerr := c.authenticate(r, "", "")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	var body struct {
		PublicKey string `json:"public_key"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&body); err != nil || body.PublicKey == "" {
		writeError(w, &apiError{Status: http.StatusBadRequest, Code: "invalid_request", Description: `the body must be {"public_key": "<base64 DER SubjectPublicKeyInfo of an ECDSA P-256 key>"}`})
		return
	}
	pub, err := parseKey(body.PublicKey)
	if err != nil {
		writeError(w, &apiError{Status: http.StatusBadRequest, Code: "invalid_request", Description: err.Error()})
		return
	}
	der, _ := decodeBase64(body.PublicKey)
	kid := DeviceKeyID(der)
	ctx := r.Context()
	// Proof of possession: the registration is signed by the key it
	// registers (action "register", no QR ID), so nobody can register a
	// public key they merely know, which would lock its owner out of
	// registering it.
	if got := r.Header.Get(headerDeviceKey); got != kid {
		c.auditDevice(ctx, connectors.AuditQRDeviceRegister, a, kid, "invalid_signature")
		writeError(w, forbidden("invalid_signature", "sign the registration with the key it registers: "+headerDeviceKey+" must be "+kid))
		return
	}
	if err := c.checkSignature(r, a, kid, pub, "", actionRegister); err != nil {
		var aerr *apiError
		if !errors.As(err, &aerr) {
			writeError(w, internal(err))
			return
		}
		c.auditDevice(ctx, connectors.AuditQRDeviceRegister, a, kid, aerr.Code)
		writeError(w, aerr)
		return
	}
	now := c.now()
	rec, _ := json.Marshal(deviceRecord{Subject: a.token.Subject, Key: base64.StdEncoding.EncodeToString(der), Created: now.Unix()})
	err = c.svc.AddValue(ctx, deviceKey(kid), rec, c.cfg.DeviceKeyLifetime)
	if errors.Is(err, connectors.ErrConflict) {
		// Registered before: renew it for the same person; another
		// person's key stays theirs.
		var old deviceRecord
		raw, gerr := c.svc.GetValue(ctx, deviceKey(kid))
		switch {
		case gerr != nil && !errors.Is(gerr, connectors.ErrNotFound):
			writeError(w, internal(gerr))
			return
		case gerr == nil && (json.Unmarshal(raw, &old) != nil || old.Subject != a.token.Subject):
			c.auditDevice(ctx, connectors.AuditQRDeviceRegister, a, kid, "conflict")
			writeError(w, &apiError{Status: http.StatusConflict, Code: "conflict", Description: "this key is registered to another account"})
			return
		}
		err = c.svc.SetValue(ctx, deviceKey(kid), rec, c.cfg.DeviceKeyLifetime)
	}
	if err != nil {
		writeError(w, internal(err))
		return
	}
	c.log.InfoContext(ctx, "appscan device key registered", "connector", c.ID(), "person_id", a.person.PersonID, "device_key", kid)
	c.auditDevice(ctx, connectors.AuditQRDeviceRegister, a, kid, "")
	writeJSON(w, http.StatusCreated, map[string]any{"device_key_id": kid, "expires_at": now.Add(c.cfg.DeviceKeyLifetime).UTC()})
}

// apiDeleteDevice forgets one of the caller's device keys (a phone given
// away, an app reinstalled): signatures by it are refused from then on.
// Another person's key, or none, answers 404 alike, so the call cannot
// tell whose keys exist.
func (c *Connector) apiDeleteDevice(w http.ResponseWriter, r *http.Request) {
	a, aerr := c.authenticate(r, "", "")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	ctx, kid := r.Context(), r.PathValue("kid")
	raw, err := c.svc.GetValue(ctx, deviceKey(kid))
	var rec deviceRecord
	switch {
	case errors.Is(err, connectors.ErrNotFound):
	case err != nil:
		writeError(w, internal(err))
		return
	default:
		if json.Unmarshal(raw, &rec) != nil {
			writeError(w, internal(fmt.Errorf("appscan: device key %s: malformed record", kid)))
			return
		}
	}
	if err != nil || rec.Subject != a.token.Subject {
		c.auditDevice(ctx, connectors.AuditQRDeviceDelete, a, kid, "not_found")
		writeError(w, &apiError{Status: http.StatusNotFound, Code: "not_found", Description: "no such device key of this account"})
		return
	}
	// Between the read and the delete only this person can have renewed
	// the key, since another person's registration of it is refused while
	// it exists; only a key expiring in that one round trip could let
	// someone else register it first, and then lose it again.
	if err := c.svc.DeleteValue(ctx, deviceKey(kid)); err != nil {
		writeError(w, internal(err))
		return
	}
	c.log.InfoContext(ctx, "appscan device key deleted", "connector", c.ID(), "person_id", a.person.PersonID, "device_key", kid)
	c.auditDevice(ctx, connectors.AuditQRDeviceDelete, a, kid, "")
	w.WriteHeader(http.StatusNoContent)
}

// auditDevice records a device key's registration or deletion; reason
// names a refusal.
func (c *Connector) auditDevice(ctx context.Context, typ string, a appSession, kid, reason string) {
	e := connectors.AuditEvent{Type: typ, Outcome: connectors.AuditSuccess, Reason: reason, Connector: c.ID(), PersonID: a.person.PersonID,
		IP: a.ip, UserAgent: a.userAgent, Details: map[string]string{"device_key": kid, "app_client": a.token.ClientID}}
	if reason != "" {
		e.Outcome = connectors.AuditDenied
	}
	if err := c.svc.Audit(ctx, e); err != nil {
		c.log.ErrorContext(ctx, "appscan audit write failed", "connector", c.ID(), "type", typ, "err", err)
	}
}

var _ connectors.DeviceKeys = (*Connector)(nil)

// DeviceKeysOf returns those of ids that are live keys of subject.
func (c *Connector) DeviceKeysOf(ctx context.Context, subject string, ids []string) ([]connectors.DeviceKey, error) {
	var out []connectors.DeviceKey
	for _, kid := range ids {
		rec, err := c.deviceOf(ctx, subject, kid)
		if errors.Is(err, connectors.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		created := time.Unix(rec.Created, 0)
		out = append(out, connectors.DeviceKey{ID: kid, Created: created, Expires: created.Add(c.cfg.DeviceKeyLifetime)})
	}
	return out, nil
}

// ForgetDeviceKey deletes subject's key kid (the account page's "forget
// this device", as DELETE /api/v1/qr/devices/<kid> from the app).
func (c *Connector) ForgetDeviceKey(ctx context.Context, subject, kid string) error {
	if _, err := c.deviceOf(ctx, subject, kid); err != nil {
		return err
	}
	if err := c.svc.DeleteValue(ctx, deviceKey(kid)); err != nil {
		return fmt.Errorf("appscan: forget device key: %w", err)
	}
	c.log.InfoContext(ctx, "appscan device key forgotten on the account page", "connector", c.ID(), "device_key", kid)
	return nil
}

// deviceOf reads kid's record; ErrNotFound unless it is a live key of
// subject.
func (c *Connector) deviceOf(ctx context.Context, subject, kid string) (deviceRecord, error) {
	var rec deviceRecord
	if subject == "" || kid == "" || len(kid) > 64 {
		return rec, connectors.ErrNotFound
	}
	raw, err := c.svc.GetValue(ctx, deviceKey(kid))
	if err != nil {
		if errors.Is(err, connectors.ErrNotFound) {
			return rec, err
		}
		return rec, fmt.Errorf("appscan: read device key: %w", err)
	}
	if json.Unmarshal(raw, &rec) != nil || rec.Subject != subject {
		return rec, connectors.ErrNotFound
	}
	return rec, nil
}
