package offline

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"strings"
)

// A post's picture follows what the post is about (the kinds of scene and
// their words are in scenes.txt): a market, a crowd, a room, an object on a
// table, a person, a harbour, a workshop, a meal, a festival, an animal, a
// vehicle, the weather or a landscape; and the weather and the hour its
// prompt names. The scenes of streets and rooms share the ramps below; the
// landscapes have their own (paintland.go).
const (
	rsSky = iota
	rsWall
	rsFloor
	rsWood
	rsStripeA
	rsStripeB
	rsGlow
	rsDark
	rsCloth1
	rsCloth2
	rsCloth3
	rsObject
	rsLight
	rsIce
)

// paintPost draws a post's picture: the scene its words ask for (see
// sceneOf), the weather over the scenes out of doors and, for an old
// photograph, its age.
func paintPost(r *rand.Rand, sc scheme, prompt string, w, h int) *image.Paletted {
	var img *image.Paletted
	switch k := sceneOf(prompt); k {
	case sceneMarket:
		img = paintMarket(r, sc, prompt, w, h)
		weather(r, img, prompt, rsLight)
	case sceneCrowd:
		img = paintCrowd(r, sc, prompt, w, h)
		weather(r, img, prompt, rsLight)
	case sceneInterior:
		img = paintRoom(r, sc, prompt, w, h)
	case sceneObject:
		img = paintObject(r, sc, prompt, w, h)
	case scenePortrait:
		return paintPortrait(r, sc, prompt, w, h)
	case sceneHarbour:
		img = paintHarbour(r, sc, prompt, w, h)
	case sceneWorkshop:
		img = paintWorkshop(r, sc, prompt, w, h)
	case sceneFood:
		img = paintFood(r, sc, prompt, w, h)
	case sceneFestival:
		img = paintFestival(r, sc, prompt, w, h)
	case sceneAnimal:
		img = paintAnimal(r, sc, prompt, w, h)
	case sceneVehicle:
		img = paintVehicle(r, sc, prompt, w, h)
		weather(r, img, prompt, rsLight)
	case sceneWeather:
		img = paintWeather(r, sc, prompt, w, h)
	default:
		img = paintBiome(r, sc, k, prompt, w, h, true)
	}
	if strings.Contains(prompt, "vintage") || strings.Contains(prompt, "faded") {
		sepia(img)
	}
	return img
}

// sceneCanvas is a canvas with the scene ramps in the scheme's colours and
// the light of the hour.
func sceneCanvas(sc scheme, tod, w, h int) *canvas {
	cs := sc.colors
	dark, mid, mid2, light := cs[0], cs[1], cs[len(cs)-2], cs[len(cs)-1]
	top, hor := skyColours(sc, tod)
	cloth := func(c rgb) [2]rgb { return [2]rgb{dim(c, 0.4), mix(c, white, 0.25)} }
	wood := rgb{0.55, 0.38, 0.22}
	ramps := make([][2]rgb, rsIce+1)
	ramps[rsSky] = [2]rgb{top, hor}
	ramps[rsWall] = [2]rgb{dim(mid, 0.4), mix(mid, light, 0.45)}
	ramps[rsFloor] = [2]rgb{dim(dark, 0.45), mix(mid2, dark, 0.35)}
	ramps[rsWood] = [2]rgb{dim(mix(wood, dark, 0.3), 0.45), mix(wood, light, 0.25)}
	ramps[rsStripeA] = [2]rgb{dim(sc.accent, 0.55), mix(sc.accent, white, 0.3)}
	ramps[rsStripeB] = [2]rgb{mix(light, dark, 0.35), mix(light, white, 0.6)}
	ramps[rsGlow] = [2]rgb{{0.85, 0.5, 0.18}, {1, 0.95, 0.78}}
	ramps[rsDark] = [2]rgb{dim(dark, 0.2), dim(mix(dark, mid, 0.5), 0.7)}
	ramps[rsCloth1] = cloth(mid)
	ramps[rsCloth2] = cloth(mid2)
	ramps[rsCloth3] = cloth(sc.accent)
	ramps[rsObject] = [2]rgb{dim(sc.accent, 0.35), mix(sc.accent, white, 0.55)}
	ramps[rsLight] = [2]rgb{mix(light, white, 0.4), white}
	ramps[rsIce] = [2]rgb{{0.5, 0.64, 0.76}, {0.93, 0.97, 1}}
	if tod == night {
		ramps[rsWall] = [2]rgb{dim(mid, 0.2), mix(mid, light, 0.2)}
		ramps[rsFloor] = [2]rgb{dim(dark, 0.3), dim(mix(mid2, dark, 0.5), 0.7)}
	}
	return newCanvas(w, h, ramps)
}

