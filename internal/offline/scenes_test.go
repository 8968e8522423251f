package offline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"math"
	"math/bits"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/generia/generia/internal/generia"
)

// sceneFixtures are the prompts the pictures are measured over: world
// headers of every biome and post pictures of every scene kind, written as
// a language model or the offline writer would write them.
type sceneFixtures struct {
	Headers []struct{ Biome, Prompt string }
	Posts   []struct{ Scene, Prompt string }
}

func loadSceneFixtures(t testing.TB) sceneFixtures {
	t.Helper()
	data, err := os.ReadFile("testdata/scenes.json")
	if err != nil {
		t.Fatal(err)
	}
	var f sceneFixtures
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// aHash is a perceptual average hash: the picture in grey, shrunk to 8×8
// cells, one bit per cell (is it brighter than the mean?). It keeps the
// layout — where the sky, the ground, the masses and the lights are — and
// forgets colours, dithering and small detail. (A difference hash, which
// compares neighbouring cells, turns flat skies into noise: on our
// pictures it told one painter's pictures from another's worse.)
func aHash(t testing.TB, data []byte) uint64 {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	var cell, n [64]float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := (y - b.Min.Y) * 8 / b.Dy() * 8
		for x := b.Min.X; x < b.Max.X; x++ {
			i := row + (x-b.Min.X)*8/b.Dx()
			r, g, bl, _ := img.At(x, y).RGBA()
			cell[i] += 0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)
			n[i]++
		}
	}
	mean := 0.0
	for i := range cell {
		cell[i] /= max(1, n[i])
		mean += cell[i] / 64
	}
	var h uint64
	for i := range cell {
		h <<= 1
		if cell[i] > mean {
			h |= 1
		}
	}
	return h
}

