package social

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"math/bits"
	"runtime"
	"testing"
	"time"

	gowebp "github.com/gen2brain/webp"

	"github.com/generia/generia/internal/generia"
)

// gifBomb is a GIF of frames 4096×4096 pixels of one colour each, written
// as compactly as an encoder writes them (about 11.6 KB a frame): one
// frame is encoded and its block repeated.
func gifBomb(t testing.TB, frames int) []byte {
	t.Helper()
	frame := image.NewPaletted(image.Rect(0, 0, 4096, 4096), []color.Color{color.Black, color.White})
	var one bytes.Buffer
	if err := gif.EncodeAll(&one, &gif.GIF{Image: []*image.Paletted{frame}, Delay: []int{0}}); err != nil {
		t.Fatal(err)
	}
	// header, screen and global palette; the frame's descriptor and data;
	// the trailer.
	b := one.Bytes()
	start := 13
	if b[10]&0x80 != 0 {
		start += 3 << (b[10]&7 + 1)
	}
	block := b[start : len(b)-1]
	out := append([]byte{}, b[:start]...)
	for range frames {
		out = append(out, block...)
	}
	return append(out, 0x3B)
}

// jpegBomb is a progressive greyscale JPEG of 4096×4096 pixels with a DC
// scan and then scans of 30 bytes each that end every block of the
// picture at once (runs of 16384 blocks): each costs its decoder a pass
// over the 262,144 blocks. side is a power of two. With colour, the frame
// has three components at full resolution, of which the scans code the
// first.
func jpegBomb(side, scans int, colour ...bool) []byte {
	seg := func(marker byte, body ...byte) []byte {
		return append([]byte{0xFF, marker, byte((len(body) + 2) >> 8), byte(len(body) + 2)}, body...)
	}
	out := []byte{0xFF, 0xD8}
	out = append(out, seg(0xDB, append([]byte{0}, bytes.Repeat([]byte{1}, 64)...)...)...)
	sof := []byte{8, byte(side >> 8), byte(side), byte(side >> 8), byte(side), 1, 1, 0x11, 0}
	if len(colour) > 0 && colour[0] {
		sof[5] = 3
		sof = append(sof, 2, 0x11, 0, 3, 0x11, 0)
	}
	out = append(out, seg(0xC2, sof...)...)
	blocks := (side / 8) * (side / 8)
	// A run ends 2^r blocks (r at most 14), coded as one bit of 0 and r
	// bits of 0.
	r := min(bits.Len(uint(blocks))-1, 14)
	one := make([]byte, 16)
	one[0] = 1 // one code of one bit
	dht := append(append(append([]byte{0x00}, one...), 0x00), append(append([]byte{0x10}, one...), byte(r<<4))...)
	out = append(out, seg(0xC4, dht...)...)
	// DC: category 0 (code 0) for every block.
	out = append(out, seg(0xDA, 1, 1, 0x00, 0, 0, 0)...)
	out = append(out, make([]byte, (blocks+7)/8)...)
	acBits := (blocks >> r) * (1 + r)
	for range scans - 1 {
		out = append(out, seg(0xDA, 1, 1, 0x00, 1, 63, 0)...)
		out = append(out, make([]byte, (acBits+7)/8)...)
	}
	return append(out, 0xFF, 0xD9)
}

// pngChunk is a PNG chunk with its length and checksum.
func pngChunk(kind string, body []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	out = append(append(out, kind...), body...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(kind), body...)))
}

// pngBomb is a whole PNG of 4096×4096 pixels of colour and alpha of a
// depth (8 or 16 bits), all zero: at 16 bits, about 130 KB sent and 128 MB
// once decoded.
func pngBomb(t testing.TB, depth int) []byte {
	t.Helper()
	const side = 4096
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, side), side)
	ihdr = append(ihdr, byte(depth), 6, 0, 0, 0)
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	row := make([]byte, 1+side*depth/2)
	for range side {
		if _, err := zw.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", z.Bytes())...)
	return append(out, pngChunk("IEND", nil)...)
}

// webpBomb is a lossless WebP of side×side pixels of one colour: a picture
// of one colour costs no bits a pixel, so the stream of a small one,
// under a header that says side, decodes to side×side (4096: 34 bytes
// sent, 128 MB decoded).
func webpBomb(t testing.TB, side int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gowebp.Encode(&b, image.NewNRGBA(image.Rect(0, 0, 64, 64)), gowebp.Options{Lossless: true}); err != nil {
		t.Fatal(err)
	}
	out := b.Bytes()
	at := bytes.Index(out, []byte("VP8L")) + 8 + 1 // past the chunk's header and the signature byte
	bits := binary.LittleEndian.Uint32(out[at:])
	bits = bits&^(1<<28-1) | uint32(side-1) | uint32(side-1)<<14
	binary.LittleEndian.PutUint32(out[at:], bits)
	return out
}

