package config

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// secret returns a valid, distinct base64 secret for each seed byte.
func secret(b byte) string {
	return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, secretLen))
}

// problemsOf returns err as Problems, failing the test if it is anything else.
func problemsOf(t *testing.T, err error) Problems {
	t.Helper()
	if err == nil {
		return nil
	}
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error is %T, not Problems: %v", err, err)
	}
	return ps
}

// wantProblem fails unless err holds a problem at exactly path whose message
// contains msg.
func wantProblem(t *testing.T, err error, path, msg string) {
	t.Helper()
	for _, p := range problemsOf(t, err) {
		if p.Path == path && strings.Contains(p.Message, msg) {
			return
		}
	}
	t.Errorf("want problem %s: …%s…; got:\n%v", path, msg, err)
}

// wantNoProblem fails if err holds any problem at or below path.
func wantNoProblem(t *testing.T, err error, path string) {
	t.Helper()
	for _, p := range problemsOf(t, err) {
		if p.Path == path || strings.HasPrefix(p.Path, path+".") || strings.HasPrefix(p.Path, path+"[") {
			t.Errorf("unexpected problem %s: %s", p.Path, p.Message)
		}
	}
}
