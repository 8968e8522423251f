package imagevariant

import (
	"bytes"
	"context"
	"github.com/gen2brain/webp"
	"image"
	"image/color"
	"image/png"
	"math"
	"testing"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/offline"
)

// pngOf encodes a w×h PNG with a gradient, with an alpha of a everywhere.
func pngOf(t *testing.T, w, h int, a uint8) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), 90, a})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// painted is what the offline painter makes for a post: a 4:5 portrait.
func painted(t testing.TB) []byte {
	t.Helper()
	img, err := offline.NewImages(0).GenerateImage(context.Background(), generia.ImageRequest{
		WorldID: "w1", Key: "post/1", Kind: generia.MediaPostImage, Prompt: "a night market on a frozen river, lanterns", Width: 512, Height: 640,
	})
	if err != nil {
		t.Fatal(err)
	}
	return img.Data
}

// pixelOf is the top left pixel of an encoded image.
func pixelOf(data []byte) color.Color {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		panic(err)
	}
	return img.At(img.Bounds().Min.X, img.Bounds().Min.Y)
}

// A painted picture's dither is noise to a lossy encoder: its variant is
// made of the gradients the dither stands for, at half the bytes or less of
// the same pixels encoded as they are.
func TestDitheredPicturesAreSmoothed(t *testing.T) {
	original := painted(t)
	src, _, err := image.Decode(bytes.NewReader(original))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := src.(*image.Paletted); !ok {
		t.Fatalf("the painted picture decodes as %T, want a paletted image", src)
	}
	var raw bytes.Buffer
	if err := webp.Encode(&raw, src, webp.Options{Quality: Quality}); err != nil {
		t.Fatal(err)
	}
	v, err := Make(original, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Data) > raw.Len()/2 {
		t.Errorf("the variant is %d bytes; the dithered pixels as they are, %d; want at most half", len(v.Data), raw.Len())
	}
	// Smooth: neighbouring pixels differ little, where the dither made them jump.
	img, _, err := image.Decode(bytes.NewReader(v.Data))
	if err != nil {
		t.Fatal(err)
	}
	jumps := func(m image.Image) float64 {
		b := m.Bounds()
		total, n := 0.0, 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X + 1; x < b.Max.X; x++ {
				r1, g1, b1, _ := m.At(x, y).RGBA()
				r0, g0, b0, _ := m.At(x-1, y).RGBA()
				total += math.Abs(float64(r1)-float64(r0)) + math.Abs(float64(g1)-float64(g0)) + math.Abs(float64(b1)-float64(b0))
				n++
			}
		}
		return total / float64(n)
	}
	if before, after := jumps(src), jumps(img); after > before/2 {
		t.Errorf("neighbouring pixels differ by %.0f on average in the variant, %.0f in the painting; want the dither gone", after, before)
	}
	// A person's upload keeps its pixels.
	kept, err := Make(original, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	keptImg, _, err := image.Decode(bytes.NewReader(kept.Data))
	if err != nil {
		t.Fatal(err)
	}
	if before, after := jumps(src), jumps(keptImg); after < before/2 {
		t.Errorf("an upload's variant was smoothed: neighbours differ by %.0f, %.0f in the original", after, before)
	}
}

func TestVariantsAreSmallerCompactCopies(t *testing.T) {
	original := painted(t)
	flat := pngOf(t, 64, 64, 255)
	tests := []struct {
		name          string
		data          []byte
		width         int
		wantType      string
		wantW, wantH  int
		smallerThanPc int // at most this percent of the original's bytes
	}{
		{"an avatar's few pixels", original, 40, "image/webp", 40, 50, 2},
		{"a feed's width", original, 320, "image/webp", 320, 400, 35},
		{"wider than the image keeps its size", original, 960, "image/webp", 512, 640, 50},
		{"width 0 keeps its size", original, 0, "image/webp", 512, 640, 50},
		{"a PNG smaller than its variant stays itself", flat, 96, "image/png", 64, 64, 100},
		{"transparency is kept", pngOf(t, 200, 100, 128), 64, "image/webp", 64, 32, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Make(tt.data, tt.width, true)
			if err != nil {
				t.Fatal(err)
			}
			cfg, format, err := image.DecodeConfig(bytes.NewReader(v.Data))
			if err != nil {
				t.Fatalf("the variant does not decode: %v", err)
			}
			if "image/"+format != tt.wantType || v.ContentType != tt.wantType {
				t.Errorf("type %q (bytes say image/%s), want %s", v.ContentType, format, tt.wantType)
			}
			if cfg.Width != tt.wantW || cfg.Height != tt.wantH || v.Width != tt.wantW || v.Height != tt.wantH {
				t.Errorf("size %d×%d (reported %d×%d), want %d×%d", cfg.Width, cfg.Height, v.Width, v.Height, tt.wantW, tt.wantH)
			}
			img, _, err := image.Decode(bytes.NewReader(v.Data))
			if err != nil {
				t.Fatal(err)
			}
			wantAlpha := uint32(0xffff)
			if _, _, _, a := pixelOf(tt.data).RGBA(); a < 0xffff {
				wantAlpha = a
			}
			if _, _, _, a := img.At(0, 0).RGBA(); a < wantAlpha-0x0800 || a > wantAlpha+0x0800 {
				t.Errorf("alpha %#x at the corner, want about %#x", a, wantAlpha)
			}
			if limit := len(tt.data) * tt.smallerThanPc / 100; len(v.Data) > limit {
				t.Errorf("%d bytes, want at most %d (%d%% of the original's %d)", len(v.Data), limit, tt.smallerThanPc, len(tt.data))
			}
		})
	}
}

func TestUnreadableImagesAreRefused(t *testing.T) {
	for name, data := range map[string][]byte{
		"not an image": []byte("<html>"),
		"cut off":      painted(t)[:2000],
		"too large":    pngOf(t, MaxSide+1, 1, 255),
	} {
		if _, err := Make(data, 64, true); !generia.IsKind(err, generia.KindInvalid) {
			t.Errorf("%s: %v, want KindInvalid", name, err)
		}
	}
}

// BenchmarkMake measures making the variants a feed's first view asks for
// of a painted post picture (at its own size, 640×800) and of a 512-pixel
// avatar drawn at 36 pixels (96 wide).
func BenchmarkMake(b *testing.B) {
	post, err := offline.NewImages(0).GenerateImage(context.Background(), generia.ImageRequest{
		WorldID: "w1", Key: "post/1", Kind: generia.MediaPostImage, Prompt: "a night market on a frozen river, lanterns", Width: 1024, Height: 1280,
	})
	if err != nil {
		b.Fatal(err)
	}
	avatar, err := offline.NewImages(0).GenerateImage(context.Background(), generia.ImageRequest{
		WorldID: "w1", Key: "avatar/1", Kind: generia.MediaCharacterAvatar, Prompt: "a baker with flour on her apron", Width: 1024, Height: 1024,
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		data  []byte
		width int
	}{{"post-own-size", post.Data, 0}, {"avatar-96", avatar.Data, 96}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Make(c.data, c.width, true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