// allocated is how many bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Decompression bombs, built at their real sizes, are refused as invalid
// from their headers: the refusal allocates a few megabytes at most, not
// the gigabytes of pixels they describe.
func TestCleanImageRefusesBombs(t *testing.T) {
	cut := pngBomb(t, 8)
	cut = append(append(cut[:33:33], pngChunk("IDAT", []byte{0x78, 0x9C, 0x63})...), pngChunk("IEND", nil)...)
	for name, bomb := range map[string][]byte{
		"gif of 30 frames of 4096×4096":         gifBomb(t, 30),
		"gif of 200 frames of 4096×4096":        gifBomb(t, 200),
		"jpeg of 1000 progressive scans":        jpegBomb(4096, 1000),
		"jpeg of 40 progressive scans":          jpegBomb(4096, 40),
		"jpeg of 4096×4096 progressive 4:4:4":   jpegBomb(4096, 5, true),
		"png of 4096×4096 16-bit colour, zeros": pngBomb(t, 16),
		"png claiming 4096×4096 over 3 bytes":   cut,
		"lossless webp of 4096×4096":            webpBomb(t, 4096),
	} {
		t.Run(name, func(t *testing.T) {
			var err error
			n := allocated(func() { _, _, _, _, err = cleanImage(t.Context(), bomb) })
			if !generia.IsKind(err, generia.KindInvalid) {
				t.Errorf("a bomb of %d KB: %v, want KindInvalid", len(bomb)>>10, err)
			}
			if n > 4<<20 {
				t.Errorf("refusing a bomb of %d KB allocated %d MB", len(bomb)>>10, n>>20)
			}
			t.Logf("%d KB refused: %v", len(bomb)>>10, err)
		})
	}
}

// A GIF and a progressive JPEG within the budgets are kept, so the header
// walks read real files right.
func TestCleanImageWithinBudgets(t *testing.T) {
	for name, img := range map[string][]byte{
		"progressive jpeg of 10 scans": jpegBomb(512, 10),
		"gif of 2 frames":              encoded(t, "gif"),
	} {
		if _, _, _, _, err := cleanImage(t.Context(), img); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// webpWithExif is a WebP of the extended format with an EXIF chunk after
// its picture, as cameras and editors write it.
func webpWithExif(t testing.TB, w, h int, secret string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gowebp.Encode(&b, picture(w, h), gowebp.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	simple := b.Bytes()
	vp8 := simple[12:] // the one VP8 chunk of the simple format
	x := []byte{0x08, 0, 0, 0, byte(w - 1), byte((w - 1) >> 8), byte((w - 1) >> 16), byte(h - 1), byte((h - 1) >> 8), byte((h - 1) >> 16)}
	chunk := func(id string, body []byte) []byte {
		out := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
		out = append(out, body...)
		if len(body)%2 == 1 {
			out = append(out, 0)
		}
		return out
	}
	body := append([]byte("WEBP"), chunk("VP8X", x)...)
	body = append(body, vp8...)
	body = append(body, chunk("EXIF", []byte("Exif\x00\x00"+secret))...)
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}

// A WebP stays a WebP, no larger than sent, and loses its metadata (a
// 2.7 MB WebP was stored as an 82 MB PNG).
func TestCleanImageKeepsWebPCompact(t *testing.T) {
	in := webpWithExif(t, 640, 480, "GPS 52.5200N 13.4050E")
	out, ctype, w, h, err := cleanImage(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "image/webp" || w != 640 || h != 480 {
		t.Errorf("stored as %s %d×%d, want image/webp 640×480", ctype, w, h)
	}
	if len(out) > len(in) {
		t.Errorf("a WebP of %d bytes stored as %d", len(in), len(out))
	}
	if bytes.Contains(out, []byte("GPS")) || bytes.Contains(out, []byte("EXIF")) {
		t.Error("the EXIF was kept")
	}
	if _, format, err := image.Decode(bytes.NewReader(out)); err != nil || format != "webp" {
		t.Errorf("what is stored does not decode as a WebP: %s, %v", format, err)
	}
}

// A request whose client went away stops decoding and stores nothing.
func TestCleanImageStopsWhenTheClientGoes(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, _, _, err := cleanImage(ctx, encodedSize(t, 2048, 2048))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("a decode for a client that left: %v, want it stopped (context canceled)", err)
	}
}

// BenchmarkRefuseBomb measures refusing the largest bombs that fit an
// upload (MaxUploadBytes): CPU time is ns/op, and B/op bounds the memory
// the refusal takes.
func BenchmarkRefuseBomb(b *testing.B) {
	perFrame := len(gifBomb(b, 2)) - len(gifBomb(b, 1))
	perScan := len(jpegBomb(4096, 3)) - len(jpegBomb(4096, 2))
	for _, bc := range []struct {
		name string
		bomb []byte
	}{
		{"gif of 4096×4096 frames", gifBomb(b, (MaxUploadBytes-1024)/perFrame)},
		{"jpeg of progressive scans", jpegBomb(4096, (MaxUploadBytes-len(jpegBomb(4096, 1)))/perScan)},
		{"jpeg progressive 4096×4096 4:4:4", jpegBomb(4096, 5, true)},
		{"png 4096×4096 of 16-bit zeros", pngBomb(b, 16)},
		{"lossless webp 4096×4096", webpBomb(b, 4096)},
	} {
		if len(bc.bomb) > MaxUploadBytes {
			b.Fatalf("%s: %d bytes, more than an upload", bc.name, len(bc.bomb))
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.bomb)))
			for b.Loop() {
				if _, _, _, _, err := cleanImage(b.Context(), bc.bomb); !generia.IsKind(err, generia.KindInvalid) {
					b.Fatalf("not refused: %v", err)
				}
			}
		})
	}
}

