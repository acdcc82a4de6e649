package upstream

import (
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
)

func TestOpenBaseKeepsSpecAndServices(t *testing.T) {
	t.Parallel()
	spec := connectors.Spec{ID: "gd", Name: "广东", NameEN: "Guangdong"}
	b, err := OpenBase(connectors.NewBase("oauth2", spec, "默认", "Default"), connectors.Deps{Values: connectorstest.New()}, 3*time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	if b.ID() != "gd" || b.Type() != "oauth2" || b.DisplayName("zh-CN") != "广东" || b.DisplayName("en") != "Guangdong" || b.Values == nil || b.Log == nil {
		t.Errorf("OpenBase = %+v, want the spec's ID and names, the store and a logger", b)
	}
	if b.Client == nil || b.Client.Timeout != 3*time.Second {
		t.Errorf("client = %+v, want one with the configured timeout", b.Client)
	}
	if _, err := OpenBase(connectors.NewBase("oauth2", spec, "默认", "Default"), connectors.Deps{}, time.Second, 0); err == nil {
		t.Error("OpenBase without Values: no error")
	}
}
