package social

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"

	"golang.org/x/image/webp"

	"github.com/generia/generia/internal/generia"
)

// MaxUploadGrowth is how many times larger than what was sent a cleaned
// image may be, beyond growthSlack: re-encoding tries more compact settings
// before it gives up (a JPEG saved at a low quality grows when saved at
// 90).
const MaxUploadGrowth = 3

// growthSlack is what any image may grow by: an encoder's tables and
// headers make a few kilobytes of a tiny file.
const growthSlack = 64 << 10

// cleanImage decodes an uploaded image whole and encodes it again, so that
// what is stored is an image and nothing else: no metadata (EXIF, GPS,
// comments), no bytes after it, nothing that only looks like an image at
// its start. It returns the new bytes, their type and dimensions. PNG, JPEG
// and GIF keep their format (a GIF its frames); a WebP, which the standard
// library cannot write, keeps its compressed picture and loses every other
// chunk (see webpPicture). A broken, cut or disguised file, or one over the
// budgets of imagebudget.go (checked from its headers before any pixel is
// decoded), gives KindInvalid. Decoding stops when ctx ends (the client
// went away) or after MaxDecodeTime; the first gives ctx's error.
func cleanImage(ctx context.Context, data []byte) (out []byte, contentType string, width, height int, err error) {
	ctype := http.DetectContentType(data)
	switch ctype {
	case "image/png", "image/jpeg", "image/webp", "image/gif":
	default:
		return nil, "", 0, 0, generia.Errorf(generia.KindInvalid, "upload a PNG, JPEG, WebP or GIF image (this looks like %s)", ctype)
	}
	// The headers first: dimensions, frames and scans out of bounds are
	// refused before anything allocates the pixels.
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || "image/"+format != ctype {
		return nil, "", 0, 0, generia.WrapError(generia.KindInvalid, err, "the image is damaged or not what its bytes say")
	}
	if err := sides(cfg); err != nil {
		return nil, "", 0, 0, err
	}
	if err := budget(data, ctype, cfg); err != nil {
		return nil, "", 0, 0, err
	}
	if format == "webp" {
		if data, err = webpPicture(data); err != nil {
			return nil, "", 0, 0, generia.WrapError(generia.KindInvalid, err, "the image is broken or cut off; upload it again")
		}
	}
	dctx, cancel := context.WithTimeout(ctx, MaxDecodeTime)
	defer cancel()
	broken := func(err error) error {
		if ctx.Err() != nil {
			return fmt.Errorf("cleaning an upload: %w", ctx.Err())
		}
		if dctx.Err() != nil {
			return generia.Errorf(generia.KindInvalid, "the image took longer than %s to read; upload a simpler one", MaxDecodeTime)
		}
		return generia.WrapError(generia.KindInvalid, err, "the image is broken or cut off; upload it again")
	}
	in := ctxReader{dctx, bytes.NewReader(data)}
	var buf bytes.Buffer
	enc := ctxWriter{dctx, &buf}
	switch format {
	case "gif":
		g, err := gif.DecodeAll(in)
		if err != nil {
			return nil, "", 0, 0, broken(err)
		}
		g.Config = image.Config{} // recomputed from the frames
		if err := gif.EncodeAll(enc, g); err != nil {
			return nil, "", 0, 0, broken(err)
		}
	case "webp":
		// Decoded whole to prove it is a picture; its picture's chunks
		// are kept as sent (webpPicture).
		if _, err := webp.Decode(in); err != nil {
			return nil, "", 0, 0, broken(err)
		}
		buf.Write(data)
	default:
		img, _, err := image.Decode(in)
		if err != nil {
			return nil, "", 0, 0, broken(err)
		}
		if err := compact(enc, format, img, len(data)); err != nil {
			return nil, "", 0, 0, broken(err)
		}
	}
	if buf.Len() > MaxUploadGrowth*len(data)+growthSlack {
		return nil, "", 0, 0, generia.Errorf(generia.KindInvalid, "the image would be stored %d times larger than sent; save it in another format", buf.Len()/len(data))
	}
	// What is kept is what was written: a GIF's frames may cover less than
	// the screen its header claims, and its size is the frames'.
	if cfg, _, err = image.DecodeConfig(bytes.NewReader(buf.Bytes())); err != nil {
		return nil, "", 0, 0, broken(err)
	}
	if err := sides(cfg); err != nil {
		return nil, "", 0, 0, err
	}
	return buf.Bytes(), ctype, cfg.Width, cfg.Height, nil
}

// compact encodes a PNG or JPEG picture fast, and again more compactly
// when the fast encoding is past sent×MaxUploadGrowth/2 (a PNG its
// optimiser squeezed, a JPEG saved at a low quality): the first encoding
// within that size, or the last, is written.
func compact(w ctxWriter, format string, img image.Image, sent int) error {
	var encoders []func(*bytes.Buffer) error
	if format == "jpeg" {
		for _, q := range []int{90, 75, 50} {
			encoders = append(encoders, func(b *bytes.Buffer) error { return jpeg.Encode(ctxWriter{w.ctx, b}, img, &jpeg.Options{Quality: q}) })
		}
	} else {
		for _, level := range []png.CompressionLevel{png.BestSpeed, png.DefaultCompression} {
			encoders = append(encoders, func(b *bytes.Buffer) error {
				return (&png.Encoder{CompressionLevel: level}).Encode(ctxWriter{w.ctx, b}, img)
			})
		}
	}
	var b bytes.Buffer
	for i, encode := range encoders {
		b.Reset()
		if err := encode(&b); err != nil {
			return err
		}
		if b.Len() <= sent*MaxUploadGrowth/2 || i == len(encoders)-1 {
			break
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// sides refuses an image whose sides are out of the upload's bounds.
func sides(cfg image.Config) error {
	if cfg.Width < MinUploadPixels || cfg.Height < MinUploadPixels || cfg.Width > MaxUploadPixels || cfg.Height > MaxUploadPixels {
		return generia.Errorf(generia.KindInvalid, "the image is %d×%d; each side must be %d to %d pixels", cfg.Width, cfg.Height, MinUploadPixels, MaxUploadPixels)
	}
	return nil
}

// webpPicture returns a WebP with only the chunks of its picture, in their
// order: the extended header (VP8X, its metadata and animation flags
// cleared), the alpha (ALPH) and the first frame (VP8 or VP8L), which is
// where the decoder stops. Metadata (EXIF, XMP, ICCP), animation and
// unknown chunks are dropped, and so is anything after the picture.
func webpPicture(data []byte) ([]byte, error) {
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return nil, errors.New("not a WebP")
	}
	out := append(make([]byte, 0, len(data)), "RIFF\x00\x00\x00\x00WEBP"...)
	for at := 12; ; {
		if at+8 > len(data) {
			return nil, errCut
		}
		id, n := string(data[at:at+4]), int(binary.LittleEndian.Uint32(data[at+4:]))
		end := at + 8 + n
		if n < 0 || end > len(data) || end < at {
			return nil, errCut
		}
		switch id {
		case "VP8X", "ALPH", "VP8 ", "VP8L":
			start := len(out)
			out = append(out, data[at:end]...)
			if n%2 == 1 {
				out = append(out, 0)
			}
			if id == "VP8X" && n >= 1 {
				const alpha = 1 << 4
				out[start+8] &= alpha
			}
		}
		if id == "VP8 " || id == "VP8L" {
			binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
			return out, nil
		}
		at = end + n%2
	}
}