// BenchmarkUploadPhoto measures the upload of a photo of about 1.6 MB
// (a 3000×2000 JPEG of fine detail), for comparison: reserved, decoded,
// encoded, stored and recorded.
func BenchmarkUploadPhoto(b *testing.B) {
	img := image.NewRGBA(image.Rect(0, 0, 3000, 2000))
	seed := uint32(1)
	for i := range img.Pix {
		seed = seed*1664525 + 1013904223
		img.Pix[i] = byte(i/7) ^ byte(seed>>28) // gradients with a little grain
	}
	var photo bytes.Buffer
	if err := jpeg.Encode(&photo, img, &jpeg.Options{Quality: 85}); err != nil {
		b.Fatal(err)
	}
	s, _ := fixture(b)
	s.UploadQuota = UploadQuota{Images: 1 << 30, Bytes: 1 << 60, Period: time.Hour}
	b.ReportAllocs()
	b.SetBytes(int64(photo.Len()))
	for b.Loop() {
		if _, err := s.Upload(b.Context(), "ada", "w1", bytes.NewReader(photo.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(photo.Len())/(1<<20), "MB-sent")
}

// A WebP with transparency keeps it.
func TestCleanImageKeepsWebPAlpha(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 96, 96))
	for y := range 96 {
		for x := range 96 {
			img.Set(x, y, color.NRGBA{200, 40, 40, uint8(min(255, x*4))})
		}
	}
	var in bytes.Buffer
	if err := gowebp.Encode(&in, img, gowebp.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(in.Bytes(), []byte("ALPH")) {
		t.Fatal("the encoder wrote no alpha chunk")
	}
	out, ctype, _, _, err := cleanImage(t.Context(), in.Bytes())
	if err != nil || ctype != "image/webp" {
		t.Fatalf("%s, %v", ctype, err)
	}
	got, _, err := image.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, a := got.At(0, 50).RGBA(); a != 0 {
		t.Errorf("a transparent pixel has alpha %d", a)
	}
	if _, _, _, a := got.At(95, 50).RGBA(); a != 0xFFFF {
		t.Errorf("an opaque pixel has alpha %d", a)
	}
}

// BenchmarkCleanWithinBudgets measures the costliest uploads the header
// budgets let through to the decoder: what one upload can cost at most,
// whether it is then kept or refused (the JPEG of zeros would grow more
// than MaxUploadGrowth).
func BenchmarkCleanWithinBudgets(b *testing.B) {
	png8 := pngBomb(b, 8) // 64 MB decoded
	for _, bc := range []struct {
		name string
		img  []byte
	}{
		{"gif of 3 frames of 4096×4096", gifBomb(b, 3)},
		{"jpeg 4096×4096 grey of 32 progressive scans", jpegBomb(4096, 32)},
		{"png 4096×4096 8-bit colour and alpha", png8},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, _, err := cleanImage(b.Context(), bc.img); err != nil && !generia.IsKind(err, generia.KindInvalid) {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(bc.img))/(1<<10), "KB-sent")
		})
	}
}
