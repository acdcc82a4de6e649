package upstream

import (
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
)

func TestDisplayNamePrefersConfiguredName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, nameEN, lang, want string
	}{
		{"", "", "zh-CN", "默认"},
		{"", "", "en", "Default"},
		{"省平台", "", "zh-CN", "省平台"},
		{"省平台", "", "en", "Default"},
		{"", "Province", "en", "Province"},
		{"", "Province", "zh-CN", "默认"},
	} {
		b := Base{Name: tc.name, NameEN: tc.nameEN}
		if got := b.DisplayName(tc.lang, "默认", "Default"); got != tc.want {
			t.Errorf("Base{Name: %q, NameEN: %q}.DisplayName(%q) = %q, want %q", tc.name, tc.nameEN, tc.lang, got, tc.want)
		}
	}
}

func TestOpenBaseKeepsSpecAndServices(t *testing.T) {
	t.Parallel()
	spec := connectors.Spec{ID: "gd", Name: "广东", NameEN: "Guangdong"}
	b, err := OpenBase("oauth2", spec, connectors.Deps{Values: connectorstest.New()}, 3*time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != "gd" || b.Name != "广东" || b.NameEN != "Guangdong" || b.Values == nil || b.Log == nil {
		t.Errorf("OpenBase = %+v, want the spec's ID and names, the store and a logger", b)
	}
	if b.Client == nil || b.Client.Timeout != 3*time.Second {
		t.Errorf("client = %+v, want one with the configured timeout", b.Client)
	}
	if _, err := OpenBase("oauth2", spec, connectors.Deps{}, time.Second, 0); err == nil {
		t.Error("OpenBase without Values: no error")
	}
}
