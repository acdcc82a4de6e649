package login

import (
	"encoding/base64"
	"encoding/pem"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/gjjid/gjjid/broker/provider"
	"github.com/labstack/echo/v4"
)

// Headers a TLS-terminating proxy forwards the client certificate in.
const (
	// HeaderClientCert and HeaderClientCertChain are RFC 9440 §2: a
	// structured-field byte sequence `:base64(DER):`, and a list of them.
	HeaderClientCert      = "Client-Cert"
	HeaderClientCertChain = "Client-Cert-Chain"
	// maxCertHeader bounds one forwarded header; maxForwardedCerts the
	// certificates taken from them (the connector caps the chain again).
	maxCertHeader     = 64 << 10
	maxForwardedCerts = 10
	ctxClientChain    = "gjjid.client_chain"
)

// ClientCertificates is middleware that puts the request's client
// certificate chain (DER, leaf first) on the echo context: from this
// connection's TLS handshake (the mTLS listener), or from the headers a
// TLS-terminating proxy sets — RFC 9440 Client-Cert and Client-Cert-Chain,
// or pemHeader (URL-encoded PEM, as nginx's $ssl_client_escaped_cert) —
// believed only when the connection comes from one of proxies. The
// headers are removed from every request, so nothing behind this
// middleware can be fooled by a client setting them itself.
func ClientCertificates(proxies []*net.IPNet, pemHeader string) echo.MiddlewareFunc {
	names := []string{HeaderClientCert, HeaderClientCertChain}
	if pemHeader != "" {
		names = append(names, pemHeader)
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			vals := make(map[string]string, len(names))
			for _, n := range names {
				vals[n] = r.Header.Get(n)
				r.Header.Del(n)
			}
			switch {
			case r.TLS != nil && len(r.TLS.PeerCertificates) > 0:
				var chain [][]byte
				for _, pc := range r.TLS.PeerCertificates {
					chain = append(chain, pc.Raw)
				}
				c.Set(ctxClientChain, chain)
				c.SetRequest(r.WithContext(provider.WithClientCertificates(r.Context(), chain)))
			case fromProxy(r, proxies):
				if chain := forwardedChain(vals, pemHeader); len(chain) > 0 {
					c.Set(ctxClientChain, chain)
					c.SetRequest(r.WithContext(provider.WithClientCertificates(r.Context(), chain)))
				}
			}
			return next(c)
		}
	}
}

func fromProxy(r *http.Request, proxies []*net.IPNet) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	for _, n := range proxies {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

// forwardedChain reads the forwarded headers; unreadable ones give nothing.
func forwardedChain(vals map[string]string, pemHeader string) [][]byte {
	var chain [][]byte
	if v := vals[HeaderClientCert]; v != "" && len(v) <= maxCertHeader {
		if der := sfBinary(v); der != nil {
			chain = append(chain, der)
			if cv := vals[HeaderClientCertChain]; cv != "" && len(cv) <= maxCertHeader {
				for _, item := range strings.Split(cv, ",") {
					der := sfBinary(item)
					if der == nil || len(chain) >= maxForwardedCerts {
						break
					}
					chain = append(chain, der)
				}
			}
			return chain
		}
	}
	v := vals[pemHeader]
	if pemHeader == "" || v == "" || len(v) > maxCertHeader {
		return nil
	}
	if strings.Contains(v, "%") {
		if u, err := url.QueryUnescape(v); err == nil {
			v = u
		}
	}
	rest := []byte(v)
	for len(chain) < maxForwardedCerts {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			chain = append(chain, b.Bytes)
		}
	}
	return chain
}

// sfBinary decodes an RFC 8941 byte sequence `:base64:`.
func sfBinary(s string) []byte {
	s = strings.TrimSpace(s)
	if len(s) < 3 || s[0] != ':' || s[len(s)-1] != ':' {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(s[1 : len(s)-1])
	if err != nil {
		return nil
	}
	return b
}

// clientChain is the chain ClientCertificates found, or nil.
func clientChain(c echo.Context) [][]byte {
	ch, _ := c.Get(ctxClientChain).([][]byte)
	return ch
}
