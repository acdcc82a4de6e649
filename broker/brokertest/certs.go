package brokertest

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/config"
	cx "github.com/gjjid/gjjid/connectors/x509"
	"github.com/gjjid/gjjid/connectors/x509/x509test"
)

// CertConnector is the certificate connector "cert" (单位数字证书) trusting
// ca, reading the unit's credit code from a CFCA common name. top is the
// YAML before the CAs: link_policy and any further keys, each line ended
// by a newline. revocation is the CA's revocation setting; "" checks ca's
// CRL and no OCSP. Its factory is cx.Factory (Options.Connectors).
func CertConnector(t testing.TB, ca *x509test.CA, top, revocation string) config.Connector {
	t.Helper()
	if revocation == "" {
		revocation = "{crl_urls: [" + ca.CRLURL + "], ocsp: false}"
	}
	pad := "      "
	roots := pad + strings.ReplaceAll(strings.TrimRight(ca.PEM(), "\n"), "\n", "\n"+pad)
	src := fmt.Sprintf(`%scas:
  - name: test
    roots: |
%s
    revocation: %s
    extract:
      - cn_regex: '^041@N([0-9A-Z]{18})@'
        type: credit_code
`, top, roots, revocation)
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatalf("certificate connector YAML: %v", err)
	}
	return config.Connector{ID: "cert", Type: cx.Type, Name: "单位数字证书", NameEN: "Unit certificate", Config: *n.Content[0]}
}

// DemoCertFiles writes leaf's certificate and PKCS#8 key as `gjjid dev`
// does, for the demo signer's file input.
func DemoCertFiles(t testing.TB, leaf *x509test.Leaf) (certFile, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	k8, err := x509.MarshalPKCS8PrivateKey(leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "unit.pem"), filepath.Join(dir, "unit-key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.DER}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k8}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
