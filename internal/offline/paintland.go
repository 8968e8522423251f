package offline

import (
	"image"
	"math"
	"math/rand/v2"
	"strings"
)

// A landscape is painted by its biome, each in a layout of its own: dunes
// under a low sun, rows of trees or a wood's trunks, snowfields, the open
// sea or a coast, peaks, a skyline or a street, a planet from orbit, a
// cave, a river running to the viewer, islands over clouds, fields, a
// swamp. Every biome shares the ramps below, coloured from the world's
// scheme mixed with the biome's own tint, so that a desert stays sandy and
// a world's pictures keep its colours.
const (
	rbSky = iota
	rbGlow
	rbCloud
	rbLight
	rbDark
	rbFar
	rbMid
	rbNear
	rbWater
	rbLeaf
	rbRock
	rbSnow
	rbWarm
	rbAccent
)

// biomeTints are the colours of each biome's ground, before the world's
// scheme is mixed in.
var biomeTints = map[string]rgb{
	biomeDesert: {0.86, 0.64, 0.4}, biomeForest: {0.2, 0.38, 0.2}, biomeSnow: {0.88, 0.92, 0.97}, biomeSea: {0.55, 0.5, 0.4},
	biomeMountains: {0.42, 0.44, 0.5}, biomeCity: {0.25, 0.25, 0.3}, biomeOrbit: {0.5, 0.5, 0.55}, biomeUnderground: {0.3, 0.25, 0.22},
	biomeRiver: {0.32, 0.48, 0.26}, biomeSky: {0.4, 0.55, 0.3}, biomePlains: {0.66, 0.62, 0.3}, biomeSwamp: {0.28, 0.33, 0.2},
}

// land is a landscape being painted.
type land struct {
	c      *canvas
	r      *rand.Rand
	fw, fh float64
	u      float64 // the short side
	tod    int
	prompt string
	sunX   float64
	sunY   float64
	open   bool // the water is the open sea
}

func newLand(r *rand.Rand, sc scheme, biome, prompt string, w, h int) *land {
	tod := timeOfDay(r, prompt)
	cs := sc.colors
	dark, light := cs[0], cs[len(cs)-1]
	top, hor := skyColours(sc, tod)
	switch biome {
	case biomeOrbit:
		top, hor = rgb{0.01, 0.01, 0.03}, mix(dim(dark, 0.5), rgb{0.06, 0.05, 0.14}, 0.5)
	case biomeUnderground:
		top, hor = dim(dark, 0.15), dim(mix(dark, cs[1], 0.5), 0.45)
	case biomeDesert:
		if tod != night {
			hor = mix(hor, rgb{1, 0.84, 0.58}, 0.45)
		}
	case biomeSnow:
		if tod != night {
			top, hor = mix(top, rgb{0.7, 0.8, 0.9}, 0.45), mix(hor, white, 0.5)
		}
	}
	lightness := 1.0 // the land darkens at night
	if tod == night {
		lightness = 0.55
	}
	tint := biomeTints[biome]
	ground := func(k int, far float64) [2]rgb {
		col := dim(mix(tint, cs[k%len(cs)], 0.3), lightness)
		col = mix(col, hor, far*0.5)
		return [2]rgb{dim(col, 0.5), mix(col, white, 0.18)}
	}
	icy := hasAny(prompt, "frozen", "ice", "icy")
	ramps := make([][2]rgb, rbAccent+1)
	ramps[rbSky] = [2]rgb{top, hor}
	ramps[rbGlow] = [2]rgb{hor, mix(light, white, 0.8)}
	ramps[rbCloud] = [2]rgb{mix(top, hor, 0.6), mix(hor, white, 0.7)}
	ramps[rbLight] = [2]rgb{mix(light, white, 0.4), white}
	ramps[rbDark] = [2]rgb{dim(dark, 0.2), dim(mix(dark, cs[1], 0.5), 0.75)}
	ramps[rbFar] = ground(1, 1)
	ramps[rbMid] = ground(2, 0.5)
	ramps[rbNear] = ground(0, 0)
	ramps[rbWater] = waterRamp(sc, top, hor, icy)
	if biome == biomeSea && !icy { // the open sea mirrors the sky
		ramps[rbWater] = [2]rgb{mix(ramps[rbWater][0], hor, 0.25), mix(ramps[rbWater][1], white, 0.35)}
	}
	ramps[rbLeaf] = [2]rgb{dim(mix(rgb{0.18, 0.4, 0.2}, cs[1], 0.25), 0.35*lightness), dim(mix(rgb{0.4, 0.62, 0.3}, light, 0.2), lightness)}
	ramps[rbRock] = [2]rgb{dim(mix(rgb{0.42, 0.4, 0.42}, cs[1], 0.3), 0.35*lightness), dim(mix(rgb{0.7, 0.68, 0.66}, light, 0.2), lightness)}
	ramps[rbSnow] = [2]rgb{dim(rgb{0.62, 0.7, 0.84}, lightness), dim(rgb{1, 1, 1}, math.Sqrt(lightness))}
	ramps[rbWarm] = [2]rgb{{0.85, 0.5, 0.18}, {1, 0.95, 0.78}}
	ramps[rbAccent] = [2]rgb{dim(sc.accent, 0.5), mix(sc.accent, white, 0.6)}
	c := newCanvas(w, h, ramps)
	fw, fh := float64(w), float64(h)
	return &land{c: c, r: r, fw: fw, fh: fh, u: math.Min(fw, fh), tod: tod, prompt: prompt, open: biome == biomeSea}
}