// skyColours are the top and horizon of the sky at an hour.
func skyColours(sc scheme, tod int) (top, hor rgb) {
	cs := sc.colors
	dark, mid, mid2, light := cs[0], cs[1], cs[len(cs)-2], cs[len(cs)-1]
	switch tod {
	case night:
		return dim(dark, 0.45), mix(dark, mid, 0.6)
	case dawn:
		return mix(mid, light, 0.35), mix(sc.accent, white, 0.55)
	case day:
		return mix(mid2, light, 0.3), mix(light, white, 0.6)
	}
	return mix(dark, mid, 0.5), mix(sc.accent, light, 0.35)
}

// fillSky paints the sky from y0 to y1 (the horizon), with stars at night
// and the sun or moon at (sx, sy).
func fillSky(c *canvas, r *rand.Rand, x0, y0, x1, y1 int, tod int) {
	seed := r.Uint32()
	sx := float64(x0) + float64(x1-x0)*(0.15+0.7*r.Float64())
	sy := float64(y0) + float64(y1-y0)*(0.2+0.4*r.Float64())
	sr := float64(min(x1-x0, y1-y0)) * (0.06 + 0.04*r.Float64())
	for y := max(0, y0); y < min(c.h, y1); y++ {
		v := float64(y-y0) / float64(max(1, y1-y0))
		for x := max(0, x0); x < min(c.w, x1); x++ {
			d := math.Hypot(float64(x)-sx, float64(y)-sy)
			switch {
			case d < sr && covers(x, y, (sr-d)*0.8):
				c.set(x, y, rsLight, 0.9)
			case tod == night && hash2(x, y, seed)%400 == 0:
				c.set(x, y, rsLight, 1)
			default:
				g := 0.0
				if d < sr*5 {
					g = 0.35 * (1 - d/(sr*5)) * (1 - d/(sr*5))
				}
				c.set(x, y, rsSky, v+g)
			}
		}
	}
}

// fillSkyline paints a band of roofs between base and base-height, with lit
// windows after dark.
func fillSkyline(c *canvas, r *rand.Rand, base, height float64, lit bool) {
	seed := r.Uint32()
	for x := 0; x < c.w; {
		bw := max(3, int(float64(c.w)*(0.06+0.1*r.Float64())))
		top := base - height*(0.35+0.65*r.Float64())
		peaked := r.IntN(3) == 0
		for i := x; i < min(c.w, x+bw); i++ {
			t := top
			if peaked {
				t += math.Abs(float64(i-x)-float64(bw)/2) * 0.6
			}
			for y := max(0, int(t)); y < min(c.h, int(base)); y++ {
				if lit && (i%7) < 3 && (y%10) < 4 && y > int(t)+5 && hash2(i/7, y/10, seed)%3 == 0 {
					c.set(i, y, rsGlow, 0.7)
				} else {
					c.set(i, y, rsDark, 0.45+0.25*float64(y-int(t))/(base-t+1))
				}
			}
		}
		x += bw
	}
}

// fillGround paints the ground from y0 down: ice where the water is frozen,
// else a floor or street that darkens toward the viewer.
func fillGround(c *canvas, r *rand.Rand, y0 int, icy bool) {
	seed := r.Uint32()
	for y := max(0, y0); y < c.h; y++ {
		k := float64(y-y0) / float64(max(1, c.h-y0))
		for x := range c.w {
			if icy {
				crack := hash2(x/3+int(k*40), y/2, seed)%90 == 0
				v := 0.85 - 0.35*k + 0.08*math.Sin(float64(x)*0.02+float64(y)*0.05)
				if crack {
					v -= 0.4
				}
				c.set(x, y, rsIce, v)
				continue
			}
			c.set(x, y, rsFloor, 0.75-0.6*k+0.05*math.Sin(float64(x)*0.05))
		}
	}
}

// fillRect paints a rectangle in a ramp, shaded from top to bottom.
func fillRect(c *canvas, x0, y0, x1, y1 float64, ramp int, vTop, vLow float64) {
	a, b, e, f := c.box(x0, y0, x1, y1)
	for y := b; y < f; y++ {
		v := vTop + (vLow-vTop)*float64(y-b)/float64(max(1, f-b))
		for x := a; x < e; x++ {
			c.set(x, y, ramp, v)
		}
	}
}

