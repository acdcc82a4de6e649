package main

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"
)

// TestDevSeedsStaff: `gjjid dev` makes the demo agent staff with every
// role and says so in its banner.
func TestDevSeedsStaff(t *testing.T) {
	d := startDev(t)
	for _, want := range []string{d.issuer + "/admin", "gjjid:admin, gjjid:counter, gjjid:audit", DemoAgentID} {
		if !strings.Contains(d.out.String(), want) {
			t.Errorf("banner lacks %q", want)
		}
	}
	cc := clientcredentials.Config{ClientID: DemoAdminID, ClientSecret: DemoAdminSecret, TokenURL: d.issuer + "/oauth/token", Scopes: []string{"gjjid:admin"}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var list struct {
		Items []struct {
			Name  string   `json:"name"`
			Roles []string `json:"roles"`
		} `json:"items"`
	}
	// The grant runs as the server becomes ready; give it a moment.
	for range 50 {
		resp, err := cc.Client(ctx).Get(d.issuer + "/admin/v1/staff")
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("staff list: %d %v", resp.StatusCode, err)
		}
		if len(list.Items) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(list.Items) != 1 || list.Items[0].Name != DemoAgentName || !slices.Equal(list.Items[0].Roles, []string{"gjjid:admin", "gjjid:audit", "gjjid:counter"}) {
		t.Fatalf("staff = %+v, want the demo agent with every role", list.Items)
	}
}