// sky paints the sky down to horizon: a gradient, the sun or moon and its
// glow, stars at night or in space, and clouds unless clear is set.
func (l *land) sky(horizon float64, stars, clear bool) {
	c, r := l.c, l.r
	l.sunX = l.fw * (0.12 + 0.76*r.Float64())
	l.sunY = horizon * (0.25 + 0.5*r.Float64())
	sunR := l.u * (0.04 + 0.05*r.Float64())
	glowR := sunR * 6
	starSeed := r.Uint32()
	stars = stars || l.tod == night
	for y := range min(c.h, int(horizon)+1) {
		vy := float64(y) / horizon
		dy := float64(y) - l.sunY
		for x := range c.w {
			dx := float64(x) - l.sunX
			d2 := dx*dx + dy*dy
			v := vy
			if d2 < glowR*glowR {
				d := math.Sqrt(d2)
				if d < sunR+1 && covers(x, y, sunR+1-d) {
					c.set(x, y, rbGlow, 0.85+0.15*(1-d/sunR))
					continue
				}
				g := 1 - d/glowR
				v += 0.45 * g * g
			}
			if stars && hash2(x, y, starSeed)%450 == 0 {
				c.set(x, y, rbLight, 1)
				continue
			}
			c.set(x, y, rbSky, v)
		}
	}
	if !clear && (l.tod != night || r.IntN(3) == 0) {
		l.clouds(horizon, 2+r.IntN(4))
	}
}

// clouds paints n clusters of soft ellipses above the horizon.
func (l *land) clouds(horizon float64, n int) {
	c, r := l.c, l.r
	for range n {
		cx, cy := l.fw*r.Float64(), horizon*(0.12+0.6*r.Float64())
		cw := l.fw * (0.1 + 0.15*r.Float64())
		type puff struct{ x, y, rx, ry float64 }
		var puffs []puff
		for range 3 + r.IntN(3) {
			puffs = append(puffs, puff{cx + (r.Float64()-0.5)*cw, cy + (r.Float64()-0.5)*cw*0.15, cw * (0.25 + 0.25*r.Float64()), cw * (0.1 + 0.08*r.Float64())})
		}
		x0, y0, x1, y1 := c.box(cx-cw, cy-cw*0.4, cx+cw, math.Min(horizon, cy+cw*0.4))
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				cov := 0.0
				for _, p := range puffs {
					dx, dy := (float64(x)-p.x)/p.rx, (float64(y)-p.y)/p.ry
					if v := 1 - (dx*dx + dy*dy); v > cov {
						cov = v
					}
				}
				if cov > 0 && covers(x, y, cov*3) {
					c.set(x, y, rbCloud, clamp01(0.55+0.45*(cy-float64(y))/(cw*0.2)+0.2*cov))
				}
			}
		}
	}
}

// Ridge shapes.
const (
	ridgeRolling = iota
	ridgePeaks
	ridgeDunes
	ridgeMesas
)

