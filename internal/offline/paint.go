package offline

import (
	"image"
	"image/color"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/generia/generia/internal/generia"
)

// The painter works in palette space: a palette is a set of ramps of
// rampLen shades, a pixel is a ramp and a value in [0, 1], and ordered
// dithering turns values into smooth gradients. That keeps an image to a
// few milliseconds: no blending, no colour quantisation.
const rampLen = 16

type rgb [3]float64

func rgb8(c [3]uint8) rgb { return rgb{float64(c[0]) / 255, float64(c[1]) / 255, float64(c[2]) / 255} }

func mix(a, b rgb, t float64) rgb {
	return rgb{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t, a[2] + (b[2]-a[2])*t}
}

func dim(a rgb, k float64) rgb { return rgb{a[0] * k, a[1] * k, a[2] * k} }

func (a rgb) lum() float64 { return 0.299*a[0] + 0.587*a[1] + 0.114*a[2] }

func (a rgb) sat() float64 { return max(a[0], a[1], a[2]) - min(a[0], a[1], a[2]) }

var white = rgb{1, 1, 1}

// hsl converts a hue in degrees, a saturation and a lightness to RGB.
func hsl(h, s, l float64) rgb {
	h = math.Mod(math.Mod(h, 360)+360, 360) / 360
	if s == 0 {
		return rgb{l, l, l}
	}
	q := l * (1 + s)
	if l >= 0.5 {
		q = l + s - l*s
	}
	p := 2*l - q
	f := func(t float64) float64 {
		t = math.Mod(t+1, 1)
		switch {
		case t < 1.0/6:
			return p + (q-p)*6*t
		case t < 0.5:
			return q
		case t < 2.0/3:
			return p + (q-p)*(2.0/3-t)*6
		}
		return p
	}
	return rgb{f(h + 1.0/3), f(h), f(h - 1.0/3)}
}

// bayer holds the 4×4 ordered-dither thresholds.
var bayer = func() [4][4]float64 {
	m := [4][4]int{{0, 8, 2, 10}, {12, 4, 14, 6}, {3, 11, 1, 9}, {15, 7, 13, 5}}
	var t [4][4]float64
	for y := range 4 {
		for x := range 4 {
			t[y][x] = (float64(m[y][x]) + 0.5) / 16
		}
	}
	return t
}()

type canvas struct {
	img    *image.Paletted
	pix    []uint8
	w, h   int
	stride int
}

func newCanvas(w, h int, ramps [][2]rgb) *canvas {
	pal := make(color.Palette, 0, len(ramps)*rampLen)
	for _, rp := range ramps {
		for i := range rampLen {
			c := mix(rp[0], rp[1], float64(i)/(rampLen-1))
			pal = append(pal, color.RGBA{u8(c[0]), u8(c[1]), u8(c[2]), 255})
		}
	}
	img := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	return &canvas{img: img, pix: img.Pix, w: w, h: h, stride: img.Stride}
}

func u8(v float64) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 1:
		return 255
	}
	return uint8(v*255 + 0.5)
}

// set paints (x, y) with the shade v of a ramp, dithered.
func (c *canvas) set(x, y, ramp int, v float64) {
	i := int(v*(rampLen-1) + bayer[y&3][x&3])
	if i < 0 {
		i = 0
	} else if i >= rampLen {
		i = rampLen - 1
	}
	c.pix[y*c.stride+x] = uint8(ramp*rampLen + i)
}

// covers reports whether a pixel with coverage cov in [0, 1] belongs to a
// shape: edges dissolve in a dither instead of stair-stepping.
func covers(x, y int, cov float64) bool { return cov > bayer[y&3][x&3] }

func clamp01(v float64) float64 { return min(1, max(0, v)) }

// box clips a rectangle to the canvas.
func (c *canvas) box(x0, y0, x1, y1 float64) (int, int, int, int) {
	return max(0, int(x0)), max(0, int(y0)), min(c.w, int(x1)+1), min(c.h, int(y1)+1)
}

// hash2 is a cheap per-pixel hash for stars and lit windows.
func hash2(x, y int, s uint32) uint32 {
	h := uint32(x)*73856093 ^ uint32(y)*19349663 ^ s
	h ^= h >> 13
	h *= 0x5bd1e995
	h ^= h >> 15
	return h
}

// scheme is an image's colours, darkest first, and its most saturated one.
type scheme struct {
	colors []rgb
	accent rgb
}

