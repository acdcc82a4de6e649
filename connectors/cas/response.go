package cas

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Namespaces of CAS validation answers and SAML logout requests.
const (
	NamespaceCAS   = "http://www.yale.edu/tp/cas"
	NamespaceSAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
)

// Bounds of the XML the connector reads.
const (
	MaxResponse   = 64 << 10 // a validation answer is a few hundred bytes
	maxDepth      = 8
	maxTokens     = 4096
	maxAttributes = 256
)

// Response is a parsed /serviceValidate or /p3/serviceValidate answer.
type Response struct {
	Success    bool
	User       string
	Attributes map[string][]string // by local name; multi-valued attributes repeat
	// FailureCode and FailureText are set when Success is false.
	FailureCode string
	FailureText string
}

// ParseResponse reads a CAS 2.0/3.0 validation answer (CAS Protocol 3.0.3
// §2.5.2, §2.5.3): namespace-aware, strict, at most MaxResponse bytes, no
// DTD (a DOCTYPE is refused, so no entity can be declared, let alone
// expanded), bounded depth and size.
func ParseResponse(b []byte) (*Response, error) {
	if len(b) > MaxResponse {
		return nil, fmt.Errorf("cas: answer of %d bytes exceeds %d", len(b), MaxResponse)
	}
	if err := scan(b); err != nil {
		return nil, err
	}
	var doc struct {
		XMLName xml.Name `xml:"http://www.yale.edu/tp/cas serviceResponse"`
		Success *struct {
			User       string `xml:"http://www.yale.edu/tp/cas user"`
			Attributes *struct {
				Items []struct {
					XMLName xml.Name
					Value   string `xml:",chardata"`
				} `xml:",any"`
			} `xml:"http://www.yale.edu/tp/cas attributes"`
		} `xml:"http://www.yale.edu/tp/cas authenticationSuccess"`
		Failure *struct {
			Code string `xml:"code,attr"`
			Text string `xml:",chardata"`
		} `xml:"http://www.yale.edu/tp/cas authenticationFailure"`
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("cas: malformed answer: %w", err)
	}
	switch {
	case doc.Success != nil && doc.Failure != nil:
		return nil, errors.New("cas: answer is both success and failure")
	case doc.Failure != nil:
		code := strings.TrimSpace(doc.Failure.Code)
		if code == "" {
			return nil, errors.New("cas: failure without a code")
		}
		return &Response{FailureCode: code, FailureText: strings.TrimSpace(doc.Failure.Text)}, nil
	case doc.Success != nil:
		r := &Response{Success: true, User: strings.TrimSpace(doc.Success.User), Attributes: map[string][]string{}}
		if r.User == "" {
			return nil, errors.New("cas: success without a user")
		}
		if a := doc.Success.Attributes; a != nil {
			if len(a.Items) > maxAttributes {
				return nil, fmt.Errorf("cas: more than %d attributes", maxAttributes)
			}
			for _, it := range a.Items {
				r.Attributes[it.XMLName.Local] = append(r.Attributes[it.XMLName.Local], strings.TrimSpace(it.Value))
			}
		}
		return r, nil
	}
	return nil, errors.New("cas: answer is neither success nor failure")
}

// scan refuses a DOCTYPE (and any other directive), processing
// instructions other than the XML declaration, too deep nesting and too
// many tokens, before the document is decoded.
func scan(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	depth, n := 0, 0
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("cas: malformed XML: %w", err)
		}
		if n++; n > maxTokens {
			return fmt.Errorf("cas: more than %d XML tokens", maxTokens)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return errors.New("cas: XML with a DOCTYPE or other directive refused (no DTDs, no entities)")
		case xml.ProcInst:
			if t.Target != "xml" {
				return fmt.Errorf("cas: processing instruction %q refused", t.Target)
			}
		case xml.StartElement:
			if depth++; depth > maxDepth {
				return fmt.Errorf("cas: XML nested deeper than %d", maxDepth)
			}
		case xml.EndElement:
			depth--
		}
	}
}

// Document is the response as a JSON-like document for the mapping:
// {"user": …, "attributes": {name: value or [values]}}.
func (r *Response) Document() map[string]any {
	attrs := make(map[string]any, len(r.Attributes))
	for k, vs := range r.Attributes {
		if len(vs) == 1 {
			attrs[k] = vs[0]
			continue
		}
		a := make([]any, len(vs))
		for i, v := range vs {
			a[i] = v
		}
		attrs[k] = a
	}
	return map[string]any{"user": r.User, "attributes": attrs}
}

// ParseLogoutRequest reads the SAML LogoutRequest of CAS single logout
// (CAS Protocol 3.0.3 Appendix C) and returns its SessionIndex: the
// service ticket of the login to end.
func ParseLogoutRequest(b []byte) (string, error) {
	if len(b) > MaxResponse {
		return "", fmt.Errorf("cas: logout request of %d bytes exceeds %d", len(b), MaxResponse)
	}
	if err := scan(b); err != nil {
		return "", err
	}
	var doc struct {
		XMLName      xml.Name `xml:"urn:oasis:names:tc:SAML:2.0:protocol LogoutRequest"`
		SessionIndex string   `xml:"urn:oasis:names:tc:SAML:2.0:protocol SessionIndex"`
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	if err := d.Decode(&doc); err != nil {
		return "", fmt.Errorf("cas: malformed logout request: %w", err)
	}
	st := strings.TrimSpace(doc.SessionIndex)
	if !ValidTicket(st) {
		return "", errors.New("cas: logout request without a valid service ticket")
	}
	return st, nil
}

// ValidTicket checks a service ticket's form (CAS Protocol 3.0.3 §3.1.1:
// the prefix ST-, at most 256 characters; letters, digits and '-', plus
// '.' and '_' that Apereo's host suffixes use).
func ValidTicket(t string) bool {
	if !strings.HasPrefix(t, "ST-") || len(t) > 256 || len(t) < 4 {
		return false
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}