// ridge is a line across the picture, base minus up to amp, in a shape.
func (l *land) ridge(base, amp float64, shape int) []float64 {
	r := l.r
	w := l.c.w
	out := make([]float64, w)
	f1, f2, f3 := (1+2*r.Float64())*2*math.Pi/l.fw, (3+4*r.Float64())*2*math.Pi/l.fw, (8+8*r.Float64())*2*math.Pi/l.fw
	p1, p2, p3 := r.Float64()*6.3, r.Float64()*6.3, r.Float64()*6.3
	for x := range w {
		fx := float64(x)
		var s float64
		switch shape {
		case ridgePeaks:
			m := 1 - math.Abs(math.Sin(fx*f1*0.9+p1))
			s = 1.2*math.Pow(m, 1.4) + 0.2*(1-math.Abs(math.Sin(fx*f2+p2))) + 0.05*math.Sin(fx*f3+p3) - 0.25
		case ridgeDunes:
			ph := math.Mod(fx*f1*0.5/math.Pi+p1, 1) // a long windward slope, a short steep lee
			if ph < 0.75 {
				s = ph / 0.75
			} else {
				s = (1 - ph) / 0.25
			}
			s = s*s*(3-2*s) + 0.15*math.Sin(fx*f2+p2)
		case ridgeMesas:
			m := math.Sin(fx*f1*1.3+p1) + 0.4*math.Sin(fx*f2+p2)
			s = 0.1
			if m > 0.5 {
				s = 1
			} else if m > 0.3 {
				s = 0.1 + 0.9*(m-0.3)/0.2
			}
		default:
			s = 0.5 + 0.3*math.Sin(fx*f1+p1) + 0.15*math.Sin(fx*f2+p2) + 0.05*math.Sin(fx*f3+p3)
		}
		out[x] = base - amp*s
	}
	return out
}

// fill paints from a ridge down to the bottom in a ramp, lit on the side
// facing the sun; capped, the top of the land (above snowline) is in snow.
func (l *land) fill(ridge []float64, ramp int, vTop, vLow float64, snowline float64) {
	c := l.c
	side := 1.0
	if l.sunX < l.fw/2 {
		side = -1
	}
	for x := range c.w {
		a, b := ridge[max(0, x-1)], ridge[min(c.w-1, x+1)]
		slope := clamp01((a-b)*side*0.2+0.5) - 0.5
		top := ridge[x]
		for y := max(0, int(top)); y < c.h; y++ {
			depth := (float64(y) - top) / (l.fh - top + 1)
			v := vTop - (vTop-vLow)*depth + slope*math.Max(0, 1-depth*4)
			if float64(y) < snowline && float64(y)-top < l.fh*0.08 {
				c.set(x, y, rbSnow, v+0.2)
				continue
			}
			c.set(x, y, ramp, v)
		}
	}
}

// water paints water from y0 down to y1 between the columns x0 and x1:
// ripples, the sun's reflection, ice when the prompt freezes it.
func (l *land) water(y0, y1 float64, x0, x1 int) {
	c := l.c
	icy := hasAny(l.prompt, "frozen", "ice", "icy")
	seed := l.r.Uint32()
	sunR := l.u * 0.06
	for y := max(0, int(y0)); y < min(c.h, int(y1)); y++ {
		fy := float64(y)
		k := (fy - y0) / (l.fh - y0 + 1)
		sb, cb := math.Sincos(fy * 0.07)
		for x := max(0, x0); x < min(c.w, x1); x++ {
			sa, ca := math.Sincos(float64(x) * 0.03)
			ripple := 0.1 * math.Sin(fy*0.9+3*(sa*cb+ca*sb))
			if icy {
				ripple = 0.04 * math.Sin(float64(x)*0.01+fy*0.02)
				if hash2(x/3+int(fy*0.2), y/2, seed)%120 == 0 {
					ripple = -0.35
				}
			} else if math.Abs(float64(x)-l.sunX) < sunR*(1+3*k) && ripple > 0.03 && l.tod != day {
				c.set(x, y, rbGlow, 0.7-0.4*k)
				continue
			}
			if l.open { // the open sea mirrors the bright sky nearer the viewer
				c.set(x, y, rbWater, 0.35+0.6*k+ripple)
				continue
			}
			c.set(x, y, rbWater, 0.75-0.55*k+ripple)
		}
	}
}