var colourNamesByLength = func() []string {
	names := make([]string, 0, len(colourNames))
	for n := range colourNames {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return names
}()

// findWord returns the index of word in s as a whole word, or -1.
func findWord(s, word string) int {
	for from := 0; ; {
		i := strings.Index(s[from:], word)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(word)
		if (i == 0 || !isWordByte(s[i-1])) && (end == len(s) || !isWordByte(s[end])) {
			return i
		}
		from = i + 1
	}
}

func isWordByte(b byte) bool { return b >= 'a' && b <= 'z' || b == '-' || b >= 0x80 }

// colorsIn returns the colours a prompt names, in the order it names them.
func colorsIn(prompt string) []rgb {
	type hit struct {
		at int
		c  rgb
	}
	var hits []hit
	s := []byte(prompt)
	for _, name := range colourNamesByLength {
		for {
			i := findWord(string(s), name)
			if i < 0 {
				break
			}
			hits = append(hits, hit{i, rgb8(colourNames[name])})
			for j := i; j < i+len(name); j++ {
				s[j] = ' '
			}
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return a.at - b.at })
	var out []rgb
	for _, h := range hits {
		if !slices.Contains(out, h.c) {
			out = append(out, h.c)
		}
	}
	return out
}

// schemeFor takes the palette the prompt names, leans it toward a hue of
// the world's (by its ID) and completes it with colours around that hue, so
// that a world's images share their colours and two worlds' differ.
func schemeFor(r *rand.Rand, prompt, worldID string) scheme {
	cs := colorsIn(prompt)
	if len(cs) > 5 {
		cs = cs[:5]
	}
	hue := float64(hashInt(360, "hue", worldID))
	// Named colours lean toward the world's hue, so that two worlds of one
	// setting (one palette of names) still differ.
	for i := range cs {
		cs[i] = mix(cs[i], hsl(hue, 0.6, cs[i].lum()), 0.25)
	}
	offsets := []float64{0, 35, 180, -40, 200}
	lights := []float64{0.22, 0.5, 0.66, 0.4, 0.82}
	for i := 0; len(cs) < 4; i++ {
		cs = append(cs, hsl(hue+offsets[i]+r.Float64()*24-12, 0.3+0.45*r.Float64(), lights[i]))
	}
	for i := range cs { // each image of a world varies a little
		cs[i] = mix(cs[i], hsl(r.Float64()*360, 0.5, 0.5), 0.08)
	}
	slices.SortStableFunc(cs, func(a, b rgb) int {
		switch {
		case a.lum() < b.lum():
			return -1
		case a.lum() > b.lum():
			return 1
		}
		return 0
	})
	accent := cs[0]
	for _, c := range cs {
		if c.sat() > accent.sat() {
			accent = c
		}
	}
	return scheme{colors: cs, accent: accent}
}

func hasAny(prompt string, ws ...string) bool {
	for _, w := range ws {
		if findWord(prompt, w) >= 0 {
			return true
		}
	}
	return false
}

// paint draws the image of a request.
func paint(req generia.ImageRequest, w, h int) *image.Paletted {
	r := seed("image", req.WorldID, req.Key, req.Prompt, req.Kind)
	prompt := strings.ToLower(req.Prompt)
	sc := schemeFor(r, prompt, req.WorldID)
	switch req.Kind {
	case generia.MediaWorldIcon:
		return paintEmblem(r, sc, prompt, w, h)
	case generia.MediaCharacterAvatar:
		return paintPortrait(r, sc, prompt, w, h)
	case generia.MediaWorldHeader:
		biome, _ := biomeOf(prompt)
		return paintBiome(r, sc, biome, prompt, w, h, false)
	}
	// A post's picture shows what its words name; the words of a proper
	// name before its last ("the Turtle Lookout") name no thing to paint.
	return paintPost(r, sc, strings.ToLower(withoutNameModifiers(req.Prompt)), w, h)
}

// Times of day.
const (
	night = iota
	dawn
	day
	dusk
)

// timeOfDay is the hour a prompt names: a post's own hour before its
// world's style ("lamps glowing at night"), which all its pictures share.
func timeOfDay(r *rand.Rand, prompt string) int {
	for _, text := range []string{postsOwnWords(prompt), prompt} {
		switch {
		case hasAny(text, "night", "midnight", "moon", "moonlight", "moonrise", "stars", "neon", "space", "orbit", "dark"):
			return night
		case hasAny(text, "dusk", "sunset", "evening", "twilight", "golden-hour"):
			return dusk
		case hasAny(text, "dawn", "sunrise", "morning", "first"):
			return dawn
		case hasAny(text, "noon", "midday", "afternoon"):
			return day
		}
	}
	return r.IntN(4)
}

// waterRamp is the colour of water: the scheme's bluest colour lit by the
// sky, so that a warm palette does not paint an orange sea; ice is pale.
func waterRamp(sc scheme, top, hor rgb, icy bool) [2]rgb {
	if icy {
		return [2]rgb{{0.55, 0.68, 0.8}, {0.92, 0.96, 1}}
	}
	blue := sc.colors[0]
	for _, c := range sc.colors {
		if c[2]-c[0] > blue[2]-blue[0] {
			blue = c
		}
	}
	if blue[2]-blue[0] < 0.05 { // no blue at all: the sea's own
		blue = rgb{0.22, 0.45, 0.62}
	}
	return [2]rgb{mix(dim(blue, 0.45), top, 0.15), mix(blue, hor, 0.2)}
}

// drawGlow paints a soft round light.
func drawGlow(c *canvas, cx, cy, radius float64, ramp int) {
	x0, y0, x1, y1 := c.box(cx-radius, cy-radius, cx+radius, cy+radius)
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			d := math.Hypot(float64(x)-cx, float64(y)-cy) / radius
			if d < 1 && covers(x, y, (1-d)*2) {
				c.set(x, y, ramp, 1-d*0.5)
			}
		}
	}
}

