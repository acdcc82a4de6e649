package main

import (
	"slices"
	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

// TestRegistriesAgree: the test brokers offer the connector types the real
// binary does, so broker tests exercise what ships.
func TestRegistriesAgree(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{})
	got := bt.Registry(b.Broker, bt.Options{}).Types()
	want := connectorRegistry(b.Accounts.Directory()).Types()
	if !slices.Equal(got, want) {
		t.Fatalf("brokertest registry %v, gjjid registry %v", got, want)
	}
}
