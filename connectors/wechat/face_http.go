package wechat

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
)

// FaceTokenType is the RFC 8693 subject_token_type of a face login's
// second step: the subject_token is "<face_handle>.<js_code>", the handle
// from the start endpoint and a fresh js_code of the same WeChat user.
const FaceTokenType = "urn:gjjid:params:token-type:wechat-face"

// FaceStartPath is the start endpoint, below /connectors/<id>/.
const FaceStartPath = "face/start"

// Endpoints serves the face login's start when a mini program is
// configured (and the host keeps values and counters).
func (c *Connector) Endpoints() map[string]http.Handler {
	if c.cfg.MiniProgram == nil || c.values == nil || c.counters == nil {
		return nil
	}
	return map[string]http.Handler{FaceStartPath: http.HandlerFunc(c.serveFaceStart)}
}

// serveFaceStart: POST client_id, js_code, name, id_type (resident_id
// only), id_number → {"verify_id", "face_handle", "expires_in"}, or
// {"error", "error_description", "code"} with 400 (403 for a client that
// may not, 429 beyond the start limits, 503 when the store is down).
func (c *Connector) serveFaceStart(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "error_description": "POST only"})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if t := r.PostFormValue("id_type"); t != "" && t != ids.DocResident {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "code": CodeFaceInvalid,
			"error_description": "WeChat verifies faces against resident ID cards only: id_type must be resident_id"})
		return
	}
	st, err := c.StartFace(r.Context(), r.PostFormValue("client_id"), r.PostFormValue("js_code"),
		strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("id_number")))
	if err != nil {
		status, code, desc := http.StatusBadGateway, "server_error", "WeChat is not available"
		if le, ok := connectors.AsLoginError(err); ok {
			status, code, desc = http.StatusBadRequest, le.Code, le.Text("en")
			switch le.Code {
			case CodeNotServed:
				status = http.StatusForbidden
			case connectors.CodeRateLimited:
				status = http.StatusTooManyRequests
				w.Header().Set("Retry-After", "3600")
			}
		} else if errors.Is(err, connectors.ErrUnavailable) {
			// Our store, not WeChat: the caller retries shortly.
			status, code, desc = http.StatusServiceUnavailable, "temporarily_unavailable", "the service is temporarily unavailable; try again shortly"
			w.Header().Set("Retry-After", "5")
			c.log.WarnContext(r.Context(), "wechat face start: store unavailable", "connector", c.ID(), "err", err)
		} else {
			c.log.ErrorContext(r.Context(), "wechat face start failed", "connector", c.ID(), "err", err)
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "code": code, "error_description": desc})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"verify_id": st.VerifyID, "face_handle": st.Handle, "expires_in": int64(st.ExpiresIn.Seconds())})
}

// finishFaceToken splits a FaceTokenType subject_token.
func finishFaceToken(token string) (handle, jsCode string, ok bool) {
	handle, jsCode, ok = strings.Cut(token, ".")
	return handle, jsCode, ok && handle != "" && jsCode != ""
}