// drawFigure paints a standing silhouette whose feet are at (cx, ground).
func drawFigure(c *canvas, cx, ground, height float64, ramp int) {
	headR := height * 0.11
	headY := ground - height + headR
	shoulderY := headY + headR*1.6
	round := height * 0.05
	x0, y0, x1, y1 := c.box(cx-height*0.25, ground-height, cx+height*0.25, ground)
	for y := y0; y < y1; y++ {
		fy := float64(y)
		for x := x0; x < x1; x++ {
			fx := float64(x)
			in := math.Hypot(fx-cx, fy-headY) < headR
			if !in && fy > headY && fy < shoulderY+round && math.Abs(fx-cx) < headR*0.45 {
				in = true // the neck
			}
			if !in && fy >= shoulderY {
				k := (fy - shoulderY) / (ground - shoulderY)
				half := height * (0.16 - 0.05*k)
				if fy < shoulderY+round { // round shoulders
					ex, ey := (fx-cx)/half, (fy-shoulderY-round)/round
					in = ex*ex+ey*ey < 1
				} else {
					in = math.Abs(fx-cx) < half && (k < 0.55 || math.Abs(fx-cx) > height*0.012)
				}
			}
			if in {
				c.set(x, y, ramp, 0.3+0.3*(fx-cx+height*0.2)/(height*0.4))
			}
		}
	}
}

// Portrait ramps.
const (
	rpBg = iota
	rpBokeh
	rpSkin
	rpHair
	rpCloth
)

var hairColours = []string{"black", "grey", "silver", "white", "auburn", "chestnut", "brown", "copper-red", "red", "blond", "dark"}

var hairRGB = map[string]rgb{
	"black": {0.1, 0.09, 0.09}, "grey": {0.55, 0.55, 0.55}, "silver": {0.78, 0.78, 0.8}, "white": {0.9, 0.9, 0.88},
	"auburn": {0.5, 0.2, 0.1}, "chestnut": {0.45, 0.26, 0.14}, "brown": {0.35, 0.22, 0.13}, "copper-red": {0.72, 0.35, 0.16},
	"red": {0.7, 0.25, 0.12}, "blond": {0.86, 0.74, 0.45}, "dark": {0.16, 0.12, 0.1},
}

var naturalSkins = []rgb{{0.35, 0.22, 0.15}, {0.69, 0.54, 0.37}, {0.94, 0.82, 0.74}, {0.75, 0.56, 0.39}, {0.55, 0.38, 0.25}}

// features reads skin, hair colour and hair style from a portrait prompt.
func features(r *rand.Rand, prompt string) (skin, hair rgb, style string) {
	skin = pick(r, naturalSkins)
	for _, name := range slices.Sorted(maps.Keys(skinTones)) {
		if strings.Contains(prompt, name+" skin") {
			skin = rgb8(skinTones[name])
			break
		}
	}
	hair = pick(r, []rgb{hairRGB["black"], hairRGB["brown"], hairRGB["chestnut"], hairRGB["blond"], hairRGB["grey"]})
	at := -1
	for _, w := range []string{" hair", " curls", " locs"} {
		if i := strings.Index(prompt, w); i >= 0 && (at < 0 || i < at) {
			at = i
		}
	}
	if at >= 0 {
		window := prompt[max(0, at-24):at]
		best := -1
		for _, name := range hairColours {
			if i := findWord(window, name); i > best {
				best, hair = i, hairRGB[name]
			}
		}
	}
	switch {
	case strings.Contains(prompt, "shaved head"):
		style = "none"
	case strings.Contains(prompt, "curls") || strings.Contains(prompt, "locs"):
		style = "curly"
	case strings.Contains(prompt, "bun"):
		style = "bun"
	case strings.Contains(prompt, "long") || strings.Contains(prompt, "braid") || strings.Contains(prompt, "shoulder-length"):
		style = "long"
	case strings.Contains(prompt, "short") || strings.Contains(prompt, "cropped"):
		style = "short"
	default:
		style = pick(r, []string{"short", "long", "bun", "curly"})
	}
	return skin, hair, style
}

