package main

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

// mainEnv makes the test binary run main() itself (see TestMain), so a test
// can send a real signal to a real `gjjid dev` process.
const mainEnv = "GJJID_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if args := os.Getenv(mainEnv); args != "" {
		os.Args = append([]string{"gjjid"}, strings.Fields(args)...)
		main()
		return
	}
	os.Exit(m.Run())
}

// devCertDirs lists the demo certificate folders in dir.
func devCertDirs(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "gjjid-dev-certs-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var demoFilesRe = regexp.MustCompile(`demo files +(\S+)`)

// TestDevRemovesCertificateFolderOnStop: the folder with the demo CA's and
// unit's private keys exists while `gjjid dev` runs and is gone once it
// stopped.
func TestDevRemovesCertificateFolderOnStop(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	d := startDev(t)
	var m []string
	for i := 0; m == nil; i++ {
		if i > 400 {
			t.Fatalf("no demo files line:\n%s", d.out.String())
		}
		time.Sleep(50 * time.Millisecond)
		m = demoFilesRe.FindStringSubmatch(d.out.String())
	}
	if _, err := os.Stat(filepath.Join(m[1], "ca.pem")); err != nil || !strings.HasPrefix(m[1], tmp) {
		t.Fatalf("demo folder %s (under %s): %v", m[1], tmp, err)
	}
	if code := d.stop(t); code != 0 {
		t.Fatalf("dev exited %d: %s", code, d.errb.String())
	}
	if left := devCertDirs(t, tmp); len(left) > 0 {
		t.Fatalf("left behind after stop: %v", left)
	}
}

// TestDevRemovesCertificateFolderOnFailedStart: a start that fails after
// the demo certificates were made (the address is taken) leaves no folder.
func TestDevRemovesCertificateFolderOnFailedStart(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var out, errb bt.LogBuffer
	if code := run(context.Background(), []string{"dev", "--addr", ln.Addr().String()}, &out, &errb); code != 1 {
		t.Fatalf("dev on a taken address exited %d, want 1: %s", code, errb.String())
	}
	if left := devCertDirs(t, tmp); len(left) > 0 {
		t.Fatalf("left behind after a failed start: %v", left)
	}
}

// TestDevRemovesCertificateFolderOnSIGTERM is the report as a user made it:
// a `gjjid dev` process stopped with SIGTERM left the folder behind.
func TestDevRemovesCertificateFolderOnSIGTERM(t *testing.T) {
	tmp := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, mainEnv+"=dev --addr "+addr)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() //nolint:errcheck // already exited on the good path
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := demoFilesRe.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case dir := <-found:
		if _, err := os.Stat(filepath.Join(dir, "ca.pem")); err != nil {
			t.Fatalf("demo folder while running: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("gjjid dev printed no demo files line")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("gjjid dev after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("gjjid dev did not stop on SIGTERM")
	}
	if left := devCertDirs(t, tmp); len(left) > 0 {
		t.Fatalf("left behind after SIGTERM: %v", left)
	}
}