// fillEllipse paints an ellipse, lit from the upper left.
func fillEllipse(c *canvas, cx, cy, rx, ry float64, ramp int, v float64) {
	x0, y0, x1, y1 := c.box(cx-rx-1, cy-ry-1, cx+rx+1, cy+ry+1)
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
			d := dx*dx + dy*dy
			if d < 1 && covers(x, y, (1-d)*rx*0.5) {
				c.set(x, y, ramp, clamp01(v-0.25*(dx+dy)*0.5-0.15*d))
			}
		}
	}
}

// paintStreet lays out an outdoor scene: the sky of the hour down to a
// horizon a share top (and up to a tenth more) of the way down, roofs along
// it as tall as a share roofs of the picture, their windows lit at dusk and
// night (and at dawn too if litAtDawn), and the street or the ice in front.
func paintStreet(r *rand.Rand, sc scheme, prompt string, w, h int, top, roofs float64, litAtDawn bool) (c *canvas, tod int, horizon float64) {
	tod = timeOfDay(r, prompt)
	c = sceneCanvas(sc, tod, w, h)
	fh := float64(h)
	horizon = fh * (top + 0.1*r.Float64())
	fillSky(c, r, 0, 0, w, int(horizon)+1, tod)
	fillSkyline(c, r, horizon, fh*roofs, tod == night || tod == dusk || (litAtDawn && tod == dawn))
	fillGround(c, r, int(horizon), hasAny(prompt, "frozen", "ice", "icy"))
	return c, tod, horizon
}

// paintMarket draws a street of stalls under striped awnings running to
// the horizon, string lights over it and people between the stalls.
func paintMarket(r *rand.Rand, sc scheme, prompt string, w, h int) *image.Paletted {
	c, tod, horizon := paintStreet(r, sc, prompt, w, h, 0.36, 0.12, false)
	fw, fh := float64(w), float64(h)
	vx := fw * (0.35 + 0.3*r.Float64())
	lit := tod == night || tod == dusk
	// Stalls on both sides, far to near.
	for _, side := range []float64{-1, 1} {
		for i := 5; i >= 0; i-- {
			t := math.Pow(float64(i)/6, 1.6) // 0 near, 1 far
			scale := 1 - 0.85*t
			foot := horizon + (fh-horizon)*(1-t)*0.92
			width := fw * 0.44 * scale
			x0 := vx + side*(fw*0.12+fw*0.4*(1-t)) - width/2
			height := fh * 0.3 * scale
			counter := foot - height*0.45
			fillRect(c, x0, counter, x0+width, foot, rsWood, 0.6, 0.3)
			// goods on the counter
			for g := range 5 {
				gx := x0 + width*(0.12+0.19*float64(g))
				fillEllipse(c, gx, counter-height*0.04, width*0.07, height*0.06, rsCloth1+(g+i)%3, 0.7)
			}
			// posts and a striped awning
			fillRect(c, x0, foot-height, x0+width*0.04, counter, rsDark, 0.5, 0.5)
			fillRect(c, x0+width*0.96, foot-height, x0+width, counter, rsDark, 0.5, 0.5)
			stripes := 6
			a, b, e, f := c.box(x0-width*0.04, foot-height*1.12, x0+width*1.04, foot-height*0.86)
			for y := b; y < f; y++ {
				for x := a; x < e; x++ {
					k := int(float64(x-a) / float64(max(1, e-a)) * float64(stripes))
					ramp := rsStripeA
					if (k+i)%2 == 1 {
						ramp = rsStripeB
					}
					scallop := float64(f) - (float64(e-a)/float64(stripes)/2)*0.35*math.Abs(math.Sin(float64(x-a)/float64(max(1, e-a))*float64(stripes)*math.Pi))
					if float64(y) < scallop {
						c.set(x, y, ramp, 0.55+0.35*float64(f-y)/float64(max(1, f-b)))
					}
				}
			}
			if lit {
				drawGlow(c, x0+width/2, counter-height*0.25, height*0.12, rsGlow)
			}
		}
	}
	// String lights across the street.
	if lit || r.IntN(2) == 0 {
		for k := range 2 {
			y0 := horizon - fh*(0.06+0.08*float64(k))
			sag := fh * 0.06
			for n := 0; n <= 24; n++ {
				t := float64(n) / 24
				x := t * fw
				y := y0 + sag*4*t*(1-t) + fh*0.02*float64(k)
				drawGlow(c, x, y, fh*0.008, rsGlow)
			}
		}
	}
	// People in the street.
	for range 4 + r.IntN(6) {
		t := r.Float64()
		ground := horizon + (fh-horizon)*(0.15+0.8*t)
		fx := vx + (r.Float64()-0.5)*fw*0.45*(0.3+t)
		drawFigure(c, fx, ground, fh*0.3*(0.25+0.75*t), rsCloth1+r.IntN(3))
	}
	return c.img
}

