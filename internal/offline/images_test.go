package offline

import (
	"bytes"
	"context"
	"errors"
	"image"
	_ "image/png"
	"strings"
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
	// The long side is capped by kind: a header wide enough for a desktop,
	// a post's picture as tall as its page shows it, the rest at 512.
	sizes := map[string][]struct{ w, h, wantW, wantH int }{
		generia.MediaWorldHeader: {{1536, 640, 1280, 533}, {1536, 512, 1280, 427}, {1024, 1536, 853, 1280}, {300, 200, 300, 200}, {1, 2000, 1, 1280}},
		generia.MediaPostImage:   {{1024, 1280, 640, 800}, {896, 1152, 622, 800}, {1024, 1024, 800, 800}, {1536, 512, 800, 267}, {64, 64, 64, 64}, {1, 1000, 1, 800}},
		generia.MediaWorldIcon:   {{512, 512, 512, 512}, {1024, 1536, 341, 512}, {300, 200, 300, 200}},
		"something_else":         {{1536, 512, 512, 171}, {1024, 1024, 512, 512}, {1, 1000, 1, 512}},
	}
	sizes[generia.MediaCharacterAvatar] = sizes[generia.MediaWorldIcon]
	for _, kind := range imageKinds {
		for _, s := range sizes[kind] {
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
		t.Errorf("answered after %v, want at least the 60ms latency", d)
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

// TestPostPicturesFollowTheirSubject reads the pictures a world's posts ask
// for: a world of 100 posts shows markets, crowds, rooms, objects, people,
// landscapes and more, and no character's posts all look alike.
func TestPostPicturesFollowTheirSubject(t *testing.T) {
	for _, prompt := range []string{"A harbour town where sea turtles carry the mail", "A market on a frozen river during the longest night of the year"} {
		w := simulate(t, prompt, 10, 100)
		all := map[string]int{}
		for i, posts := range w.posts {
			mine := map[string]int{}
			for _, p := range posts {
				k := sceneOf(p.ImagePrompt)
				mine[k]++
				all[k]++
			}
			if len(mine) < 3 {
				t.Errorf("%q: character %d's %d pictures are all of %v", prompt, i, len(posts), mine)
			}
		}
		t.Logf("%q: %d kinds of scene: %v", prompt, len(all), all)
		if len(all) < 8 {
			t.Errorf("%q: the pictures show %d kinds of scene, want at least 8: %v", prompt, len(all), all)
		}
		// The pictures follow what the posts say: a world whose posts never
		// speak of a room shows none, but people and things are there.
		n := 0
		for _, k := range []string{sceneMarket, sceneCrowd, sceneInterior, sceneObject, scenePortrait} {
			if all[k] > 0 {
				n++
			}
		}
		if n < 3 {
			t.Errorf("%q: %d of market, crowd, room, object and portrait shown, want at least 3: %v", prompt, n, all)
		}
	}
}

// meanColour is the average colour of a region of a decoded image.
func meanColour(t *testing.T, res generia.ImageResult, r image.Rectangle) (red, green, blue float64) {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(res.Data))
	if err != nil {
		t.Fatal(err)
	}
	n := 0.0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			red, green, blue = red+float64(cr)/65535, green+float64(cg)/65535, blue+float64(cb)/65535
			n++
		}
	}
	return red / n, green / n, blue / n
}

// Water is blue, ice pale, whatever warm colours the palette holds: a
// frozen river is no desert.
func TestWaterAndIceKeepTheirColour(t *testing.T) {
	for _, c := range []struct {
		name, prompt string
		minLight     float64
	}{
		{"sea", "A wide panoramic view of a harbour at dusk, boats on the sea. Palette of rust orange, lantern gold, sand beige and terracotta.", 0},
		{"frozen river", "A wide panoramic view of a market on a frozen river at night. Palette of hearth orange, glacier blue, slate grey and pine green.", 0.6},
	} {
		res := image1(t, generia.ImageRequest{WorldID: "w", Key: "header", Kind: generia.MediaWorldHeader, Prompt: c.prompt, Width: 1536, Height: 640})
		// The band just under the horizon, which is water in both.
		red, green, blue := meanColour(t, res, image.Rect(0, res.Height*7/10, res.Width, res.Height*8/10))
		if blue <= red || (red+green+blue)/3 < c.minLight {
			t.Errorf("%s: the water is rgb(%.2f, %.2f, %.2f), want blue over red and light at least %.1f", c.name, red, green, blue, c.minLight)
		}
	}
}

