package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/connectors/x509/x509test"
)

// TestConfigCheckSharedAnchors: connectors share anchored blocks of one
// file (an x509 extract list and revocation policy, a whole CAS config
// through <<), an alias stands at the top level too, and config check
// opens every connector.
func TestConfigCheckSharedAnchors(t *testing.T) {
	dir := t.TempDir()
	roots := filepath.Join(dir, "roots.pem")
	if err := os.WriteFile(roots, []byte(x509test.NewCA(t, x509test.ECDSA, "Test CA", nil).PEM()), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GJJID_TEST_CAS", "https://cas.example.gov.cn/cas")
	file := filepath.Join(dir, "anchors.yaml")
	src := `issuer: http://127.0.0.1:5556
connectors:
  - id: cert-a
    type: x509
    name: &certname 单位数字证书登录
    config: &cert
      link_policy: auto
      cas:
        - name: &caname cfca
          roots_file: ROOTS
          revocation: &revocation {mode: require, timeout: 3s}
          extract: &extract
            - cn_regex: '^041@N([0-9A-Z]{18})@'
              type: credit_code
            - oid: 1.2.156.10260.4.1.4
              type: org_code
  - id: cert-b
    type: x509
    name: *certname
    config:
      <<: *cert
      mtls: false
      cas:
        - name: *caname
          roots_file: ROOTS
          revocation: *revocation
          extract: *extract
  - id: cas-a
    type: cas
    name_en: *caname
    config: &cas
      server: ${GJJID_TEST_CAS}
      claims: &claims {subject: user, name: attributes.cn}
  - id: cas-b
    type: cas
    config:
      <<: *cas
      protocol: "2.0"
      claims: *claims
`
	if err := os.WriteFile(file, []byte(strings.ReplaceAll(src, "ROOTS", roots)), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"config", "check", file}, &out, &errb); code != 0 || !strings.Contains(out.String(), "4 connectors") {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, out.String(), errb.String())
	}

	// A mistake inside a shared block is named at each connector that
	// uses it, with the line where the block stands.
	broken := strings.Replace(src, "type: org_code", "type: org_code\n              typo: 1", 1)
	if err := os.WriteFile(file, []byte(strings.ReplaceAll(broken, "ROOTS", roots)), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), []string{"config", "check", file}, &out, &errb); code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, errb.String())
	}
	for _, want := range []string{"connectors[0].config.cas[0].extract[1].typo: unknown key (line 17)", "connectors[1].config.cas[0].extract[1].typo: unknown key (line 17)"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, errb.String())
		}
	}
}
