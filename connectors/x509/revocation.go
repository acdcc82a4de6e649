package x509

import (
	"bytes"
	"context"
	gox509 "crypto/x509"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	neturl "net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emmansun/gmsm/smx509"
	"golang.org/x/crypto/ocsp"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/redact"
)

// Revocation outcomes that refuse a login.
var (
	errRevoked                = errors.New("certificate is revoked")
	errRevocationUnavailable  = errors.New("revocation status unavailable")
	errNoRevocationSource     = errors.New("no CRL or OCSP source for the certificate")
	errRevocationSourceFailed = errors.New("revocation source failed")
)

// Limits of revocation fetches.
const (
	maxCRLSize   = 32 << 20
	maxOCSPSize  = 64 << 10
	crlNoNextTTL = time.Hour // a CRL without nextUpdate is kept this long
)

// Revocation is one CA's revocation policy.
type Revocation struct {
	// Off skips revocation (test CAs only; refused with link_policy auto).
	Off bool
	// CRLURLs are fetched for every certificate of the CA; when empty, the
	// certificate's own distribution points are (if DistributionPoints).
	CRLURLs            []string
	DistributionPoints bool
	// OCSP asks the responder a certificate names (AIA) first.
	OCSP bool
	// Grace is how long past its nextUpdate a cached CRL still answers
	// while no fresh one can be fetched; after it, logins fail closed.
	Grace   time.Duration
	Timeout time.Duration
}

// revocationChecker caches CRLs by URL until their nextUpdate. It alone
// owns the cache and its mutexes.
type revocationChecker struct {
	client *http.Client
	now    func() time.Time
	mu     sync.Mutex
	crls   map[string]*crlEntry
	// reports is what status tells monitoring, kept apart from crls so
	// that a scrape never waits for a fetch in progress.
	reports map[string]connectors.CRLStatus
}

type crlEntry struct {
	mu         sync.Mutex // held while fetching: one fetch per URL at a time
	issuer     []byte     // RawIssuer of the CRL
	revoked    map[string]struct{}
	nextUpdate time.Time
}

func newRevocationChecker(client *http.Client, now func() time.Time) *revocationChecker {
	return &revocationChecker{client: client, now: now, crls: map[string]*crlEntry{}, reports: map[string]connectors.CRLStatus{}}
}

// check answers whether leaf, issued by issuer, may log in under p: OCSP
// when the certificate names a responder, else (or when it does not
// answer) the CRLs; revoked by either refuses; neither answering refuses.
func (rc *revocationChecker) check(ctx context.Context, p Revocation, leaf, issuer *cert) error {
	if p.Off {
		return nil
	}
	var failures []error
	if p.OCSP && len(leaf.OCSPServer) > 0 {
		status, err := rc.ocsp(ctx, p, leaf, issuer)
		switch {
		case err != nil:
			failures = append(failures, err)
		case status == ocsp.Revoked:
			return fmt.Errorf("%w (OCSP)", errRevoked)
		case status == ocsp.Good:
			return nil
		}
	}
	urls := p.CRLURLs
	if len(urls) == 0 && p.DistributionPoints {
		for _, u := range leaf.CRLDistributionPoints {
			if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
				urls = append(urls, u)
			}
		}
	}
	for _, u := range urls {
		revoked, err := rc.crlSays(ctx, p, u, leaf, issuer)
		if err != nil {
			failures = append(failures, err)
			continue
		}
		if revoked {
			return fmt.Errorf("%w (CRL)", errRevoked)
		}
		return nil
	}
	if len(failures) == 0 {
		return errNoRevocationSource
	}
	return fmt.Errorf("%w: %w", errRevocationUnavailable, errors.Join(failures...))
}

func (rc *revocationChecker) report(s connectors.CRLStatus) {
	rc.mu.Lock()
	rc.reports[s.URL] = s
	rc.mu.Unlock()
}

// status reports every cached CRL, sorted by URL.
func (rc *revocationChecker) status() []connectors.CRLStatus {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make([]connectors.CRLStatus, 0, len(rc.reports))
	for _, url := range slices.Sorted(maps.Keys(rc.reports)) {
		out = append(out, rc.reports[url])
	}
	return out
}

// crlSays answers from the CRL at url, fetching it when the cached one is
// past its nextUpdate; a stale one answers within the grace.
func (rc *revocationChecker) crlSays(ctx context.Context, p Revocation, url string, leaf, issuer *cert) (bool, error) {
	rc.mu.Lock()
	e := rc.crls[url]
	if e == nil {
		e = &crlEntry{}
		rc.crls[url] = e
	}
	rc.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	now := rc.now()
	if e.revoked == nil || !now.Before(e.nextUpdate) {
		fresh, err := rc.fetchCRL(ctx, p, url, issuer)
		if e.revoked != nil || err == nil {
			if err == nil {
				e.issuer, e.revoked, e.nextUpdate = fresh.issuer, fresh.revoked, fresh.nextUpdate
			}
			rc.report(connectors.CRLStatus{URL: url, NextUpdate: e.nextUpdate, RefreshFailed: err != nil})
		}
		switch {
		case err == nil:
		case e.revoked != nil && now.Before(e.nextUpdate.Add(p.Grace)):
			// Stale but inside the grace: answer from it.
		default:
			return false, err
		}
	}
	if !bytes.Equal(e.issuer, leaf.RawIssuer) {
		return false, fmt.Errorf("%w: CRL %s is of another issuer", errRevocationSourceFailed, shownURL(url))
	}
	_, revoked := e.revoked[string(leaf.SerialNumber.Bytes())]
	return revoked, nil
}

