package appscan

import (
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

func BenchmarkQRPNG(b *testing.B) {
	for b.Loop() {
		if _, err := qrPNG(DefaultDeepLinkPrefix + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQRSymbol(b *testing.B) {
	for b.Loop() {
		q, _ := qrcode.New(DefaultDeepLinkPrefix+"ABCDEFGHIJKLMNOPQRSTUVWXYZ", qrcode.Medium)
		_ = q.Bitmap()
	}
}