// paintPortrait draws a head-and-shoulders silhouette, lit from one side,
// against a soft background with out-of-focus lights.
func paintPortrait(r *rand.Rand, sc scheme, prompt string, w, h int) *image.Paletted {
	skin, hair, style := features(r, prompt)
	cs := sc.colors
	cloth := cs[r.IntN(len(cs)-1)]
	if math.Abs(cloth.lum()-skin.lum()) < 0.1 {
		cloth = sc.accent
	}
	bgA, bgB := mix(cs[0], cs[1], 0.4), mix(cs[len(cs)-2], cs[len(cs)-1], 0.5)
	if r.IntN(2) == 0 {
		bgA, bgB = mix(cs[1], cs[0], 0.3), mix(cs[len(cs)-1], white, 0.3)
	}
	c := newCanvas(w, h, [][2]rgb{
		rpBg:    {bgA, bgB},
		rpBokeh: {mix(bgB, cs[len(cs)-1], 0.4), mix(cs[len(cs)-1], white, 0.6)},
		rpSkin:  {dim(skin, 0.55), mix(skin, white, 0.22)},
		rpHair:  {dim(hair, 0.4), mix(hair, white, 0.25)},
		rpCloth: {dim(cloth, 0.45), mix(cloth, white, 0.2)},
	})
	fw, fh := float64(w), float64(h)
	u := math.Min(fw, fh)
	for y := range h {
		v := 1 - float64(y)/fh*0.8
		for x := range w {
			c.set(x, y, rpBg, v)
		}
	}
	for range 5 + r.IntN(6) {
		bx, by, br := fw*r.Float64(), fh*0.65*r.Float64(), u*(0.03+0.07*r.Float64())
		x0, y0, x1, y1 := c.box(bx-br, by-br, bx+br, by+br)
		bv := 0.3 + 0.6*r.Float64()
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				d := math.Hypot(float64(x)-bx, float64(y)-by) / br
				if d < 1 && covers(x, y, (1-d)*4) {
					c.set(x, y, rpBokeh, bv+0.15*(1-d))
				}
			}
		}
	}

	lx := 1.0
	if r.IntN(2) == 0 {
		lx = -1
	}
	cx := fw/2 + (r.Float64()-0.5)*u*0.08
	hy := fh - 0.53*u
	hrx, hry := 0.15*u, 0.19*u
	shY, shRx, shRy := fh+0.1*u, 0.42*u*(0.9+0.2*r.Float64()), 0.4*u
	shTop := shY - shRy
	vNeck := r.IntN(2) == 0
	x0, y0, x1, y1 := c.box(cx-0.5*u, hy-0.32*u, cx+0.5*u, fh)
	for y := y0; y < y1; y++ {
		fy := float64(y)
		for x := x0; x < x1; x++ {
			fx := float64(x)
			hx, hyy := (fx-cx)/hrx, (fy-hy)/hry
			head := hx*hx + hyy*hyy
			// hair in front: a cap over the top of the head
			capX, capY := (fx-cx)/(hrx*1.1), (fy-(hy-0.035*u))/(hry*1.02)
			fringe := hy - 0.1*u + 0.06*u*hx*hx
			inCap := style != "none" && capX*capX+capY*capY < 1 && (fy < fringe || head > 0.92)
			if style == "curly" {
				cr := math.Hypot(fx-cx, fy-(hy-0.04*u)) / (0.24 * u)
				inCap = cr < 1 && (fy < fringe || head > 0.9)
			}
			if style == "bun" && math.Hypot(fx-cx, fy-(hy-0.22*u)) < 0.075*u {
				inCap = true
			}
			switch {
			case inCap && fy < hy+0.12*u:
				c.set(x, y, rpHair, 0.45+0.3*hx*lx*0.8-0.1*hyy)
			case head < 1 && covers(x, y, (1-head)*hrx*0.5):
				c.set(x, y, rpSkin, 0.55+0.33*hx*lx-0.12*hyy)
			case fy > hy+0.1*u && fy < shTop+0.03*u && math.Abs(fx-cx) < 0.07*u:
				c.set(x, y, rpSkin, 0.35+0.2*(fx-cx)/(0.07*u)*lx)
			default:
				sx, sy := (fx-cx)/shRx, (fy-shY)/shRy
				sd := sx*sx + sy*sy
				if sd < 1 && covers(x, y, (1-sd)*shRx*0.3) {
					if vNeck && fy > shTop && math.Abs(fx-cx) < 0.07*u-(fy-shTop)*0.5 {
						c.set(x, y, rpSkin, 0.4+0.2*sx*lx)
					} else {
						c.set(x, y, rpCloth, 0.5+0.35*sx*lx-0.2*(fy-shTop)/(fh-shTop))
					}
					continue
				}
				if (style == "long" || style == "curly") && math.Abs(fx-cx) < 0.21*u && fy > hy-0.05*u && fy < hy+0.32*u {
					c.set(x, y, rpHair, 0.3+0.2*(fx-cx)/(0.21*u)*lx)
				}
			}
		}
	}
	return c.img
}

// Emblem ramps.
const (
	reBg = iota
	reRing
	reInner
	reStar
	reDot
)