// tree paints a tree standing at (x, ground): a cone of a conifer or a
// round crown on a trunk, its shade the darkest value of its ramp.
func (l *land) tree(x, ground, height float64, conifer bool, ramp int, shade float64) {
	c := l.c
	width := height * 0.32
	if !conifer {
		width = height * 0.42
	}
	x0, y0, x1, y1 := c.box(x-width, ground-height, x+width, ground)
	for y := y0; y < y1; y++ {
		fy := float64(y)
		k := (fy - (ground - height)) / height // 0 top, 1 foot
		for xx := x0; xx < x1; xx++ {
			dx := math.Abs(float64(xx) - x)
			var in bool
			if conifer {
				in = k < 0.9 && dx < width*k*(0.8+0.2*math.Abs(math.Sin(k*18)))
			} else {
				cy := ground - height*0.62
				in = math.Hypot(dx/width, (fy-cy)/(height*0.38)) < 1
			}
			switch {
			case in:
				c.set(xx, y, ramp, shade+0.35*(1-k)+0.2*(float64(xx)-x)/width)
			case dx < height*0.035 && k > 0.6:
				c.set(xx, y, rbDark, 0.5)
			}
		}
	}
}

// paintBiome draws a landscape of a biome. A post's picture (post) is
// taller than a header and may show someone in the frame.
func paintBiome(r *rand.Rand, sc scheme, biome, prompt string, w, h int, post bool) *image.Paletted {
	l := newLand(r, sc, biome, prompt, w, h)
	variant := r.IntN(2)
	switch biome {
	case biomeDesert:
		l.desert(variant)
	case biomeForest:
		l.forest(variant)
	case biomeSnow:
		l.snow(variant)
	case biomeSea:
		l.sea(variant)
	case biomeMountains:
		l.mountains(variant)
	case biomeCity:
		l.city(variant)
	case biomeOrbit:
		l.orbit(variant)
	case biomeUnderground:
		l.underground(variant)
	case biomeRiver:
		l.river(variant)
	case biomeSky:
		l.skyIslands()
	case biomeSwamp:
		l.swamp()
	default:
		l.plains(variant)
	}
	if biome != biomeUnderground && biome != biomeOrbit && biome != biomeDesert { // a dust storm brings no rain
		weather(r, l.c.img, prompt, rbLight)
	}
	if !post {
		l.landmark(biome)
	}
	if post && strings.Contains(prompt, "in the frame") {
		drawFigure(l.c, l.fw*(0.25+0.5*r.Float64()), l.fh*0.97, l.u*(0.3+0.1*r.Float64()), rbDark)
	}
	return l.c.img
}

// landmark draws, on a world's header, the creature or ship its idea names
// when there is a shape for it: a caravan of camels on the dunes, turtles
// on the shore, a dragon or birds in the sky, a ship on the water.
func (l *land) landmark(biome string) {
	prompt := l.prompt
	if before, _, ok := strings.Cut(prompt, ". palette"); ok { // the palette names colours, not things
		prompt = before
	}
	best, at := "", len(prompt)
	var shape func(x, y float64) bool
	for _, s := range symbols {
		name := s.words[0]
		if !isCreature(name) && name != "ship" {
			continue
		}
		for _, w := range s.words {
			if i := findWord(prompt, w); i >= 0 && i < at {
				best, at, shape = name, i, s.in
			}
		}
	}
	if shape == nil || best == "fish" || (best == "ship" && biome != biomeSea && biome != biomeRiver && biome != biomeSwamp) {
		return
	}
	r := l.r
	n, y, size := 1+r.IntN(3), l.fh*(0.82+0.08*r.Float64()), l.u*(0.14+0.06*r.Float64())
	switch best {
	case "bird", "dragon":
		y, size = l.fh*(0.15+0.15*r.Float64()), l.u*(0.08+0.08*r.Float64())
	case "ship":
		n, y = 1, l.fh*(0.6+0.2*r.Float64())
	case "camel":
		n = 3 + r.IntN(2) // a caravan
	}
	x := l.fw * (0.1 + 0.5*r.Float64())
	for range n {
		x0, y0, x1, y1 := l.c.box(x-size, y-size, x+size, y+size)
		for py := y0; py < y1; py++ {
			for px := x0; px < x1; px++ {
				if shape((float64(px)-x)/size, (float64(py)-y)/size) {
					l.c.set(px, py, rbDark, 0.35)
				}
			}
		}
		x += size * (1.6 + 0.6*r.Float64())
	}
}

// fillEllipseRamp paints an ellipse in a ramp, shaded top to bottom.
func fillEllipseRamp(c *canvas, cx, cy, rx, ry float64, ramp int, v float64) {
	x0, y0, x1, y1 := c.box(cx-rx-1, cy-ry-1, cx+rx+1, cy+ry+1)
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
			if d := dx*dx + dy*dy; d < 1 && covers(x, y, (1-d)*rx*0.5) {
				c.set(x, y, ramp, clamp01(v+0.25*(1-d)-0.2*dy))
			}
		}
	}
}
