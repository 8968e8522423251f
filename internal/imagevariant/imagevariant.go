// Package imagevariant makes the smaller, compact copies of stored images
// that pages show: an avatar drawn at 36 pixels downloads a few kilobytes,
// not the 512-pixel PNG it was made as.
package imagevariant

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // decoders of what may be stored
	_ "image/jpeg"
	_ "image/png"
	"io"

	"github.com/gen2brain/webp"
	"golang.org/x/image/draw"

	"github.com/generia/generia/internal/generia"
)

// MaxSide is the longest side, in pixels, of an image this package reads:
// uploads are smaller (4096), and a provider's images are made at the size
// asked for.
const MaxSide = 8192

// Quality is the WebP quality of variants: at 70 a painted 320-pixel post
// image is about 8 KB, 40% less than a JPEG of it.
const Quality = 70

// ContentType is the variants' format.
const ContentType = "image/webp"

// Variant is one made copy.
type Variant struct {
	Data          []byte
	ContentType   string
	Width, Height int
}

// MaxStoredBytes caps what is read of a stored image to make its variant:
// uploads are smaller, a provider's images less still.
const MaxStoredBytes = 32 << 20

// ReadStored reads a stored object whole; one larger than MaxStoredBytes
// gives KindTooLarge.
func ReadStored(ctx context.Context, files generia.MediaStore, key string) ([]byte, error) {
	body, err := files.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, MaxStoredBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxStoredBytes {
		return nil, generia.Errorf(generia.KindTooLarge, "the stored object %s is larger than %d MB", key, MaxStoredBytes>>20)
	}
	return data, nil
}

// Rows finds a media's row: what Store asks, after storing a variant,
// whether the media is still there.
type Rows interface {
	Media(ctx context.Context, id string) (generia.Media, error)
}

// Store makes the variant of the stored media m at width (a width of
// generia.Media.Variant: 0 is its own size) and stores it under its key
// beside the media. A generated picture is smoothed of its dither; a
// person's upload never is. When m's row is gone once the variant is stored
// (its world was deleted meanwhile, and with it the keys of its variants),
// the variant is deleted again, so that none outlives its media.
func Store(ctx context.Context, files generia.MediaStore, rows Rows, m generia.Media, width int) (Variant, error) {
	original, err := ReadStored(ctx, files, m.ObjectKey)
	if err != nil {
		return Variant{}, err
	}
	v, err := Make(original, width, m.Kind != generia.MediaUpload)
	if err != nil {
		return Variant{}, fmt.Errorf("media %s: %w", m.ID, err)
	}
	key := generia.VariantKey(m.ObjectKey, width)
	if err := files.Put(ctx, key, v.ContentType, v.Data); err != nil {
		return Variant{}, fmt.Errorf("storing the %d variant of media %s: %w", width, m.ID, err)
	}
	if _, err := rows.Media(ctx, m.ID); generia.IsKind(err, generia.KindNotFound) {
		if err := files.Delete(ctx, key); err != nil {
			return Variant{}, fmt.Errorf("deleting the %d variant of deleted media %s: %w", width, m.ID, err)
		}
		return Variant{}, err
	} else if err != nil {
		return Variant{}, err
	}
	return v, nil
}

// Make returns the variant of the image in data that is at most width
// pixels wide, its aspect ratio kept; width 0, or a width at least the
// image's own, keeps its size. A variant is a WebP (lossy, transparency
// kept). An image that cannot be read, or is larger than
// MaxSide, gives KindInvalid. A PNG or JPEG that is no wider than asked and
// smaller than its variant would be is returned as it is. A generated
// picture that is dithered (paletted) is smoothed first when undither is
// set; a person's upload never is, so pixel art keeps its pixels.
func Make(data []byte, width int, undither bool) (Variant, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Variant{}, generia.WrapError(generia.KindInvalid, err, "the stored image cannot be read")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxSide || cfg.Height > MaxSide {
		return Variant{}, generia.Errorf(generia.KindInvalid, "the stored image is %d×%d, more than %d pixels a side", cfg.Width, cfg.Height, MaxSide)
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return Variant{}, generia.WrapError(generia.KindInvalid, err, "the stored image cannot be read")
	}
	if p, ok := src.(*image.Paletted); ok && undither {
		src = smooth(p)
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if width > 0 && width < w {
		h = max(1, (h*width+w/2)/w)
		w = width
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	resized := w != b.Dx()
	if resized {
		draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	} else {
		draw.Copy(dst, image.Point{}, src, b, draw.Src, nil)
	}
	var buf bytes.Buffer
	if err := webp.Encode(&buf, dst, webp.Options{Quality: Quality, Method: webp.DefaultMethod}); err != nil {
		return Variant{}, fmt.Errorf("encoding a %d×%d variant: %w", w, h, err)
	}
	v := Variant{Data: buf.Bytes(), ContentType: ContentType, Width: w, Height: h}
	if !resized && len(v.Data) >= len(data) && (format == "png" || format == "jpeg") {
		// A flat PNG can be smaller than its JPEG: keep what is smaller.
		return Variant{Data: data, ContentType: "image/" + format, Width: w, Height: h}, nil
	}
	return v, nil
}

// smooth turns a paletted image back into the gradients its dither
// stands for: each pixel becomes the mean of the 4×4 square around it, the
// period of an ordered dither (the offline painter's). A dithered picture
// costs a lossy encoder twice the bytes of the same picture smooth.
func smooth(p *image.Paletted) *image.NRGBA {
	b := p.Bounds()
	w, h := b.Dx(), b.Dy()
	// sums[c][(y)*(w+1)+x] is the sum of channel c over the pixels above
	// and left of (x, y): any square's sum in four lookups.
	var sums [4][]uint32
	for c := range sums {
		sums[c] = make([]uint32, (w+1)*(h+1))
	}
	pal := make([][4]uint32, len(p.Palette))
	for i, col := range p.Palette {
		n := color.NRGBAModel.Convert(col).(color.NRGBA)
		pal[i] = [4]uint32{uint32(n.R), uint32(n.G), uint32(n.B), uint32(n.A)}
	}
	for y := range h {
		row := p.Pix[y*p.Stride : y*p.Stride+w]
		var run [4]uint32
		for x, idx := range row {
			v := pal[idx]
			for c := range 4 {
				run[c] += v[c]
				sums[c][(y+1)*(w+1)+x+1] = sums[c][y*(w+1)+x+1] + run[c]
			}
		}
	}
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		y0, y1 := max(0, y-2), min(h, y+2)
		for x := range w {
			x0, x1 := max(0, x-2), min(w, x+2)
			n := uint32((y1 - y0) * (x1 - x0))
			o := out.PixOffset(x, y)
			for c := range 4 {
				s := sums[c]
				sum := s[y1*(w+1)+x1] - s[y0*(w+1)+x1] - s[y1*(w+1)+x0] + s[y0*(w+1)+x0]
				out.Pix[o+c] = uint8((sum + n/2) / n)
			}
		}
	}
	return out
}