// paintEmblem draws a round badge: a ring studded with dots around a
// rosette or star, on a radial gradient.
func paintEmblem(r *rand.Rand, sc scheme, prompt string, w, h int) *image.Paletted {
	shape := symbolShape(prompt)
	if biome, named := biomeOf(prompt); shape == nil && named {
		shape = biomeSymbols[biome] // nil for the open plains: a rosette
	}
	cs := sc.colors
	n := len(cs)
	c := newCanvas(w, h, [][2]rgb{
		reBg:    {dim(cs[0], 0.6), mix(cs[0], cs[1], 0.6)},
		reRing:  {dim(cs[n-2], 0.55), mix(cs[n-1], white, 0.4)},
		reInner: {dim(cs[1], 0.7), mix(cs[1], cs[n-2], 0.4)},
		reStar:  {dim(sc.accent, 0.6), mix(sc.accent, white, 0.5)},
		reDot:   {dim(cs[n-1], 0.7), mix(cs[n-1], white, 0.7)},
	})
	fw, fh := float64(w), float64(h)
	cx, cy := fw/2, fh/2
	R := 0.46 * math.Min(fw, fh)
	far := 0.75 * math.Max(fw, fh)
	petals := pick(r, []int{5, 6, 7, 8, 12})
	pointed := r.IntN(2) == 0
	spin := r.Float64() * 2 * math.Pi
	sinS, cosS := math.Sincos(spin)
	dots := pick(r, []int{0, 8, 12, 16})
	la := r.Float64() * 2 * math.Pi
	lsin, lcos := math.Sincos(la)
	for y := range h {
		dy := float64(y) - cy
		for x := range w {
			dx := float64(x) - cx
			d := math.Sqrt(dx*dx + dy*dy)
			if d > R+1 || !covers(x, y, R+1-d) {
				c.set(x, y, reBg, 0.9-0.7*math.Min(1, d/far))
				continue
			}
			// unit direction, turned by spin
			ux, uy := 1.0, 0.0
			if d > 0 {
				ux, uy = dx/d, dy/d
			}
			light := ux*lcos + uy*lsin
			if d > 0.84*R {
				if dots > 0 && d > 0.88*R && d < 0.96*R && onDot(ux, uy, d, R, dots, sinS, cosS) {
					c.set(x, y, reDot, 0.7+0.3*light)
					continue
				}
				c.set(x, y, reRing, 0.55+0.35*light)
				continue
			}
			if d > 0.8*R {
				c.set(x, y, reRing, 0.2)
				continue
			}
			if shape != nil {
				nx, ny := dx/(0.78*R), dy/(0.78*R)
				if shape(nx, ny) {
					c.set(x, y, reStar, 0.55+0.3*(0.5-ny*0.5)+0.15*light)
				} else {
					c.set(x, y, reInner, 0.35+0.4*(1-d/(0.8*R)))
				}
				continue
			}
			rx, ry := ux*cosS+uy*sinS, uy*cosS-ux*sinS
			cosN := cosMul(rx, ry, petals) // cos(petals·θ)
			var rs float64
			if pointed {
				k := (cosN + 1) / 2
				rs = 0.66 * R * (0.42 + 0.58*k*k*k)
			} else {
				rs = 0.62 * R * (0.72 + 0.28*cosN)
			}
			switch {
			case d < 0.15*R:
				c.set(x, y, reRing, 0.7+0.3*(1-d/(0.15*R)))
			case d < 0.18*R:
				c.set(x, y, reRing, 0.2)
			case d < rs && covers(x, y, (rs-d)*0.7):
				c.set(x, y, reStar, 0.45+0.4*(1-d/rs)+0.15*light)
			default:
				c.set(x, y, reInner, 0.35+0.4*(1-d/(0.8*R)))
			}
		}
	}
	return c.img
}

