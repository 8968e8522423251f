package offline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"math/bits"
	"os"
	"sort"
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
// on our own pictures: about half the pairs of one scene painted with other
// seeds and colours fall within it, a seventh of the pairs of different
// scenes do (on the painter before issue 24: three quarters and a fifth).
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
	if n := len(clusters(hs, compositionThreshold)); n < 12 {
		t.Errorf("%d fixture posts show %d compositions, want at least 12", len(hs), n)
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