// paintCrowd draws a gathering: rows of people before roofs or a view,
// lanterns over them after dark.
func paintCrowd(r *rand.Rand, sc scheme, prompt string, w, h int) *image.Paletted {
	c, tod, horizon := paintStreet(r, sc, prompt, w, h, 0.4, 0.16, true)
	fw, fh := float64(w), float64(h)
	if tod == night || tod == dusk || r.IntN(2) == 0 {
		for range 6 + r.IntN(8) {
			drawGlow(c, fw*r.Float64(), horizon*(0.55+0.4*r.Float64()), fh*(0.01+0.012*r.Float64()), rsGlow)
		}
	}
	rows := 4
	for row := range rows {
		t := float64(row+1) / float64(rows) // far to near
		ground := horizon + (fh-horizon)*(0.2+0.8*t)
		height := fh * (0.12 + 0.34*t*t)
		n := 9 - row*2
		for i := range n {
			fx := fw * (float64(i) + 0.3 + 0.4*r.Float64()) / float64(n)
			drawFigure(c, fx, ground+fh*0.03*r.Float64(), height*(0.85+0.25*r.Float64()), rsCloth1+(i+row)%3)
		}
	}
	return c.img
}

// paintWall lays out an indoor scene: a wall in the light of the hour down
// to a line a share top (and up to a tenth more) of the way down, where the
// floor or a table begins.
func paintWall(r *rand.Rand, sc scheme, prompt string, w, h int, top float64) (c *canvas, tod int, line float64) {
	tod = timeOfDay(r, prompt)
	c = sceneCanvas(sc, tod, w, h)
	line = float64(h) * (top + 0.1*r.Float64())
	fillRect(c, 0, 0, float64(w), line, rsWall, 0.75, 0.42)
	return c, tod, line
}

// paintRoom draws an interior: a wall with a window onto the world's sky,
// shelves, a lamp, and a table in front with something on it.
func paintRoom(r *rand.Rand, sc scheme, prompt string, w, h int) *image.Paletted {
	c, tod, floorY := paintWall(r, sc, prompt, w, h, 0.62)
	fw, fh := float64(w), float64(h)
	fillGround(c, r, int(floorY), false)
	// The window, and the world beyond it.
	wx0, wx1 := fw*(0.1+0.35*r.Float64()), 0.0
	wx1 = wx0 + fw*(0.3+0.15*r.Float64())
	wy0, wy1 := fh*0.12, fh*(0.4+0.08*r.Float64())
	fillRect(c, wx0-fw*0.02, wy0-fw*0.02, wx1+fw*0.02, wy1+fw*0.02, rsWood, 0.45, 0.35)
	beyond := wy0 + (wy1-wy0)*0.7
	fillSky(c, r, int(wx0), int(wy0), int(wx1), int(beyond)+1, tod)
	for x := int(wx0); x < int(wx1); x++ {
		ridge := beyond - (wy1-wy0)*0.15*(0.5+0.5*math.Sin(float64(x)*0.05+r.Float64()*0.1))
		for y := int(ridge); y < int(wy1); y++ {
			c.set(x, y, rsDark, 0.6)
		}
	}
	fillRect(c, (wx0+wx1)/2-fw*0.006, wy0, (wx0+wx1)/2+fw*0.006, wy1, rsWood, 0.4, 0.4)
	fillRect(c, wx0, (wy0+wy1)/2-fw*0.006, wx1, (wy0+wy1)/2+fw*0.006, rsWood, 0.4, 0.4)
	// Shelves of books or jars on the other side.
	sx0 := wx1 + fw*0.08
	if sx0 > fw*0.75 {
		sx0 = fw * 0.04
	}
	for s := range 3 {
		sy := fh * (0.18 + 0.13*float64(s))
		fillRect(c, sx0, sy, sx0+fw*0.28, sy+fh*0.012, rsWood, 0.5, 0.4)
		for x := sx0; x < sx0+fw*0.27; {
			bw := fw * (0.015 + 0.02*r.Float64())
			bh := fh * (0.05 + 0.04*r.Float64())
			fillRect(c, x, sy-bh, x+bw, sy, rsCloth1+r.IntN(4), 0.65, 0.45)
			x += bw + fw*0.004
		}
	}
	// A table with a lamp and a cup.
	ty := floorY + (fh-floorY)*0.35
	fillRect(c, fw*0.08, ty, fw*0.92, ty+fh*0.04, rsWood, 0.75, 0.5)
	fillRect(c, fw*0.14, ty+fh*0.04, fw*0.17, fh, rsWood, 0.35, 0.25)
	fillRect(c, fw*0.83, ty+fh*0.04, fw*0.86, fh, rsWood, 0.35, 0.25)
	lx := fw * (0.2 + 0.6*r.Float64())
	if tod == night || tod == dusk {
		drawGlow(c, lx, ty-fh*0.08, fh*0.12, rsGlow)
	}
	fillRect(c, lx-fw*0.01, ty-fh*0.08, lx+fw*0.01, ty, rsDark, 0.5, 0.5)
	fillEllipse(c, lx, ty-fh*0.1, fw*0.06, fh*0.035, rsStripeA, 0.8)
	cx := fw*1.0 - lx
	fillEllipse(c, cx, ty-fh*0.025, fw*0.04, fh*0.028, rsObject, 0.7)
	if strings.Contains(prompt, "in the frame") {
		drawFigure(c, fw*(0.3+0.4*r.Float64()), fh*0.98, fh*0.5, rsCloth1+r.IntN(3))
	}
	return c.img
}