// symbols are the shapes an emblem can draw, by the words of its prompt;
// each reports whether the point (x, y), in units of the emblem's inner
// radius with y down, is inside it.
var symbols = []struct {
	words []string
	in    func(x, y float64) bool
}{
	{[]string{"snowflake"}, func(x, y float64) bool {
		d, a := math.Hypot(x, y), math.Atan2(y, x)
		k := math.Abs(math.Remainder(a, math.Pi/3)) * d // distance from the nearest arm
		branch := d > 0.35 && d < 0.6 && math.Abs(math.Remainder(a, math.Pi/3))*d < 0.25*(0.6-d)/0.25+0.04
		return d < 0.8 && (k < 0.06 || branch || d < 0.14)
	}},
	{[]string{"flame", "fire", "candle"}, func(x, y float64) bool {
		if math.Hypot(x, y-0.25) < 0.45 {
			return true
		}
		return y > -0.8 && y < 0.25 && math.Abs(x) < 0.45*(y+0.8)/1.05*(1-0.3*math.Sin((y+0.8)*3))
	}},
	{[]string{"lighthouse", "tower", "spire", "skyline"}, func(x, y float64) bool {
		body := y > -0.45 && y < 0.7 && math.Abs(x) < 0.12+0.1*(y+0.45)/1.15
		lamp := y > -0.7 && y < -0.45 && math.Abs(x) < 0.17
		roof := y > -0.85 && y <= -0.7 && math.Abs(x) < 0.17*(y+0.85)/0.15
		base := y > 0.62 && y < 0.75 && math.Abs(x) < 0.5
		return body || lamp || roof || base
	}},
	{[]string{"anchor", "oar"}, func(x, y float64) bool {
		shaft := math.Abs(x) < 0.07 && y > -0.55 && y < 0.62
		ring := math.Abs(math.Hypot(x, y+0.68)-0.13) < 0.05
		bar := math.Abs(y+0.35) < 0.06 && math.Abs(x) < 0.35
		arc := math.Abs(math.Hypot(x, y-0.05)-0.6) < 0.07 && y > 0.2
		return shaft || ring || bar || arc
	}},
	{[]string{"oak", "tree", "palm", "acorn", "sprout", "leaves", "leaf"}, func(x, y float64) bool {
		canopy := math.Hypot(x, (y+0.2)*1.1) < 0.52 || math.Hypot(x+0.32, y+0.02) < 0.3 || math.Hypot(x-0.32, y+0.02) < 0.3
		trunk := math.Abs(x) < 0.09+0.06*max(0, y-0.5) && y > 0.1 && y < 0.75
		return canopy || trunk
	}},
	{[]string{"crescent", "moon"}, func(x, y float64) bool {
		return math.Hypot(x, y) < 0.62 && math.Hypot(x-0.28, y+0.16) > 0.5
	}},
	{[]string{"peak", "mountain", "crag"}, func(x, y float64) bool {
		return y > -0.6+1.45*math.Abs(x) && y < 0.55 || (y > -0.15+1.2*math.Abs(x-0.45) && y < 0.55)
	}},
	{[]string{"wheel", "gear", "planet"}, func(x, y float64) bool {
		d, a := math.Hypot(x, y), math.Atan2(y, x)
		spoke := d < 0.6 && math.Abs(math.Remainder(a, math.Pi/4))*d < 0.05
		return math.Abs(d-0.6) < 0.1 || spoke || d < 0.16
	}},
	{[]string{"bell"}, func(x, y float64) bool {
		dome := y > -0.6 && y < 0.45 && math.Abs(x) < 0.25+0.35*math.Pow((y+0.6)/1.05, 2)
		return dome || math.Hypot(x, y-0.55) < 0.12 || (math.Abs(x) < 0.06 && y > -0.75 && y <= -0.6)
	}},
	{[]string{"lantern"}, func(x, y float64) bool {
		frame := math.Abs(x) < 0.32 && y > -0.45 && y < 0.55 && (math.Abs(x) > 0.24 || math.Abs(y-0.05) > 0.42 || math.Abs(x) < 0.04)
		glass := math.Abs(x) < 0.24 && math.Abs(y-0.05) < 0.42 && math.Hypot(x, y-0.05) < 0.2
		top := y > -0.62 && y <= -0.45 && math.Abs(x) < 0.36*(y+0.62)/0.17+0.05
		return frame || glass || top || math.Abs(math.Hypot(x, y+0.72)-0.1) < 0.04
	}},
	{[]string{"bridge"}, func(x, y float64) bool {
		deck := y > -0.1 && y < 0.05 && math.Abs(x) < 0.8
		arch := y >= 0.05 && y < 0.55 && math.Abs(x) < 0.8 && math.Hypot(x*0.9, y-0.6) > 0.45
		return deck || arch
	}},
	{[]string{"book", "scroll"}, func(x, y float64) bool {
		page := y > -0.35+0.12*math.Abs(x) && y < 0.4+0.1*math.Abs(x) && math.Abs(x) < 0.7
		return page && math.Abs(x) > 0.03
	}},
	{[]string{"jar", "loaf", "bread"}, func(x, y float64) bool {
		return (math.Hypot(x/0.55, (y-0.15)/0.55) < 1) || (math.Abs(x) < 0.22 && y > -0.6 && y < 0)
	}},
	{[]string{"wave"}, func(x, y float64) bool {
		return math.Abs(x) < 0.8 && (math.Abs(y-0.22*math.Sin(x*4)) < 0.13 || math.Abs(y-0.4-0.16*math.Sin(x*4+1)) < 0.08)
	}},
	{[]string{"owl", "owls"}, func(x, y float64) bool {
		body := math.Hypot(x/0.45, (y-0.12)/0.58) < 1
		ears := inTriangle(x, y, -0.42, -0.3, -0.36, -0.72, -0.12, -0.42) || inTriangle(x, y, 0.42, -0.3, 0.36, -0.72, 0.12, -0.42)
		eye := math.Min(math.Hypot(x+0.17, y+0.15), math.Hypot(x-0.17, y+0.15))
		return (body || ears) && (eye > 0.13 || eye < 0.05)
	}},
	{[]string{"cat", "cats", "kitten", "fox", "foxes"}, func(x, y float64) bool {
		head := math.Hypot(x/0.5, (y-0.05)/0.42) < 1
		ears := inTriangle(x, y, -0.46, -0.12, -0.4, -0.68, -0.08, -0.32) || inTriangle(x, y, 0.46, -0.12, 0.4, -0.68, 0.08, -0.32)
		eye := math.Min(math.Hypot((x+0.19)/1.6, y+0.02), math.Hypot((x-0.19)/1.6, y+0.02))
		return (head || ears) && eye > 0.06
	}},
	{[]string{"bird", "birds", "gull", "gulls", "crow", "raven", "dove", "sparrow", "swallow", "heron"}, func(x, y float64) bool {
		wing := math.Abs(x) < 0.78 && math.Abs(y-(0.1-0.95*math.Abs(x)+1.05*x*x)) < 0.07+0.05*(0.78-math.Abs(x))
		return wing || math.Hypot(x/0.12, (y-0.12)/0.2) < 1
	}},
	{[]string{"fish", "fishes", "salmon", "carp", "koi"}, func(x, y float64) bool {
		body := math.Hypot((x+0.12)/0.52, y/0.3) < 1
		tail := inTriangle(x, y, 0.3, 0, 0.72, -0.32, 0.72, 0.32)
		return (body || tail) && math.Hypot(x+0.42, y+0.06) > 0.06
	}},
	{[]string{"turtle", "turtles", "tortoise"}, func(x, y float64) bool {
		shell := math.Hypot(x/0.52, (y-0.12)/0.42) < 1 && y < 0.15
		legs := math.Min(math.Hypot(x+0.32, y-0.24), math.Hypot(x-0.32, y-0.24)) < 0.11
		return shell || legs || math.Hypot((x-0.62)/1.2, y) < 0.14 || inTriangle(x, y, -0.5, 0.05, -0.72, 0.15, -0.5, 0.15)
	}},
	{[]string{"camel", "camels"}, func(x, y float64) bool {
		humps := math.Min(math.Hypot(x+0.18, y+0.08), math.Hypot(x-0.2, y+0.08)) < 0.24
		body := math.Abs(x) < 0.46 && y > -0.08 && y < 0.18
		legs := y > 0.1 && y < 0.66 && (math.Abs(math.Abs(x)-0.36) < 0.05 || math.Abs(math.Abs(x)-0.16) < 0.05)
		neck := distToSegment(x, y, 0.4, 0.02, 0.62, -0.42) < 0.08
		return humps || body || legs || neck || math.Hypot((x-0.7)/1.6, y+0.46) < 0.1
	}},
	{[]string{"dragon", "dragons", "wyvern"}, func(x, y float64) bool {
		body := math.Abs(x) < 0.66 && math.Abs(y-0.2-0.18*math.Sin(x*4.5)) < 0.05+0.08*(0.66-math.Abs(x-0.2))
		wings := inTriangle(x, y, -0.2, 0.12, -0.58, -0.68, 0.12, -0.1) || inTriangle(x, y, 0.02, 0.1, 0.36, -0.66, 0.4, 0.02)
		head := math.Hypot((x-0.72)/1.4, y-0.06) < 0.12
		return body || wings || head || inTriangle(x, y, -0.66, 0.3, -0.86, 0.18, -0.8, 0.44)
	}},
	{[]string{"crown", "crowns"}, func(x, y float64) bool {
		base := math.Abs(x) < 0.55 && y > 0.12 && y < 0.38
		peak := math.Abs(math.Remainder(x, 0.55))
		points := math.Abs(x) < 0.55 && y <= 0.12 && y > -0.42+1.6*peak
		jewels := math.Hypot(peak, y+0.52) < 0.08 && math.Abs(x) < 0.62
		return base || points || jewels
	}},
	{[]string{"key", "keys"}, func(x, y float64) bool {
		ring := math.Abs(math.Hypot(x+0.42, y)-0.22) < 0.08
		shaft := x > -0.22 && x < 0.68 && math.Abs(y) < 0.06
		teeth := y >= 0.06 && y < 0.24 && (math.Abs(x-0.44) < 0.05 || math.Abs(x-0.6) < 0.05)
		return ring || shaft || teeth
	}},
	{[]string{"ship", "ships", "boat", "boats", "sail", "barge", "ferry"}, func(x, y float64) bool {
		hull := y > 0.2 && y < 0.46 && math.Abs(x) < 0.68-(y-0.2)*0.9
		mast := math.Abs(x) < 0.03 && y > -0.72 && y <= 0.2
		return hull || mast || inTriangle(x, y, 0.07, -0.66, 0.07, 0.12, 0.58, 0.12) || inTriangle(x, y, -0.06, -0.5, -0.06, 0.12, -0.44, 0.12)
	}},
	{[]string{"star", "stars"}, func(x, y float64) bool {
		d := math.Hypot(x, y)
		if d == 0 {
			return true
		}
		k := (cosMul(-y/d, x/d, 5) + 1) / 2 // 1 towards the five points, the first upwards
		return d < 0.72*(0.45+0.55*k*k)
	}},
}

