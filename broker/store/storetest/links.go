package storetest

import (
	"testing"

	"github.com/gjjid/gjjid/broker/store"
)

var linkTests = []test{
	{"LinksAddGetDelete", testLinks},
	{"LinksConcurrentAddOneWins", testLinksConcurrentAdd},
	{"LinksListAndOf", testLinksListAndOf},
}

func newLink(connector, subject string) *store.Link {
	return &store.Link{Connector: connector, Subject: subject, Kind: store.LinkPerson, PersonID: newID("p"),
		Label: "张*", CreatedBy: "client:admin", CreatedAt: now()}
}

func testLinks(t *testing.T, s store.Store) {
	ctx := t.Context()
	l := newLink("alipay", newID("2088"))
	_, err := s.GetLink(ctx, l.Connector, l.Subject)
	wantErr(t, "get before add", err, store.ErrNotFound)
	must(t, "add", s.AddLink(ctx, l))
	got, err := s.GetLink(ctx, l.Connector, l.Subject)
	must(t, "get", err)
	sameJSON(t, "get", got, l)
	// The same subject at another connector is another identity.
	_, err = s.GetLink(ctx, "wechat", l.Subject)
	wantErr(t, "same subject, other connector", err, store.ErrNotFound)

	dup := newLink(l.Connector, l.Subject)
	wantErr(t, "add again", s.AddLink(ctx, dup), store.ErrConflict)
	of, err := s.LinksOf(ctx, dup.PersonID)
	must(t, "links of the refused principal", err)
	if len(of) != 0 {
		t.Fatalf("a refused link left %d index entries", len(of))
	}
	must(t, "delete", s.DeleteLink(ctx, l.Connector, l.Subject))
	wantErr(t, "delete again", s.DeleteLink(ctx, l.Connector, l.Subject), store.ErrNotFound)
	of, err = s.LinksOf(ctx, l.PersonID)
	must(t, "links of after delete", err)
	if len(of) != 0 {
		t.Fatalf("deleted link still listed for its person")
	}
	if err := s.AddLink(ctx, newLink("alipay", "")); err == nil {
		t.Fatal("a link without subject was stored")
	}
}

func testLinksConcurrentAdd(t *testing.T, s store.Store) {
	ctx := t.Context()
	subject := newID("openid")
	errs := concurrently(contenders, func(int) error { return s.AddLink(ctx, newLink("wechat", subject)) })
	oneWinner(t, "concurrent links of one subject", errs, store.ErrConflict)
}

func testLinksListAndOf(t *testing.T, s store.Store) {
	ctx := t.Context()
	person, unit := newID("p"), "91110000000000001A"
	links := []*store.Link{
		{Connector: "x509", Subject: "sha256:bb", Kind: store.LinkAgent, PersonID: person, UnitID: unit, CreatedBy: "client:admin", CreatedAt: now()},
		{Connector: "alipay", Subject: "2088b", Kind: store.LinkPerson, PersonID: person, CreatedBy: "self-bind", CreatedAt: now()},
		{Connector: "x509", Subject: "sha256:aa", Kind: store.LinkUnit, UnitID: unit, CreatedBy: "client:admin", CreatedAt: now()},
		{Connector: "alipay", Subject: "2088a", Kind: store.LinkPerson, PersonID: newID("p"), CreatedBy: "self-bind", CreatedAt: now()},
		{Connector: "alipay-old", Subject: "2088", Kind: store.LinkPerson, PersonID: newID("p"), CreatedBy: "self-bind", CreatedAt: now()},
	}
	for _, l := range links {
		must(t, "add", s.AddLink(ctx, l))
	}
	all := collect(t, "list", func(c string, n int) ([]*store.Link, string, error) { return s.ListLinks(ctx, c, n) })
	sameJSON(t, "links in (connector, subject) order", all, []*store.Link{links[3], links[1], links[4], links[2], links[0]})
	of, err := s.LinksOf(ctx, person)
	must(t, "links of person", err)
	sameJSON(t, "links of person", of, []*store.Link{links[1], links[0]})
	of, err = s.LinksOf(ctx, unit)
	must(t, "links of unit", err)
	sameJSON(t, "links of unit", of, []*store.Link{links[2], links[0]})
	of, err = s.LinksOf(ctx, newID("p"))
	must(t, "links of nobody", err)
	if len(of) != 0 {
		t.Fatalf("unknown principal has %d links", len(of))
	}
}