// objectShapes name the shape of a thing by the words for it.
var objectShapes = []struct {
	shape string
	words []string
}{
	{"lantern", []string{"lantern", "lamp", "candle"}},
	{"jar", []string{"jar", "bottle", "cordial", "honey", "milk", "flask", "thermos", "canister", "potion", "vial"}},
	{"disc", []string{"compass", "bell", "coin", "token", "cheese", "plate", "wheel", "clock", "watch", "ring", "medal"}},
	{"paper", []string{"book", "books", "letter", "map", "chart", "ticket", "note", "receipt", "photo", "scroll", "postcard", "page"}},
	{"bowl", []string{"basket", "bowl", "pot", "mug", "cup", "kettle", "stew", "soup", "tea", "coffee", "pie", "porridge"}},
}

// paintObject draws one thing close up on a table, the room behind it out
// of focus.
func paintObject(r *rand.Rand, sc scheme, prompt string, w, h int) *image.Paletted {
	c, _, tableY := paintWall(r, sc, prompt, w, h, 0.6)
	fw, fh := float64(w), float64(h)
	for range 10 + r.IntN(10) { // out-of-focus lights behind
		ramp := rsGlow
		if r.IntN(2) == 0 {
			ramp = rsStripeB
		}
		drawGlow(c, fw*r.Float64(), tableY*r.Float64(), fw*(0.03+0.06*r.Float64()), ramp)
	}
	grain := r.Float64() * 6
	for y := int(tableY); y < h; y++ {
		k := (float64(y) - tableY) / (fh - tableY)
		for x := range w {
			c.set(x, y, rsWood, 0.7-0.35*k+0.08*math.Sin(float64(x)*0.01+float64(y)*0.18+grain+3*math.Sin(float64(x)*0.004)))
		}
	}
	// The thing the post is about, or one by chance: the lamps of a
	// world's style are no post's subject.
	shape := "box"
	if i := r.IntN(len(objectShapes) + 1); i < len(objectShapes) {
		shape = objectShapes[i].shape
	}
	for _, s := range objectShapes {
		if hasAny(subjectText(prompt), s.words...) {
			shape = s.shape
			break
		}
	}
	cx, base := fw*(0.4+0.2*r.Float64()), tableY+(fh-tableY)*0.45
	size := fw * (0.2 + 0.08*r.Float64())
	fillEllipse(c, cx+size*0.15, base, size*1.1, size*0.18, rsDark, 0.35) // shadow
	switch shape {
	case "lantern":
		fillRect(c, cx-size*0.45, base-size*1.6, cx+size*0.45, base, rsDark, 0.45, 0.35)
		drawGlow(c, cx, base-size*0.8, size*0.55, rsGlow)
		fillRect(c, cx-size*0.55, base-size*1.75, cx+size*0.55, base-size*1.6, rsDark, 0.5, 0.5)
		fillEllipse(c, cx, base-size*1.95, size*0.2, size*0.2, rsDark, 0.5)
	case "jar":
		fillRect(c, cx-size*0.45, base-size*1.5, cx+size*0.45, base, rsObject, 0.8, 0.45)
		fillRect(c, cx-size*0.2, base-size*1.9, cx+size*0.2, base-size*1.5, rsObject, 0.7, 0.6)
		fillRect(c, cx-size*0.24, base-size*2.0, cx+size*0.24, base-size*1.88, rsWood, 0.5, 0.4)
		fillRect(c, cx-size*0.33, base-size*1.3, cx-size*0.22, base-size*0.2, rsLight, 0.8, 0.6) // a highlight
	case "disc":
		fillEllipse(c, cx, base-size*0.55, size*0.7, size*0.7, rsObject, 0.75)
		fillEllipse(c, cx, base-size*0.55, size*0.55, size*0.55, rsStripeB, 0.8)
		fillRect(c, cx-size*0.03, base-size*1.0, cx+size*0.03, base-size*0.55, rsDark, 0.4, 0.4)
	case "paper":
		fillRect(c, cx-size*0.9, base-size*0.6, cx+size*0.9, base, rsStripeB, 0.9, 0.7)
		for l := range 6 {
			y := base - size*0.5 + float64(l)*size*0.08
			fillRect(c, cx-size*0.75, y, cx+size*(0.4+0.3*r.Float64()), y+size*0.02, rsDark, 0.55, 0.55)
		}
	case "bowl":
		fillEllipse(c, cx, base-size*0.4, size*0.85, size*0.45, rsObject, 0.7)
		fillEllipse(c, cx, base-size*0.72, size*0.8, size*0.16, rsCloth2, 0.55)
	default:
		fillRect(c, cx-size*0.7, base-size*1.0, cx+size*0.7, base, rsObject, 0.75, 0.45)
		fillRect(c, cx-size*0.04, base-size*1.0, cx+size*0.04, base, rsStripeB, 0.8, 0.6)
		fillRect(c, cx-size*0.7, base-size*0.55, cx+size*0.7, base-size*0.47, rsStripeB, 0.8, 0.6)
	}
	return c.img
}

