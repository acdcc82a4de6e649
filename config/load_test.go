package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want fs.ErrNotExist", err)
	}
}

func TestLoadNamesTheFileAndKeepsProblems(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "gjjid.yaml")
	if err := os.WriteFile(path, []byte("issuer: ftp://x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.HasPrefix(err.Error(), "config "+path+":\n") {
		t.Fatalf("err = %v", err)
	}
	wantProblem(t, err, "issuer", "line 1: must be an absolute http(s) URL")
}

func TestProblemsError(t *testing.T) {
	t.Parallel()
	ps := Problems{
		{Path: "", Message: "line 1: expected a mapping, got a list"},
		{Path: "clients[2].redirect_uris[0]", Message: "must be an absolute URL"},
	}
	want := "line 1: expected a mapping, got a list\nclients[2].redirect_uris[0]: must be an absolute URL"
	if got := ps.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if (Problems{}).err() != nil {
		t.Error("no problems must be a nil error")
	}
}
