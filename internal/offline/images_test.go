package offline

import (
	"bytes"
	"context"
	"errors"
	"image"
	_ "image/png"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

var imageKinds = []string{generia.MediaWorldHeader, generia.MediaWorldIcon, generia.MediaCharacterAvatar, generia.MediaPostImage, "something_else"}

var imagePrompts = map[string]string{
	generia.MediaWorldHeader:     "A wide panoramic view of Tide Harbour at dusk, a forest of masts and the Lighthouse. Palette of slate blue, weathered white, rust orange and lantern gold.",
	generia.MediaWorldIcon:       "A simple round emblem: an anchor wrapped in rope. Slate blue, weathered white and lantern gold.",
	generia.MediaCharacterAvatar: "Square head-and-shoulders portrait. They have deep brown skin, long braided hair and hazel eyes.",
	generia.MediaPostImage:       "A lively night photo of a crowd at the Fish Market, city street. In the frame: Mara is tall and wiry.",
	"something_else":             "A photo of a mountain village in the snow.",
}

func image1(t testing.TB, req generia.ImageRequest) generia.ImageResult {
	t.Helper()
	res, err := NewImages(0).GenerateImage(context.Background(), req)
	if err != nil {
		t.Fatalf("%+v: %v", req, err)
	}
	return res
}

func TestImagesDecodeAtTheReportedSize(t *testing.T) {
	sizes := []struct{ w, h, wantW, wantH int }{
		{1536, 512, 512, 171},
		{1024, 1024, 512, 512},
		{1024, 1536, 341, 512},
		{300, 200, 300, 200},
		{64, 64, 64, 64},
		{1, 1000, 1, 512},
	}
	for _, kind := range imageKinds {
		for _, s := range sizes {
			t.Run(kind, func(t *testing.T) {
				res := image1(t, generia.ImageRequest{WorldID: "w", Key: "k", Kind: kind, Prompt: imagePrompts[kind], Width: s.w, Height: s.h})
				if res.ContentType != "image/png" || res.Model != "offline" || res.CostUSD != 0 {
					t.Errorf("content type %q, model %q, cost %v", res.ContentType, res.Model, res.CostUSD)
				}
				if res.Width != s.wantW || res.Height != s.wantH {
					t.Errorf("%dx%d reported as %dx%d, want %dx%d", s.w, s.h, res.Width, res.Height, s.wantW, s.wantH)
				}
				img, format, err := image.Decode(bytes.NewReader(res.Data))
				if err != nil || format != "png" {
					t.Fatalf("decoding: format %q, err %v", format, err)
				}
				if b := img.Bounds(); b.Dx() != res.Width || b.Dy() != res.Height {
					t.Errorf("image is %dx%d, reported %dx%d", b.Dx(), b.Dy(), res.Width, res.Height)
				}
			})
		}
	}
}

func TestImagesAreDeterministicAndDistinct(t *testing.T) {
	for _, kind := range imageKinds {
		t.Run(kind, func(t *testing.T) {
			req := generia.ImageRequest{WorldID: "w", Key: "k", Kind: kind, Prompt: imagePrompts[kind], Width: 256, Height: 256}
			a, b := image1(t, req), image1(t, req)
			if !bytes.Equal(a.Data, b.Data) {
				t.Error("the same request gave different images")
			}
			seen := map[string]string{string(a.Data): "the first"}
			vary := map[string]func(r *generia.ImageRequest){
				"key":    func(r *generia.ImageRequest) { r.Key = "k2" },
				"world":  func(r *generia.ImageRequest) { r.WorldID = "w2" },
				"prompt": func(r *generia.ImageRequest) { r.Prompt += " Another detail." },
			}
			for name, change := range vary {
				other := req
				change(&other)
				data := string(image1(t, other).Data)
				if prev, ok := seen[data]; ok {
					t.Errorf("another %s gave the same image as %s", name, prev)
				}
				seen[data] = "another " + name
			}
		})
	}
	t.Run("many posts", func(t *testing.T) {
		seen := map[string]bool{}
		for i := range 40 {
			res := image1(t, generia.ImageRequest{WorldID: "w", Key: "post/" + string(rune('a'+i%26)) + string(rune('a'+i/26)),
				Kind: generia.MediaPostImage, Prompt: imagePrompts[generia.MediaPostImage], Width: 128, Height: 128})
			if seen[string(res.Data)] {
				t.Fatalf("post image %d repeats an earlier one", i)
			}
			seen[string(res.Data)] = true
		}
	})
}

func TestImageSizeMustBePositive(t *testing.T) {
	for _, s := range [][2]int{{0, 10}, {10, 0}, {-1, 10}, {0, 0}} {
		_, err := NewImages(0).GenerateImage(context.Background(), generia.ImageRequest{Kind: generia.MediaPostImage, Width: s[0], Height: s[1]})
		if !generia.IsKind(err, generia.KindInvalid) {
			t.Errorf("%dx%d: err = %v, want KindInvalid", s[0], s[1], err)
		}
	}
}

func TestImageLatency(t *testing.T) {
	req := generia.ImageRequest{WorldID: "w", Key: "k", Kind: generia.MediaPostImage, Width: 64, Height: 64}
	start := time.Now()
	if _, err := NewImages(60*time.Millisecond).GenerateImage(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("answered after %v, want at least 60ms", d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err := NewImages(10*time.Second).GenerateImage(ctx, req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %v", d)
	}
}

func BenchmarkImage(b *testing.B) {
	g := NewImages(0)
	req := generia.ImageRequest{WorldID: "w", Kind: generia.MediaPostImage, Prompt: imagePrompts[generia.MediaPostImage], Width: 512, Height: 512}
	for i := 0; b.Loop(); i++ {
		req.Key = "post/" + string(rune('a'+i%26))
		if _, err := g.GenerateImage(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}
