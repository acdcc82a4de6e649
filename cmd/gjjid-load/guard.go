package main

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// lookupFunc resolves a host name (net.DefaultResolver.LookupNetIP in
// production; tests pass their own).
type lookupFunc func(ctx context.Context, host string) ([]netip.Addr, error)

// checkIssuer accepts an http(s) issuer whose host is a loopback address,
// localhost, or a name that resolves only to loopback addresses. With
// allowRemote any host is accepted.
func checkIssuer(ctx context.Context, issuer string, allowRemote bool, lookup lookupFunc) error {
	u, err := url.Parse(issuer)
	if err != nil {
		return fmt.Errorf("--issuer: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("--issuer %q: want an http:// or https:// URL", issuer)
	}
	host := u.Hostname()
	if host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("--issuer %q: want scheme://host[:port][/path]", issuer)
	}
	if allowRemote {
		return nil
	}
	refuse := fmt.Errorf("--issuer %q is not a loopback address; gjjid-load only loads brokers on this machine (--allow-remote overrides)", issuer)
	if h := strings.ToLower(strings.TrimSuffix(host, ".")); h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return nil // RFC 6761; the dialer still checks where it connects
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if !ip.IsLoopback() {
			return refuse
		}
		return nil
	}
	if lookup == nil {
		lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := lookup(ctx, host)
	if err != nil {
		return fmt.Errorf("--issuer: resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return fmt.Errorf("--issuer: %s has no addresses", host)
	}
	for _, a := range addrs {
		if !a.Unmap().IsLoopback() {
			return refuse
		}
	}
	return nil
}

// loopbackOnly is a net.Dialer Control function: it refuses every
// connection to a non-loopback address, whatever a name resolved to or
// where a discovery document or redirect points.
func loopbackOnly(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("gjjid-load: refusing to connect to %s: %w", address, err)
	}
	if !ap.Addr().Unmap().IsLoopback() {
		return fmt.Errorf("gjjid-load: refusing to connect to non-loopback %s (--allow-remote overrides)", address)
	}
	return nil
}