func (rc *revocationChecker) fetchCRL(ctx context.Context, p Revocation, url string, issuer *cert) (*crlEntry, error) {
	body, err := rc.get(ctx, p, http.MethodGet, url, nil, "", maxCRLSize)
	if err != nil {
		return nil, err
	}
	crl, err := gox509.ParseRevocationList(body)
	if err != nil {
		return nil, fmt.Errorf("%w: CRL %s: %v", errRevocationSourceFailed, shownURL(url), err)
	}
	if issuer.sm {
		err = issuer.smx().CheckSignature(smx509.SM2WithSM3, crl.RawTBSRevocationList, crl.Signature)
	} else {
		err = crl.CheckSignatureFrom(issuer.Certificate)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: CRL %s: signature: %v", errRevocationSourceFailed, shownURL(url), err)
	}
	now := rc.now()
	next := crl.NextUpdate
	if next.IsZero() {
		next = now.Add(crlNoNextTTL)
	}
	e := &crlEntry{issuer: crl.RawIssuer, nextUpdate: next, revoked: make(map[string]struct{}, len(crl.RevokedCertificateEntries))}
	for _, r := range crl.RevokedCertificateEntries {
		e.revoked[string(r.SerialNumber.Bytes())] = struct{}{}
	}
	return e, nil
}

// ocsp asks the certificate's responder (RFC 6960); the answer must be
// signed by the issuer or a responder it delegated to, and current. SM2
// CAs' answers (SM2-with-SM3) are verified by parseSM2OCSP; the request is
// the same (CertID hashes of the issuer's raw name and key, SHA-1).
func (rc *revocationChecker) ocsp(ctx context.Context, p Revocation, leaf, issuer *cert) (int, error) {
	req, err := ocsp.CreateRequest(leaf.Certificate, issuer.Certificate, nil)
	if err != nil {
		return 0, fmt.Errorf("%w: OCSP request: %v", errRevocationSourceFailed, err)
	}
	body, err := rc.get(ctx, p, http.MethodPost, leaf.OCSPServer[0], req, "application/ocsp-request", maxOCSPSize)
	if err != nil {
		return 0, err
	}
	now := rc.now()
	var a *ocspAnswer
	if issuer.sm {
		a, err = parseSM2OCSP(body, leaf, issuer, now)
	} else {
		var resp *ocsp.Response
		resp, err = ocsp.ParseResponseForCert(body, leaf.Certificate, issuer.Certificate)
		if err == nil {
			a = &ocspAnswer{Status: resp.Status, ThisUpdate: resp.ThisUpdate, NextUpdate: resp.NextUpdate}
		}
	}
	if err != nil {
		return 0, fmt.Errorf("%w: OCSP: %v", errRevocationSourceFailed, err)
	}
	if a.ThisUpdate.After(now.Add(5*time.Minute)) || (!a.NextUpdate.IsZero() && now.After(a.NextUpdate)) {
		return 0, fmt.Errorf("%w: OCSP answer not current", errRevocationSourceFailed)
	}
	return a.Status, nil
}

func (rc *revocationChecker) get(ctx context.Context, p Revocation, method, url string, body []byte, ctype string, limit int64) ([]byte, error) {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = DefaultRevocationTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errRevocationSourceFailed, shownURL(url), err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := rc.client.Do(req)
	if err != nil {
		// A *url.Error quotes the whole URL, credentials included.
		var ue *neturl.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%w: %s: %v", errRevocationSourceFailed, shownURL(url), sentIn(url).Wrap(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s: HTTP %d", errRevocationSourceFailed, shownURL(url), resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errRevocationSourceFailed, shownURL(url), err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: %s: larger than %d bytes", errRevocationSourceFailed, shownURL(url), limit)
	}
	return b, nil
}

// shownURL is a CRL or OCSP URL for logs: without user info (a configured
// CRL URL may carry a password) and query. Responders' answers are DER,
// never quoted; a failure is named by this URL and the HTTP status only.
func shownURL(u string) string {
	p, err := neturl.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	p.User, p.RawQuery, p.Fragment = nil, "", ""
	return redact.Text(p.String())
}

// sentIn records the credentials a URL carries, for transport errors
// that quote them.
func sentIn(u string) *redact.Sent {
	var sent redact.Sent
	if p, err := neturl.Parse(u); err == nil && p.User != nil {
		pw, _ := p.User.Password()
		sent.Add(pw, p.User.String())
	}
	return &sent
}