// biomeSymbols are the shapes of an emblem whose prompt names no symbol but
// a biome: dunes under the sun, a tree, a snowflake, a wave, a peak, a
// tower, a planet, a crystal, a bridge, a floating island.
var biomeSymbols = map[string]func(x, y float64) bool{
	biomeDesert: func(x, y float64) bool {
		sun := math.Hypot(x-0.15, y+0.3) < 0.32
		dune := y > 0.15+0.25*math.Sin(x*2.2+0.6) && y < 0.62 && math.Abs(x) < 0.75
		return sun || dune
	},
	biomeForest:    symbolFor("tree"),
	biomeSwamp:     symbolFor("tree"),
	biomeSnow:      symbolFor("snowflake"),
	biomeSea:       symbolFor("wave"),
	biomeMountains: symbolFor("peak"),
	biomeCity:      symbolFor("tower"),
	biomeOrbit:     symbolFor("planet"),
	biomeRiver:     symbolFor("bridge"),
	biomeUnderground: func(x, y float64) bool {
		return inTriangle(x, y, 0, -0.7, -0.25, 0.5, 0.25, 0.5) || inTriangle(x, y, -0.35, -0.3, -0.55, 0.5, -0.15, 0.5) || inTriangle(x, y, 0.35, -0.3, 0.15, 0.5, 0.55, 0.5)
	},
	biomeSky: func(x, y float64) bool {
		top := math.Hypot(x/0.7, (y+0.1)/0.15) < 1
		rock := y > -0.1 && y < 0.55 && math.Abs(x) < 0.7*(0.55-y)/0.65
		return top || rock
	},
}