// weather lays rain, snow or fog, in the light ramp, over a picture whose
// prompt names them.
func weather(r *rand.Rand, img *image.Paletted, prompt string, rsLight int) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	c := &canvas{img: img, pix: img.Pix, w: w, h: h, stride: img.Stride}
	prompt = postsOwnWords(prompt)
	switch {
	case hasAny(prompt, "rain", "rains", "raining", "rainy", "storm", "stormy", "drizzle", "downpour"):
		for range w * h / 900 {
			x, y := r.IntN(w), r.IntN(h)
			l := 6 + r.IntN(10)
			for k := range l {
				px, py := x+k/3, y+k
				if px < w && py < h {
					c.set(px, py, rsLight, 0.55)
				}
			}
		}
	case hasAny(prompt, "snow", "snowfall", "snowing", "blizzard", "winter", "frost", "snowy"):
		for range w * h / 700 {
			x, y := r.IntN(w-2), r.IntN(h-2)
			c.set(x, y, rsLight, 1)
			if r.IntN(3) == 0 {
				c.set(x+1, y, rsLight, 0.9)
				c.set(x, y+1, rsLight, 0.9)
			}
		}
	case hasAny(prompt, "fog", "foggy", "mist", "misty", "haze"):
		for y := range h {
			p := 0.3 * math.Sin(math.Pi*float64(y)/float64(h))
			for x := range w {
				if covers(x, y, p*(0.7+0.3*math.Sin(float64(x)*0.01+float64(y)*0.003))) {
					c.set(x, y, rsLight, 0.75)
				}
			}
		}
	}
}

// sepia turns a picture's palette to the browns of an old photograph.
func sepia(img *image.Paletted) {
	for i, col := range img.Palette {
		cr, cg, cb, _ := col.RGBA()
		l := (0.299*float64(cr) + 0.587*float64(cg) + 0.114*float64(cb)) / 65535
		s := mix(rgb{0.24, 0.16, 0.1}, rgb{0.96, 0.9, 0.76}, l)
		img.Palette[i] = color.RGBA{u8(s[0]), u8(s[1]), u8(s[2]), 255}
	}
}
