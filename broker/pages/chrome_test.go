package pages_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gjjid/gjjid/broker/brokertest/chrometest"
)

// chromiumTimeout bounds each browser's life in the pages' tests, which
// walk longer than a login does.
const chromiumTimeout = 60 * time.Second

// startChrome starts the shared headless Chromium as the people's pages
// are used most: on a phone, in Chinese. The favicon's 404 is no error of
// the pages'.
func startChrome(t *testing.T) *chrometest.Chrome {
	t.Helper()
	return chrometest.Start(t, chrometest.Options{AcceptLanguage: "zh-CN,zh;q=0.9", Phone: true, Timeout: chromiumTimeout, IgnoreFavicon: true})
}

// loaded waits until the page's scripts ran (the demo signer listens for
// the file input only then).
var loaded = chromedp.Poll[chromedp.Void](`document.readyState === "complete" && !!window.gjjidCertChallenge`)

// certSignIn opens u, chooses the certificate login and signs in with the
// demo signer and the given certificate and key files.
func certSignIn(c *chrometest.Chrome, u, certFile, keyFile string) {
	c.T.Helper()
	c.Do("open "+u, chromedp.Navigate(u))
	c.Do("choose the certificate", chromedp.WaitVisible(chromedp.CSS(`a[href^="/login/cert"]`)), chromedp.Click(chromedp.CSS(`a[href^="/login/cert"]`)))
	signWithDemo(c, "sign with the demo signer", certFile, keyFile)
}

// signWithDemo gives the demo signer of the page the certificate and key
// files, once the page's scripts ran.
func signWithDemo(c *chrometest.Chrome, what, certFile, keyFile string) {
	c.T.Helper()
	c.Do(what, chromedp.WaitReady(chromedp.ID("cert-demo-files")), loaded,
		chromedp.SetUploadFiles(chromedp.ID("cert-demo-files"), []string{certFile, keyFile}))
}