// symbolFor is the shape of the symbol a word names.
func symbolFor(word string) func(x, y float64) bool {
	for _, s := range symbols {
		if slices.Contains(s.words, word) {
			return s.in
		}
	}
	panic("offline: no symbol " + word)
}

// symbolNamed returns the name of the symbol a word names, in the singular
// ("owl" for "owls", "turtle" for "sea-turtle"), or "" when none has it.
func symbolNamed(word string) string {
	if i := strings.LastIndexByte(word, '-'); i >= 0 {
		word = word[i+1:]
	}
	for _, s := range symbols {
		if !slices.Contains(s.words, word) {
			continue
		}
		for _, one := range []string{strings.TrimSuffix(word, "es"), strings.TrimSuffix(word, "s")} {
			if one != word && slices.Contains(s.words, one) {
				return one
			}
		}
		return word
	}
	return ""
}

// inTriangle reports whether (x, y) lies inside the triangle a, b, c.
func inTriangle(x, y, ax, ay, bx, by, cx, cy float64) bool {
	side := func(px, py, qx, qy float64) float64 { return (qx-px)*(y-py) - (qy-py)*(x-px) }
	d1, d2, d3 := side(ax, ay, bx, by), side(bx, by, cx, cy), side(cx, cy, ax, ay)
	return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0))
}

// distToSegment is the distance from (x, y) to the segment a–b.
func distToSegment(x, y, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := max(0, min(1, ((x-ax)*dx+(y-ay)*dy)/(dx*dx+dy*dy)))
	return math.Hypot(x-ax-t*dx, y-ay-t*dy)
}

// symbolShape is the shape of the first symbol an emblem's prompt names,
// or nil for a rosette.
func symbolShape(prompt string) func(x, y float64) bool {
	if _, after, ok := strings.Cut(prompt, ":"); ok {
		prompt = after
	}
	best, at := -1, len(prompt)
	for i, s := range symbols {
		for _, w := range s.words {
			if j := findWord(prompt, w); j >= 0 && j < at {
				best, at = i, j
			}
		}
	}
	if best < 0 {
		return nil
	}
	return symbols[best].in
}

// cosMul returns cos(n·θ) for the unit vector (cos θ, sin θ).
func cosMul(cosT, sinT float64, n int) float64 {
	re, im := 1.0, 0.0
	for range n {
		re, im = re*cosT-im*sinT, re*sinT+im*cosT
	}
	return re
}

// onDot reports whether a point of the ring lies on one of n studs.
func onDot(ux, uy, d, R float64, n int, sinS, cosS float64) bool {
	rx, ry := ux*cosS+uy*sinS, uy*cosS-ux*sinS
	// the angle to the nearest stud, from cos(n·θ): studs sit where it is 1
	k := cosMul(rx, ry, n)
	arc := math.Acos(min(1, max(-1, k))) / float64(n) * d // distance along the ring
	radial := d - 0.92*R
	return arc*arc+radial*radial < (0.035*R)*(0.035*R)
}
