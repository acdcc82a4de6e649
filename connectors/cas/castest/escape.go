package castest

import (
	"encoding/xml"
	"strings"
)

func xmlEscape(b *strings.Builder, s string) error { return xml.EscapeText(b, []byte(s)) }