func hamming(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// clusters groups hashes greedily: each joins the first group whose first
// member is within threshold bits of it, else starts a group. It returns
// the size of each group.
func clusters(hashes []uint64, threshold int) []int {
	var leaders []uint64
	var sizes []int
	for _, h := range hashes {
		joined := false
		for i, l := range leaders {
			if hamming(h, l) <= threshold {
				sizes[i]++
				joined = true
				break
			}
		}
		if !joined {
			leaders = append(leaders, h)
			sizes = append(sizes, 1)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(sizes)))
	return sizes
}

// compositionThreshold is the Hamming distance, of 64 bits, within which two
// pictures count as one composition. TestCompositionThreshold justifies it
// on our own pictures: nearly half the pairs of one scene painted with other
// seeds and colours fall within it, a ninth of the pairs of different
// scenes do. (The painter before issue 24, which did not paint what a post
// was about, put 41% of the pairs of one subject and 32% of different
// subjects within it.)
const compositionThreshold = 16

func hashImage(t testing.TB, req generia.ImageRequest) uint64 {
	t.Helper()
	res, err := NewImages(0).GenerateImage(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return aHash(t, res.Data)
}

func postHashes(t testing.TB, worldID string, prompts []string) []uint64 {
	var hs []uint64
	for i, p := range prompts {
		hs = append(hs, hashImage(t, generia.ImageRequest{WorldID: worldID, Key: fmt.Sprintf("post/%d", i), Kind: generia.MediaPostImage, Prompt: p, Width: 240, Height: 300}))
	}
	return hs
}

func headerHashes(t testing.TB, prompts []string) []uint64 {
	var hs []uint64
	for i, p := range prompts {
		hs = append(hs, hashImage(t, generia.ImageRequest{WorldID: fmt.Sprintf("world-%d", i), Key: "header", Kind: generia.MediaWorldHeader, Prompt: p, Width: 384, Height: 160}))
	}
	return hs
}

// TestDistinctPostCompositions counts the compositions, by perceptual hash,
// of the pictures of a 100-post world: the fixture posts, and the posts the
// offline writer makes for two ideas.
func TestDistinctPostCompositions(t *testing.T) {
	f := loadSceneFixtures(t)
	var prompts []string
	for _, p := range f.Posts {
		prompts = append(prompts, p.Prompt)
	}
	hs := postHashes(t, "fixture-world", prompts)
	for _, th := range []int{12, compositionThreshold, 20} {
		sizes := clusters(hs, th)
		t.Logf("fixture posts: %d pictures, %d compositions within %d bits, %d of them shown at least 3 times, the largest by %d (groups %v)",
			len(hs), len(sizes), th, recurring(sizes), sizes[0], head(sizes, 8))
	}
	sizes := clusters(hs, compositionThreshold)
	if len(sizes) < 12 {
		t.Errorf("%d fixture posts show %d compositions, want at least 12", len(hs), len(sizes))
	}
	// Not one picture's accidents: compositions the world shows again
	// (before issue 24: 7).
	if n := recurring(sizes); n < 10 {
		t.Errorf("%d fixture posts show %d compositions at least 3 times, want at least 10", len(hs), n)
	}
	for _, idea := range []string{"A harbour town where sea turtles carry the mail", "A desert caravan town where camels trade"} {
		w := simulate(t, idea, 10, 100)
		var ps []string
		for _, posts := range w.posts {
			for _, p := range posts {
				ps = append(ps, p.ImagePrompt)
			}
		}
		n := len(clusters(postHashes(t, "sim", ps), compositionThreshold))
		sizes := clusters(postHashes(t, "sim", ps), compositionThreshold)
		t.Logf("%q: %d posts, %d compositions, %d shown at least 3 times, the largest by %d", idea, len(ps), n, recurring(sizes), sizes[0])
		if n < 12 {
			t.Errorf("%q: %d posts show %d compositions, want at least 12", idea, len(ps), n)
		}
	}
}

// TestHeaderCompositionShare paints the headers of the fixture worlds: no
// composition is used by more than a fifth of them.
func TestHeaderCompositionShare(t *testing.T) {
	f := loadSceneFixtures(t)
	var prompts []string
	for _, h := range f.Headers {
		prompts = append(prompts, h.Prompt)
	}
	hs := headerHashes(t, prompts)
	sizes := clusters(hs, compositionThreshold)
	share := float64(sizes[0]) / float64(len(hs))
	t.Logf("%d headers: %d compositions, the largest used by %d (%.0f%%), groups %v", len(hs), len(sizes), sizes[0], 100*share, sizes)
	t.Logf("the most alike header has %d others within %d bits", mostNeighbours(hs, compositionThreshold), compositionThreshold)
	if share > 0.2 {
		t.Errorf("one composition is used by %d of %d headers, want at most a fifth", sizes[0], len(hs))
	}
}

// mostNeighbours is the largest number of other hashes within threshold
// bits of one: an upper bound on any grouping's largest group, less one.
func mostNeighbours(hs []uint64, threshold int) int {
	most := 0
	for i, a := range hs {
		n := 0
		for j, b := range hs {
			if i != j && hamming(a, b) <= threshold {
				n++
			}
		}
		most = max(most, n)
	}
	return most
}

func head(s []int, n int) []int { return s[:min(n, len(s))] }

// recurring counts the groups of at least three pictures: compositions a
// world shows again, not one picture's accident.
func recurring(sizes []int) int {
	n := 0
	for _, s := range sizes {
		if s >= 3 {
			n++
		}
	}
	return n
}

// TestScenesChosenByTheirWords reads each fixture prompt as the painter
// does: a post's picture shows the scene its subject names, a header the
// biome its world lies in; and every kind of scene is chosen by some.
func TestScenesChosenByTheirWords(t *testing.T) {
	f := loadSceneFixtures(t)
	right, seen := 0, map[string]int{}
	for _, p := range f.Posts {
		got := sceneOf(p.Prompt)
		seen[got]++
		if got == p.Scene {
			right++
		} else {
			t.Errorf("%q shows a %s, want a %s", p.Prompt, got, p.Scene)
		}
	}
	t.Logf("posts: %d of %d show the scene their words name; %d kinds chosen: %v", right, len(f.Posts), len(seen), seen)
	if len(seen) < 15 {
		t.Errorf("%d kinds of scene chosen, want at least 15", len(seen))
	}
	right = 0
	for _, h := range f.Headers {
		got, named := biomeOf(h.Prompt)
		if got == h.Biome && named {
			right++
		} else {
			t.Errorf("header %q: biome %s (named %v), want %s", h.Prompt, got, named, h.Biome)
		}
	}
	t.Logf("headers: %d of %d in the biome their words name", right, len(f.Headers))
}

// TestCompositionThreshold justifies compositionThreshold on the pictures
// themselves: each fixture post painted for three worlds (other colours,
// other seeds) gives pairs of one scene kind and pairs of different kinds;
// within the threshold must fall most pairs of one kind and few of
// different kinds.
func TestCompositionThreshold(t *testing.T) {
	f := loadSceneFixtures(t)
	type pic struct {
		kind string
		hash uint64
	}
	var pics []pic
	for i, p := range f.Posts {
		for _, world := range []string{"a", "b", "c"} {
			h := hashImage(t, generia.ImageRequest{WorldID: world, Key: fmt.Sprintf("post/%d", i), Kind: generia.MediaPostImage, Prompt: p.Prompt, Width: 240, Height: 300})
			pics = append(pics, pic{p.Scene, h})
		}
	}
	var same, other [65]int
	var nSame, nOther int
	for i, a := range pics {
		for _, b := range pics[i+1:] {
			d := hamming(a.hash, b.hash)
			if a.kind == b.kind {
				same[d]++
				nSame++
			} else {
				other[d]++
				nOther++
			}
		}
	}
	share := func(hist [65]int, n, upTo int) float64 {
		k := 0
		for d := 0; d <= upTo; d++ {
			k += hist[d]
		}
		return float64(k) / float64(n)
	}
	for _, th := range []int{8, 12, compositionThreshold, 20, 24} {
		t.Logf("within %2d bits: %.0f%% of pairs of one kind, %.0f%% of pairs of different kinds", th, 100*share(same, nSame, th), 100*share(other, nOther, th))
	}
	// At the threshold a pair of one kind is at least three times as likely
	// to count as one composition as a pair of different kinds, and at
	// least two pairs of one kind in five do.
	if s, o := share(same, nSame, compositionThreshold), share(other, nOther, compositionThreshold); s < 0.4 || s < 3*o {
		t.Errorf("within %d bits fall %.0f%% of pairs of one kind and %.0f%% of different kinds", compositionThreshold, 100*s, 100*o)
	}
}

// rampShare is the share of a painted picture's pixels in each of the given
// ramps (see the rb… ramps of paintland.go).
func rampShare(img *image.Paletted, ramps ...int) float64 {
	n := 0
	for _, v := range img.Pix {
		for _, r := range ramps {
			if int(v)/rampLen == r {
				n++
				break
			}
		}
	}
	return float64(n) / float64(len(img.Pix))
}

func paintHeader(prompt, worldID string) *image.Paletted {
	return paint(generia.ImageRequest{WorldID: worldID, Key: "header", Kind: generia.MediaWorldHeader, Prompt: prompt, Width: 384, Height: 160}, 384, 160)
}

// TestHeadersFollowTheirBiome paints the fixture headers for three worlds
// each: a desert world never gets water, even when its prompt speaks of
// wells and water; a sea world is mostly water, a forest world has trees, a
// mountain world peaks of rock and snow, a world in orbit the black of
// space.
func TestHeadersFollowTheirBiome(t *testing.T) {
	f := loadSceneFixtures(t)
	prompts := map[string][]string{}
	for _, h := range f.Headers {
		prompts[h.Biome] = append(prompts[h.Biome], h.Prompt)
	}
	prompts[biomeDesert] = append(prompts[biomeDesert], "A wide panoramic view of Nine Wells, a world of water-sellers between the dunes. In the foreground the great cistern; beyond it the wells and the sea of sand.")
	checks := []struct {
		biome string
		what  string
		share func(img *image.Paletted) float64
		least float64
		most  float64
	}{
		{biomeDesert, "water", func(img *image.Paletted) float64 { return rampShare(img, rbWater) }, 0, 0},
		{biomeSea, "water", func(img *image.Paletted) float64 { return rampShare(img, rbWater, rbGlow) }, 0.25, 1},
		{biomeForest, "leaves", func(img *image.Paletted) float64 { return rampShare(img, rbLeaf) }, 0.15, 1},
		{biomeMountains, "rock and snow", func(img *image.Paletted) float64 { return rampShare(img, rbRock, rbSnow) }, 0.15, 1},
		{biomeSnow, "snow", func(img *image.Paletted) float64 { return rampShare(img, rbSnow) }, 0.3, 1},
		{biomeOrbit, "water", func(img *image.Paletted) float64 { return rampShare(img, rbWater) - rampShare(img, rbWater) }, 0, 0},
	}
	for _, c := range checks {
		lo, hi := 1.0, 0.0
		for _, p := range prompts[c.biome] {
			if got, named := biomeOf(p); got != c.biome || !named {
				t.Errorf("%q is read as %s (named %v), want %s", p, got, named, c.biome)
			}
			for _, world := range []string{"w1", "w2", "w3"} {
				s := c.share(paintHeader(p, world))
				lo, hi = min(lo, s), max(hi, s)
				if s < c.least || s > c.most {
					t.Errorf("%s header %q (world %s): %.0f%% %s, want %.0f%% to %.0f%%", c.biome, p, world, 100*s, c.what, 100*c.least, 100*c.most)
				}
			}
		}
		t.Logf("%s headers: %.0f%% to %.0f%% %s", c.biome, 100*lo, 100*hi, c.what)
	}
	// Space is dark: the mean brightness of an orbit header is low.
	for _, p := range prompts[biomeOrbit] {
		img := paintHeader(p, "w1")
		sum := 0.0
		for _, v := range img.Pix {
			r, g, b, _ := img.Palette[v].RGBA()
			sum += (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)) / 65535
		}
		if mean := sum / float64(len(img.Pix)); mean > 0.3 {
			t.Errorf("orbit header %q has a mean brightness of %.2f, want the dark of space", p, mean)
		}
	}
}

// TestHeadersOfDifferentBiomesDiffer compares the headers of the fixture
// worlds by perceptual hash: desert and sea headers are on average further
// apart than the composition threshold, and headers of different biomes
// further apart than headers of one biome.
func TestHeadersOfDifferentBiomesDiffer(t *testing.T) {
	f := loadSceneFixtures(t)
	hashes := map[string][]uint64{}
	for i, h := range f.Headers {
		hashes[h.Biome] = append(hashes[h.Biome], hashImage(t, generia.ImageRequest{WorldID: fmt.Sprintf("world-%d", i), Key: "header", Kind: generia.MediaWorldHeader, Prompt: h.Prompt, Width: 384, Height: 160}))
	}
	mean := func(a, b []uint64) float64 {
		sum, n := 0, 0
		for _, x := range a {
			for _, y := range b {
				sum += hamming(x, y)
				n++
			}
		}
		return float64(sum) / float64(n)
	}
	nearest := 64
	for _, d := range hashes[biomeDesert] {
		for _, s := range hashes[biomeSea] {
			nearest = min(nearest, hamming(d, s))
		}
	}
	t.Logf("desert and sea headers: %.1f bits apart on average, the nearest pair %d", mean(hashes[biomeDesert], hashes[biomeSea]), nearest)
	if m := mean(hashes[biomeDesert], hashes[biomeSea]); m <= compositionThreshold {
		t.Errorf("desert and sea headers are %.1f bits apart on average, want more than %d", m, compositionThreshold)
	}
	var biomes []string
	for b := range hashes {
		biomes = append(biomes, b)
	}
	sort.Strings(biomes)
	closest, pair := 64.0, ""
	var within, between, nw, nb float64
	for i, a := range biomes {
		for j, x := range hashes[a] {
			for _, y := range hashes[a][j+1:] {
				within += float64(hamming(x, y))
				nw++
			}
		}
		for _, b := range biomes[i+1:] {
			m := mean(hashes[a], hashes[b])
			between += m
			nb++
			if m < closest {
				closest, pair = m, a+" and "+b
			}
		}
	}
	t.Logf("headers of one biome are %.1f bits apart on average, of two different biomes %.1f; the closest two biomes, %s, %.1f",
		within/nw, between/nb, pair, closest)
	if within/nw >= between/nb {
		t.Errorf("headers of one biome are %.1f bits apart on average, of different biomes %.1f: want the different further apart", within/nw, between/nb)
	}
}

// TestIconsFollowTheBiome paints icons whose prompts name no symbol but a
// world's biome: each draws its biome's shape (dunes under a sun, a tree, a
// snowflake, a wave, a peak, a tower, a planet, a crystal, a bridge, an
// island in the sky), none the rosette of an icon that names nothing.
func TestIconsFollowTheBiome(t *testing.T) {
	mask := func(prompt string) []bool {
		img := paint(generia.ImageRequest{WorldID: "w", Key: "icon", Kind: generia.MediaWorldIcon, Prompt: prompt, Width: 128, Height: 128}, 128, 128)
		m := make([]bool, len(img.Pix))
		for i, v := range img.Pix {
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
	rosette := mask("A simple round emblem for Saltmere, centred on a plain background.")
	worlds := map[string]string{
		biomeDesert: "a world of dunes", biomeForest: "a world in a deep forest", biomeSnow: "a world of snow and glaciers",
		biomeSea: "a world on the open ocean", biomeMountains: "a world of mountains", biomeCity: "a world of skyscrapers",
		biomeOrbit: "a world in orbit", biomeUnderground: "a world of caverns", biomeRiver: "a world along a river",
		biomeSky: "a world of floating islands",
	}
	shapes := map[string][]bool{}
	for biome, words := range worlds {
		prompt := "A simple round emblem for Saltmere, " + words + ", centred on a plain background."
		if got, named := biomeOf(prompt); got != biome || !named {
			t.Errorf("%q is read as %s, want %s", prompt, got, biome)
		}
		shapes[biome] = mask(prompt)
		if d := differ(shapes[biome], rosette); d < 0.3 {
			t.Errorf("the %s icon is nearly the rosette (%.0f%% differs)", biome, 100*d)
		}
	}
	for a := range shapes {
		for b := range shapes {
			if a < b && !(a == biomeForest && b == biomeSwamp) {
				if d := differ(shapes[a], shapes[b]); d < 0.3 {
					t.Errorf("the %s and %s icons draw nearly the same shape (%.0f%% differs)", a, b, 100*d)
				}
			}
		}
	}
}

// TestPalettesDifferBetweenWorlds paints one header prompt, whose palette
// names the same colours, for many worlds: their colours differ between
// worlds, while a world's header and its posts keep close colours.
func TestPalettesDifferBetweenWorlds(t *testing.T) {
	header := "A wide panoramic view of Camel Desert, a world of dunes. Palette of turquoise, terracotta, indigo and sand beige."
	post := "A wide photograph for a post about the dunes at noon, in Camel Desert. Palette of turquoise, terracotta, indigo and sand beige."
	mean := func(sc scheme) rgb {
		var m rgb
		for _, c := range sc.colors {
			m = rgb{m[0] + c[0]/float64(len(sc.colors)), m[1] + c[1]/float64(len(sc.colors)), m[2] + c[2]/float64(len(sc.colors))}
		}
		return m
	}
	dist := func(a, b rgb) float64 {
		return math.Sqrt((a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2]))
	}
	var worlds []rgb
	within, between := 0.0, 0.0
	for i := range 12 {
		id := fmt.Sprintf("world-%d", i)
		h := mean(schemeFor(seed("image", id, "header"), strings.ToLower(header), id))
		for k := range 5 {
			within = max(within, dist(h, mean(schemeFor(seed("image", id, fmt.Sprint("post/", k)), strings.ToLower(post), id))))
		}
		worlds = append(worlds, h)
	}
	closest := 1.0
	for i, a := range worlds {
		for _, b := range worlds[i+1:] {
			closest = min(closest, dist(a, b))
			between += dist(a, b) / float64(len(worlds)*(len(worlds)-1)/2)
		}
	}
	t.Logf("mean colour: a world's posts within %.3f of its header; worlds %.3f apart on average, the closest two %.3f", within, between, closest)
	if between < 2*within {
		t.Errorf("worlds' colours are %.3f apart on average, a world's own pictures up to %.3f: want worlds at least twice as far apart", between, within)
	}
}

// BenchmarkPostScenes paints the fixture posts at the size a post's page
// shows them, every kind of scene in turn.
func BenchmarkPostScenes(b *testing.B) {
	f := loadSceneFixtures(b)
	g := NewImages(0)
	for i := 0; b.Loop(); i++ {
		p := f.Posts[i%len(f.Posts)]
		req := generia.ImageRequest{WorldID: "w", Key: fmt.Sprint("post/", i), Kind: generia.MediaPostImage, Prompt: p.Prompt, Width: 1024, Height: 1280}
		if _, err := g.GenerateImage(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHeaders paints the fixture headers at a desktop's width.
func BenchmarkHeaders(b *testing.B) {
	f := loadSceneFixtures(b)
	g := NewImages(0)
	for i := 0; b.Loop(); i++ {
		h := f.Headers[i%len(f.Headers)]
		req := generia.ImageRequest{WorldID: fmt.Sprint("w", i), Key: "header", Kind: generia.MediaWorldHeader, Prompt: h.Prompt, Width: 1536, Height: 640}
		if _, err := g.GenerateImage(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// TestScenesOfWordForms reads the words of a scene in their other forms and
// in free text a model may write: plurals, possessives, capitals, words
// that the catalogue lists in the singular.
func TestScenesOfWordForms(t *testing.T) {
	for prompt, want := range map[string]string{
		"Two wolves crossing the ridge at dusk":             sceneAnimal,
		"Foxes asleep in the hollow":                        sceneAnimal,
		"Fresh loaves cooling on the sill":                  sceneFood,
		"Berries and pastries for the guests":               sceneFood,
		"THE HARBOUR IS FULL OF BOATS TONIGHT!!!":           sceneHarbour,
		"The smith's anvil, still warm":                     sceneWorkshop,
		"Cities of glass at night, seen from the tram line": biomeCity,
		"Salt flats shimmering at noon":                     biomeDesert,
		"Hands at work over a loom":                         sceneWorkshop,
		"Sea turtles carrying letters to the shore":         sceneAnimal,
	} {
		if got := sceneOf(prompt); got != want {
			t.Errorf("%q shows a %s, want a %s", prompt, got, want)
		}
	}
}

// TestOddPromptsStillPaint gives the painter prompts that name nothing it
// knows: empty, emoji, another language, a link, two thousand characters.
// Each gets a scene and an image, the same twice.
func TestOddPromptsStillPaint(t *testing.T) {
	for _, prompt := range []string{"", "🙂🙂🙂", "Ein Bild vom Dorfplatz mit Glocken", "https://example.com/a.png",
		strings.Repeat("a very long and winding description of nothing in particular, ", 32)} {
		if k := sceneOf(prompt); k == "" {
			t.Errorf("%.40q: no scene", prompt)
		}
		for _, kind := range []string{generia.MediaPostImage, generia.MediaWorldHeader, generia.MediaWorldIcon} {
			req := generia.ImageRequest{WorldID: "w", Key: "k", Kind: kind, Prompt: prompt, Width: 96, Height: 64}
			a, b := image1(t, req), image1(t, req)
			if !bytes.Equal(a.Data, b.Data) {
				t.Errorf("%.40q (%s): the same request gave different images", prompt, kind)
			}
		}
	}
}

// TestHeadersShowTheirIdea paints headers whose idea names a creature or a
// ship: the creature stands in the foreground (or flies), and the same
// header without it has none.
func TestHeadersShowTheirIdea(t *testing.T) {
	for _, c := range []struct{ with, without string }{
		{"A wide panoramic view of Dunewick, a world of camels who trade across the desert dunes.", "A wide panoramic view of Dunewick, a world of people who trade across the desert dunes."},
		{"A wide panoramic view of Shellhaven, a world of sea turtles who carry the mail across the ocean.", "A wide panoramic view of Shellhaven, a world of couriers who carry the mail across the ocean."},
		{"A wide panoramic view of Emberpeak, a world of dragons over the mountain peaks.", "A wide panoramic view of Emberpeak, a world of smiths over the mountain peaks."},
	} {
		for _, world := range []string{"w1", "w2"} {
			with, without := rampShare(paintHeader(strings.ToLower(c.with), world), rbDark), rampShare(paintHeader(strings.ToLower(c.without), world), rbDark)
			if with <= without {
				t.Errorf("%q (world %s): %.2f%% of the header in the creature's shade, %.2f%% without it", c.with, world, 100*with, 100*without)
			}
		}
	}
}

// TestScenesOfPostsInAWorld reads post prompts as the offline writer makes
// them, the world's subject and land in a backdrop: the picture shows what
// the post is about, the first words of a proper name name nothing to
// paint, and a post that names nothing shows its world's land.
func TestScenesOfPostsInAWorld(t *testing.T) {
	const turtles = " Backdrop: Turtle Landing, a town of turtles on a coast by the open sea."
	const camels = " Backdrop: Caravan Common, a caravan town among sand dunes in the desert."
	for _, c := range []struct{ prompt, want string }{
		{"A close-up photo for a post about a brass compass." + turtles, sceneObject},
		{"A wide photograph for a post about the fish market at dawn." + camels, sceneMarket},
		{"A photo for a post about living with the turtles." + turtles, sceneAnimal},
		{"A documentary photo for a post about strange goings-on at the Turtle Lookout." + turtles, biomeSea},
		{"A documentary photo for a post about the view from the Star Terrace." + camels, biomeDesert},
		{"A documentary photo for a post about strange goings-on at the Caravan Arcade." + camels, sceneMarket},
		{"A story photo for a post about the night of the Turtle Festival." + turtles, sceneFestival},
		{"A photo for a post about rumours about the Wynorric Sisterhood." + camels, biomeDesert},
		{"A photo for a post about a hidden corner of the Copper Glass Kilns." + camels + " Setting: the kilns.", sceneWorkshop},
	} {
		if got := sceneOf(c.prompt); got != c.want {
			t.Errorf("%q shows a %s, want a %s", c.prompt, got, c.want)
		}
	}
	for in, want := range map[string]string{
		"A photo of the Turtle Lookout.":          "A photo of the        Lookout.",
		"Setting: The Copper Glass Kilns at dusk": "Setting: The              Kilns at dusk",
		"Market Day in the Old Town":              "Market Day in the     Town",
		"THE HARBOUR IS FULL OF BOATS":            "THE HARBOUR IS FULL OF BOATS",
		"the Night of Wells":                      "the Night of Wells",
	} {
		if got := withoutNameModifiers(in); got != want {
			t.Errorf("withoutNameModifiers(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestBackdropSetsOnlyTheLand moves the posts of three worlds into another
// world's backdrop: a post that names its own scene keeps it, and only a
// post that names none changes, to the other world's land; the world's
// idea (its turtles, its caravans) shows only in the posts that speak of
// it.
func TestBackdropSetsOnlyTheLand(t *testing.T) {
	const elsewhere = "Backdrop: Dunewick, a town of beetles in a deep green forest."
	for _, c := range []struct {
		idea, kind string
		most       float64
	}{
		// A caravan is a desert's: the third of the posts that carry the
		// idea's head noun may show dunes.
		{"A harbour town where sea turtles carry the mail", sceneAnimal, 0.2},
		{"A desert caravan town where camels trade", biomeDesert, 0.4},
		{"A market on a frozen river during the longest night of the year", biomeSnow, 0.4},
	} {
		w := simulate(t, c.idea, 10, 100)
		n, moved, idea := 0, 0, 0
		for _, posts := range w.posts {
			for _, p := range posts {
				var swapped []string
				found := false
				for _, s := range strings.SplitAfter(p.ImagePrompt, ". ") {
					if strings.HasPrefix(s, "Backdrop:") {
						s, found = elsewhere+" ", true
					}
					swapped = append(swapped, s)
				}
				if !found {
					t.Fatalf("%q: the post's prompt has no backdrop: %q", c.idea, p.ImagePrompt)
				}
				here, there := sceneOf(p.ImagePrompt), sceneOf(strings.Join(swapped, ""))
				n++
				if here == c.kind {
					idea++
				}
				if here != there {
					moved++
					if !scenes.biome[here] || there != biomeForest {
						t.Errorf("%q: moved to another world, a picture of a %s becomes one of %s: %q", c.idea, here, there, p.ImagePrompt)
					}
				}
			}
		}
		t.Logf("%q: %d posts, %d show %s, %d change with the backdrop (to the other world's land)", c.idea, n, idea, c.kind, moved)
		if float64(idea) > c.most*float64(n) {
			t.Errorf("%q: %d of %d posts show %s, want at most %.0f%%", c.idea, idea, n, c.kind, 100*c.most)
		}
	}
}
