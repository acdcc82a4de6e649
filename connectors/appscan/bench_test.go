package appscan

import (
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

// BenchmarkQRPNG is what a QR page costs to draw: the symbol and the PNG.
func BenchmarkQRPNG(b *testing.B) {
	for b.Loop() {
		if _, err := qrPNG(DefaultDeepLinkPrefix + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQRSymbol is go-qrcode's share of it: the symbol alone.
func BenchmarkQRSymbol(b *testing.B) {
	for b.Loop() {
		q, _ := qrcode.New(DefaultDeepLinkPrefix+"ABCDEFGHIJKLMNOPQRSTUVWXYZ", qrcode.Medium)
		_ = q.Bitmap()
	}
}