// Rain falls over a street, not in a room.
func TestWeatherIsOutOfDoors(t *testing.T) {
	sc := schemeFor(seed("scheme"), "palette of slate blue and rust orange", "w")
	same := func(a, b *image.Paletted) bool { return bytes.Equal(a.Pix, b.Pix) }
	street := "a street photo with people in the background, in the rain"
	if same(paintPost(seed("k"), sc, street, 400, 500), paintCrowd(seed("k"), sc, street, 400, 500)) {
		t.Error("a street in the rain is painted without rain")
	}
	room := "a quiet, contemplative photo of a kitchen, in the rain"
	if !same(paintPost(seed("k"), sc, room, 400, 500), paintRoom(seed("k"), sc, room, 400, 500)) {
		t.Error("a room is painted with rain in it")
	}
}

// An icon draws the symbol its prompt names: a lighthouse, an anchor, a
// snowflake, an owl, a camel, a dragon... are shapes of their own, and none
// is the rosette of an icon that names no symbol.
func TestIconsDrawTheirSymbol(t *testing.T) {
	mask := func(symbol string) []bool {
		res := image1(t, generia.ImageRequest{WorldID: "w", Key: "icon", Kind: generia.MediaWorldIcon, Width: 256, Height: 256,
			Prompt: "A simple round emblem for Saltmere: " + symbol + ", centred on a plain background. Palette of slate blue and lantern gold."})
		img, _, err := image.Decode(bytes.NewReader(res.Data))
		if err != nil {
			t.Fatal(err)
		}
		p, ok := img.(*image.Paletted)
		if !ok {
			t.Fatalf("the icon decodes as %T, want a paletted PNG", img)
		}
		m := make([]bool, len(p.Pix))
		for i, v := range p.Pix {
			m[i] = int(v)/rampLen == reStar
		}
		return m
	}
	differ := func(a, b []bool) float64 {
		n, in := 0, 0
		for i := range a {
			if a[i] != b[i] {
				n++
			}
			if a[i] || b[i] {
				in++
			}
		}
		return float64(n) / float64(max(1, in))
	}
	names := []string{"a stylised lighthouse", "an anchor wrapped in rope", "a snowflake around a flame", "a wreath of nothing in particular",
		"a stylised owl over an oak", "a stylised camel", "a stylised dragon", "a stylised turtle", "a stylised ship", "a stylised crown"}
	shapes := map[string][]bool{}
	for _, s := range names {
		shapes[s] = mask(s)
	}
	for i, a := range names {
		for _, b := range names[i+1:] {
			if d := differ(shapes[a], shapes[b]); d < 0.3 {
				t.Errorf("%q and %q draw nearly the same shape (%.0f%% of it differs)", a, b, 100*d)
			}
		}
	}
}

// A world's icon shows the creature or thing its idea names, when there is a
// shape for it.
func TestIconsFollowTheIdea(t *testing.T) {
	for idea, want := range map[string]string{
		"A library run by owls who whisper":        "owl",
		"A desert caravan town where camels trade": "camel",
		"Retired dragons running a seaside bakery": "dragon",
		"A harbour where sea-turtles come ashore":  "turtle",
		"A floating market of ships on a grey sea": "ship",
	} {
		w := simulate(t, idea, 1, 1)
		if !strings.Contains(w.images.IconPrompt, "stylised "+want+" ") {
			t.Errorf("%q: the icon prompt %q does not name a stylised %s", idea, w.images.IconPrompt, want)
		}
	}
}
