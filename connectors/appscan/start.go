package appscan

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"image"
	"image/png"
	"sync"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/gjjid/gjjid/connectors"
)

// Start opens a QR session for a browser: rate-limited per client IP (per
// minute) and per authorization request, stored as waiting with only the
// poll secret's hash. The QR code is the deep-link prefix and the session
// ID: no user data.
func (c *Connector) Start(ctx context.Context, r connectors.CrossDeviceRequest) (connectors.Challenge, error) {
	now := c.now()
	n, err := c.svc.Incr(ctx, c.ipKey(r.RemoteIP, now), 2*time.Minute)
	if err != nil {
		return connectors.Challenge{}, fmt.Errorf("appscan: count QR codes of an IP: %w", err)
	}
	if n > int64(c.cfg.IPCreateLimit) {
		c.log.Info("appscan QR refused", "connector", c.id, "reason", "ip_limit", "remote_ip", r.RemoteIP)
		return connectors.Challenge{}, rateLimited(errors.New("ip_create_limit"))
	}
	n, err = c.svc.AddQRToAuthRequest(ctx, r.AuthRequestID)
	switch {
	case errors.Is(err, connectors.ErrNotFound):
		return connectors.Challenge{}, notFound(err) // the authorization request expired meanwhile
	case err != nil:
		return connectors.Challenge{}, fmt.Errorf("appscan: count QR codes of an auth request: %w", err)
	}
	if n > int64(c.cfg.RequestCreateLimit) {
		c.log.Info("appscan QR refused", "connector", c.id, "reason", "request_limit", "remote_ip", r.RemoteIP)
		return connectors.Challenge{}, rateLimited(errors.New("request_create_limit"))
	}
	data := request{AuthRequestID: r.AuthRequestID, ClientID: r.ClientID, RemoteIP: cleanField(r.RemoteIP),
		MinACR: c.minACR(r.ACRValues), UserAgent: truncateUTF8(cleanField(r.UserAgent), maxUserAgent)}.encode()
	id := rand.Text() // 26 base32 characters: 130 random bits
	secret := newSecret()
	s := &connectors.QRSession{ID: id, State: connectors.CrossDeviceWaiting, ExpiresAt: now.Add(c.cfg.Lifetime),
		PollHash: hashSecret("poll", secret), Data: data}
	if err := c.svc.CreateQR(ctx, s, keep); err != nil {
		return connectors.Challenge{}, fmt.Errorf("appscan: store QR session: %w", err)
	}
	content := c.cfg.DeepLinkPrefix + id
	img, err := qrPNG(content)
	if err != nil {
		return connectors.Challenge{}, err
	}
	if c.cfg.DevAppPage {
		c.devRemember(id)
	}
	return connectors.Challenge{ID: id, Content: content, PollSecret: secret, Image: img, ExpiresAt: s.ExpiresAt}, nil
}

// Image renders the session's QR code for the holder of its poll secret.
func (c *Connector) Image(ctx context.Context, id, pollSecret string) ([]byte, error) {
	s, err := c.svc.GetQR(ctx, id)
	switch {
	case errors.Is(err, connectors.ErrNotFound):
		return nil, notFound(err)
	case err != nil:
		return nil, fmt.Errorf("appscan: read QR session: %w", err)
	case !sameHash(s.PollHash, hashSecret("poll", pollSecret)):
		return nil, notFound(errors.New("wrong poll secret"))
	}
	return qrPNG(c.cfg.DeepLinkPrefix + id)
}

// modulePixels is the size of one QR module in the PNG: about 150 pixels
// for the usual version-3 code; the page scales it up without smoothing
// (image-rendering: pixelated), so it stays crisp at any size.
const modulePixels = 4

var pngBuffers = sync.Pool{New: func() any { return new(png.EncoderBuffer) }}

type pngPool struct{}

func (pngPool) Get() *png.EncoderBuffer  { return pngBuffers.Get().(*png.EncoderBuffer) }
func (pngPool) Put(b *png.EncoderBuffer) { pngBuffers.Put(b) }

// qrPNG encodes content at error correction level M (15 %) as a black and
// white PNG with the standard four-module quiet zone. It draws the modules
// into an 8-bit grey image itself: go-qrcode's own PNG maps every pixel
// through a palette and compresses at the slowest level, some ten times
// the cost, and a QR page is made for every login.
func qrPNG(content string) ([]byte, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("appscan: QR code: %w", err)
	}
	bits := q.Bitmap() // with the quiet zone
	size := len(bits) * modulePixels
	img := image.NewGray(image.Rect(0, 0, size, size))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y, row := range bits {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := range modulePixels {
				off := (y*modulePixels+dy)*img.Stride + x*modulePixels
				clear(img.Pix[off : off+modulePixels])
			}
		}
	}
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: pngPool{}}
	if err := enc.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("appscan: QR code PNG: %w", err)
	}
	return b.Bytes(), nil
}
