package redact

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// encoders are the ways a value reaches a request or comes back quoted in
// an error: query and path escaping (Go's url package, what the
// connectors send), RFC 3986 escaping with %20, %2A and ~ (Alibaba
// Cloud's signature encoding, which quotes the string to sign, itself
// made of encoded pairs), form escaping with + for a space, and JSON
// string escaping (with and without Go's HTML escapes), as JSON bodies
// and JSON-in-a-parameter (TemplateParam) carry values.
var encoders = []func(string) string{
	url.QueryEscape,
	url.PathEscape,
	PercentEncode,
	jsonEscape,
	jsonEscapeHTML,
}

// Encodings returns v and its encodings a request or an echo of it may
// hold: each encoder once, each percent-encoding applied twice (a string
// to sign escapes pairs already escaped), a JSON escape escaped again,
// and base64 of v (standard and URL alphabets, padded or not: HTTP Basic
// credentials, signatures and keys travel so). Duplicates are removed.
func Encodings(v string) []string {
	out := []string{v}
	for _, e1 := range encoders {
		once := e1(v)
		out = append(out, once)
		for _, e2 := range encoders {
			out = append(out, e2(once))
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		out = append(out, enc.EncodeToString([]byte(v)))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// PercentEncode is RFC 3986 encoding of the UTF-8 bytes of s where only
// A–Z a–z 0–9 - _ . ~ stay and every other byte is %XY in upper-case hex
// (a space is %20, * is %2A): Alibaba Cloud's signature encoding and OAuth
// 1's. The SMS connector signs with it, and the redactor looks for secrets
// in this form too, since an upstream may echo them so.
func PercentEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) * 3)
	for i := range len(s) {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// jsonEscape is s as inside a JSON string, without Go's HTML escapes.
func jsonEscape(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

// jsonEscapeHTML is s as json.Marshal writes it inside a string (<, >, &
// as \u003c …).
func jsonEscapeHTML(s string) string {
	out, _ := json.Marshal(s)
	return string(out[1 : len(out)-1])
}
