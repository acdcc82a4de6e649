package appscan

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
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
		c.log.InfoContext(ctx, "appscan QR refused", "connector", c.ID(), "reason", "ip_limit", "remote_ip", r.RemoteIP)
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
		c.log.InfoContext(ctx, "appscan QR refused", "connector", c.ID(), "reason", "request_limit", "remote_ip", r.RemoteIP)
		return connectors.Challenge{}, rateLimited(errors.New("request_create_limit"))
	}
	data := request{AuthRequestID: r.AuthRequestID, ClientID: r.ClientID, RemoteIP: cleanField(r.RemoteIP),
		MinACR: c.minACR(r.ACRValues), UserAgent: truncateUTF8(cleanField(r.UserAgent), maxUserAgent)}.encode()
	id := rand.Text() // 26 base32 characters: 130 random bits
	secret := connectors.RandomSecret()
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

// idLength is the length of a session ID: rand.Text's 26 base32 characters.
const idLength = 26

// qrVersion is the QR version (1-40; 17+4·version modules a side) of a
// code made with prefix and a letters-only ID. When prefix and ID are all
// in QR alphanumeric mode every ID gives that version (exact); otherwise
// go-qrcode's choice of segments depends on where the ID's digits fall,
// and some IDs take a version more.
func qrVersion(prefix string) (version int, exact bool, err error) {
	q, err := qrcode.New(prefix+strings.Repeat("A", idLength), qrcode.Medium)
	if err != nil {
		return 0, false, fmt.Errorf("appscan: QR code: %w", err)
	}
	return q.VersionNumber, !strings.ContainsFunc(prefix, notAlphanumeric), nil
}

// notAlphanumeric reports a character QR alphanumeric mode cannot write.
func notAlphanumeric(r rune) bool {
	return !('0' <= r && r <= '9' || 'A' <= r && r <= 'Z' || strings.ContainsRune(" $%*+-./:", r))
}

// modulePixels is the size of one QR module in the PNG: 132 pixels for
// the default prefix's version-2 code with its quiet zone; the page scales it up without smoothing
// (image-rendering: pixelated), so it stays crisp at any size.
const modulePixels = 4

// zlibWriters are reused: a deflate compressor is large to allocate.
var zlibWriters = sync.Pool{New: func() any {
	w, _ := zlib.NewWriterLevel(io.Discard, zlib.BestSpeed)
	return w
}}

// qrPNG encodes content at error correction level M (15 %) as a 1-bit
// greyscale PNG with the standard four-module quiet zone. It writes the PNG
// itself, packing eight pixels a byte straight from the module bitmap:
// go-qrcode's PNG, and image/png on a two-colour image, map every pixel
// through a palette one call at a time, which costs more than the QR
// symbol, and a QR page is made for every login.
func qrPNG(content string) ([]byte, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("appscan: QR code: %w", err)
	}
	bits := q.Bitmap() // with the quiet zone
	size := len(bits) * modulePixels
	stride := 1 + (size+7)/8 // filter type byte, then the packed row
	raw := make([]byte, stride*size)
	for y, row := range bits {
		line := raw[y*modulePixels*stride : (y*modulePixels+1)*stride]
		for x := range size {
			if !row[x/modulePixels] { // white is 1
				line[1+x/8] |= 0x80 >> (x % 8)
			}
		}
		for dy := 1; dy < modulePixels; dy++ {
			copy(raw[(y*modulePixels+dy)*stride:], line)
		}
	}
	var idat bytes.Buffer
	zw := zlibWriters.Get().(*zlib.Writer)
	zw.Reset(&idat)
	_, _ = zw.Write(raw)
	err = zw.Close()
	zlibWriters.Put(zw)
	if err != nil {
		return nil, fmt.Errorf("appscan: QR code PNG: %w", err)
	}
	var b bytes.Buffer
	b.Grow(8 + 25 + 12 + idat.Len() + 12)
	b.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(size))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(size))
	ihdr[8] = 1 // bit depth; colour type 0 (grey), deflate, filters per row, no interlace
	pngChunk(&b, "IHDR", ihdr[:])
	pngChunk(&b, "IDAT", idat.Bytes())
	pngChunk(&b, "IEND", nil)
	return b.Bytes(), nil
}

// pngChunk writes one chunk: length, type, data, CRC of type and data.
func pngChunk(b *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	b.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	b.WriteString(typ)
	b.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	b.Write(n[:])
}
