package social

import (
	"bytes"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"

	_ "golang.org/x/image/webp" // decoder

	"github.com/generia/generia/internal/generia"
)

// cleanImage decodes an uploaded image whole and encodes it again, so that
// what is stored is an image and nothing else: no metadata (EXIF, GPS,
// comments), no bytes after it, nothing that only looks like an image at
// its start. It returns the new bytes, their type and dimensions. PNG, JPEG
// and GIF keep their format (a GIF its frames); WebP becomes PNG, which the
// standard library can write. A broken, cut or disguised file gives
// KindInvalid.
func cleanImage(data []byte) (out []byte, contentType string, width, height int, err error) {
	ctype := http.DetectContentType(data)
	switch ctype {
	case "image/png", "image/jpeg", "image/webp", "image/gif":
	default:
		return nil, "", 0, 0, generia.Errorf(generia.KindInvalid, "upload a PNG, JPEG, WebP or GIF image (this looks like %s)", ctype)
	}
	// The header first: dimensions out of bounds are refused before
	// anything allocates the pixels.
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || "image/"+format != ctype {
		return nil, "", 0, 0, generia.WrapError(generia.KindInvalid, err, "the image is damaged or not what its bytes say")
	}
	if err := sides(cfg); err != nil {
		return nil, "", 0, 0, err
	}
	broken := func(err error) error {
		return generia.WrapError(generia.KindInvalid, err, "the image is broken or cut off; upload it again")
	}
	var buf bytes.Buffer
	switch format {
	case "gif":
		g, err := gif.DecodeAll(bytes.NewReader(data))
		if err != nil {
			return nil, "", 0, 0, broken(err)
		}
		g.Config = image.Config{} // recomputed from the frames
		if err := gif.EncodeAll(&buf, g); err != nil {
			return nil, "", 0, 0, broken(err)
		}
	default:
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, "", 0, 0, broken(err)
		}
		if format == "jpeg" {
			err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
		} else {
			format, ctype = "png", "image/png"
			err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
		}
		if err != nil {
			return nil, "", 0, 0, broken(err)
		}
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

// sides refuses an image whose sides are out of the upload's bounds.
func sides(cfg image.Config) error {
	if cfg.Width < MinUploadPixels || cfg.Height < MinUploadPixels || cfg.Width > MaxUploadPixels || cfg.Height > MaxUploadPixels {
		return generia.Errorf(generia.KindInvalid, "the image is %d×%d; each side must be %d to %d pixels", cfg.Width, cfg.Height, MinUploadPixels, MaxUploadPixels)
	}
	return nil
}
