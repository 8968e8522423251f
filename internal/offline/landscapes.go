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

// desert: dunes under a big low sun, or flat-topped mesas beyond them; no
// water, whatever the prompt says of wells and cisterns.
func (l *land) desert(variant int) {
	horizon := l.fh * (0.46 + 0.1*l.r.Float64())
	l.sky(horizon, false, true)
	if variant == 1 {
		l.fill(l.ridge(horizon+2, l.fh*0.22, ridgeMesas), rbFar, 0.75, 0.5, 0)
	} else {
		l.fill(l.ridge(horizon+2, l.fh*0.08, ridgeDunes), rbFar, 0.8, 0.55, 0)
	}
	l.fill(l.ridge(horizon+l.fh*0.12, l.fh*0.1, ridgeDunes), rbMid, 0.85, 0.5, 0)
	l.fill(l.ridge(horizon+l.fh*0.3, l.fh*0.12, ridgeDunes), rbNear, 0.9, 0.45, 0)
	for range l.r.IntN(3) { // a cactus or two
		x, g := l.fw*l.r.Float64(), l.fh*(0.88+0.1*l.r.Float64())
		hgt := l.fh * 0.12
		fillRect(l.c, x-hgt*0.06, g-hgt, x+hgt*0.06, g, rbLeaf, 0.5, 0.3)
		fillRect(l.c, x-hgt*0.25, g-hgt*0.6, x-hgt*0.06, g-hgt*0.52, rbLeaf, 0.45, 0.45)
		fillRect(l.c, x-hgt*0.25, g-hgt*0.85, x-hgt*0.16, g-hgt*0.52, rbLeaf, 0.45, 0.45)
	}
}

// forest: rows of trees rising over a hill, or the trunks of a wood seen
// from inside it.
func (l *land) forest(variant int) {
	r := l.r
	conifer := hasAny(l.prompt, "pine", "pines", "fir", "spruce", "conifer", "taiga", "snow", "winter")
	if variant == 1 && !conifer {
		fillRect(l.c, 0, 0, l.fw, l.fh, rbLeaf, 0.95, 0.55)
		for range 10 + r.IntN(8) { // light through the leaves
			drawGlow(l.c, l.fw*r.Float64(), l.fh*0.3*r.Float64(), l.u*(0.03+0.06*r.Float64()), rbLight)
		}
		fillRect(l.c, 0, l.fh*0.78, l.fw, l.fh, rbNear, 0.6, 0.3)
		for range 5 + r.IntN(5) {
			x := l.fw * r.Float64()
			tw := l.fw * (0.02 + 0.06*r.Float64())
			foot := l.fh * (0.8 + 0.18*r.Float64())
			fillRect(l.c, x-tw/2, 0, x+tw/2, foot, rbDark, 0.6, 0.3)
			fillEllipseRamp(l.c, x, 0, tw*3, l.fh*0.12, rbLeaf, 0.3)
		}
		return
	}
	horizon := l.fh * (0.36 + 0.08*r.Float64())
	l.sky(horizon, false, false)
	l.fill(l.ridge(horizon+2, l.fh*0.1, ridgeRolling), rbFar, 0.8, 0.6, 0)
	for row := range 3 { // the wood's edge rises high over the picture
		t := float64(row) / 2 // far to near
		ground := horizon + l.fh*(0.08+0.3*t)
		n := 20 - 5*row
		for i := range n {
			x := l.fw * (float64(i) + r.Float64()) / float64(n)
			l.tree(x, ground+l.fh*0.03*r.Float64(), l.fh*(0.36+0.2*t)*(0.85+0.3*r.Float64()), conifer, rbLeaf, 0.05)
		}
	}
	// A clearing in front, in the light.
	fillRect(l.c, 0, horizon+l.fh*0.42, l.fw, l.fh, rbNear, 0.85, 0.6)
	for range 3 + r.IntN(3) {
		x := l.fw * r.Float64()
		l.tree(x, l.fh*(0.98+0.04*r.Float64()), l.fh*0.5, conifer, rbLeaf, 0.05)
	}
}

// snow: snowfields under a pale sky, a few dark firs and a lit cabin; or
// white peaks and ice beyond the field.
func (l *land) snow(variant int) {
	r := l.r
	horizon := l.fh * (0.5 + 0.08*r.Float64())
	l.sky(horizon, false, false)
	if variant == 1 {
		l.fill(l.ridge(horizon+2, l.fh*0.3, ridgePeaks), rbSnow, 0.95, 0.6, 0)
	} else {
		l.fill(l.ridge(horizon+2, l.fh*0.06, ridgeRolling), rbSnow, 0.8, 0.6, 0)
	}
	near := l.ridge(horizon+l.fh*0.2, l.fh*0.08, ridgeRolling)
	l.fill(near, rbSnow, 1, 0.65, 0)
	for range 3 + r.IntN(5) {
		x := l.fw * r.Float64()
		l.tree(x, near[min(l.c.w-1, int(x))]+l.fh*0.02, l.fh*(0.1+0.12*r.Float64()), true, rbDark, 0.35)
	}
	cx := l.fw * (0.2 + 0.6*r.Float64())
	g := near[int(cx)] + l.fh*0.05
	fillRect(l.c, cx-l.u*0.07, g-l.u*0.08, cx+l.u*0.07, g, rbDark, 0.5, 0.4)
	fillRect(l.c, cx-l.u*0.02, g-l.u*0.06, cx+l.u*0.015, g-l.u*0.03, rbWarm, 0.8, 0.8)
	for y := 0; y < int(l.u*0.05); y++ { // the roof, under snow
		half := l.u * 0.09 * float64(y) / (l.u * 0.05)
		fillRect(l.c, cx-half, g-l.u*0.13+float64(y), cx+half, g-l.u*0.13+float64(y)+1, rbSnow, 0.9, 0.9)
	}
}

// sea: the open sea to a flat horizon with an island or a sail on it, or a
// coast: a cliff falling to a beach on one side.
func (l *land) sea(variant int) {
	r := l.r
	horizon := l.fh * (0.46 + 0.08*r.Float64())
	l.sky(horizon, false, false)
	l.water(horizon, l.fh, 0, l.c.w)
	if variant == 0 {
		x := l.fw * (0.1 + 0.8*r.Float64())
		if r.IntN(2) == 0 {
			fillEllipseRamp(l.c, x, horizon+1, l.fw*0.12, l.fh*0.05, rbFar, 0.5)
		} else {
			s := l.u * 0.08
			fillRect(l.c, x-s, horizon-s*0.2, x+s, horizon+s*0.1, rbDark, 0.4, 0.4)
			for y := 0; y < int(s*1.2); y++ {
				fillRect(l.c, x, horizon-s*0.2-float64(y), x+s*0.8*float64(y)/(s*1.2), horizon-s*0.2-float64(y)+1, rbLight, 0.8, 0.8)
			}
		}
		return
	}
	left := r.IntN(2) == 0
	cliff := make([]float64, l.c.w)
	for x := range l.c.w {
		k := float64(x) / l.fw
		if !left {
			k = 1 - k
		}
		top := l.fh * (0.25 + 2.2*k + 0.03*math.Sin(float64(x)*0.07))
		cliff[x] = math.Min(top, l.fh*2)
	}
	l.fill(cliff, rbRock, 0.75, 0.35, 0)
	beach := l.ridge(l.fh*0.92, l.fh*0.05, ridgeRolling)
	l.fill(beach, rbNear, 0.85, 0.6, 0)
}

// mountains: ranges of snow-capped peaks over a valley.
func (l *land) mountains(variant int) {
	r := l.r
	horizon := l.fh * (0.55 + 0.1*r.Float64())
	l.sky(horizon*0.8, false, false)
	fillRect(l.c, 0, horizon*0.8, l.fw, l.fh, rbSky, 1, 1)
	if variant == 1 { // one great peak
		peak := make([]float64, l.c.w)
		px := l.fw * (0.3 + 0.4*r.Float64())
		for x := range l.c.w {
			peak[x] = l.fh*0.12 + math.Abs(float64(x)-px)*1.1 + l.fh*0.02*math.Sin(float64(x)*0.05)
		}
		l.fill(peak, rbRock, 0.85, 0.4, l.fh*0.4)
	} else {
		l.fill(l.ridge(horizon, l.fh*0.5, ridgePeaks), rbRock, 0.95, 0.75, horizon*0.5)
	}
	l.fill(l.ridge(horizon+l.fh*0.12, l.fh*0.2, ridgePeaks), rbRock, 0.45, 0.2, 0)
	l.fill(l.ridge(l.fh*0.9, l.fh*0.1, ridgeRolling), rbNear, 0.6, 0.3, 0)
}

// city: a skyline of towers with lit windows, or a street running away
// between façades.
func (l *land) city(variant int) {
	r := l.r
	lit := l.tod == night || l.tod == dusk
	seed := r.Uint32()
	if variant == 1 { // a street in one-point perspective
		vx, vy := l.fw*(0.4+0.2*r.Float64()), l.fh*(0.45+0.1*r.Float64())
		l.sky(vy, false, false)
		roof := (l.fw * 0.5) / vy * (0.5 + 0.3*r.Float64()) // how fast the roofs fall to the far end
		road := (l.fw * 0.5) / (l.fh - vy) * 1.1
		far := l.fw * 0.04
		for y := range l.c.h {
			dy := float64(y) - vy
			for x := range l.c.w {
				dx := float64(x) - vx
				adx := math.Abs(dx)
				switch {
				case dy < 0 && adx < far-dy*roof && adx >= far: // sky over the street
				case dy < 0 && adx < far: // the far end of the street
					if -dy < l.fh*0.1 {
						l.c.set(x, y, rbFar, 0.5)
					}
				case dy >= 0 && adx < far+dy*road: // the road, lighter as it nears
					l.c.set(x, y, rbNear, 0.3+0.5*dy/(l.fh-vy))
				default: // a façade: windows in rows and columns that shrink with distance
					depth := l.fw / math.Max(adx, 1)
					height := dy / math.Max(adx, 1)
					win := math.Mod(depth*1.5, 1) < 0.45 && math.Mod(height*6+100, 1) < 0.5
					if win && (lit || hash2(int(depth*1.5), int(height*6+100), seed)%3 == 0) {
						l.c.set(x, y, rbWarm, 0.55+0.3*float64(hash2(int(depth*1.5), int(height*6+100), seed)%3)/2)
					} else {
						l.c.set(x, y, rbDark, 0.35+0.3*adx/l.fw)
					}
				}
			}
		}
		return
	}
	horizon := l.fh * (0.72 + 0.1*r.Float64())
	l.sky(horizon, false, false)
	for layer := range 2 {
		ramp := rbFar
		if layer == 1 {
			ramp = rbDark
		}
		for x := 0; x < l.c.w; {
			bw := max(3, int(l.fw*(0.04+0.07*r.Float64())))
			top := horizon - l.fh*(0.1+0.5*r.Float64())*(1-0.3*float64(1-layer))
			spire := r.IntN(6) == 0
			for i := x; i < min(l.c.w, x+bw); i++ {
				t := top
				if spire {
					t -= l.fh * 0.12 * (1 - math.Abs(float64(i-x)-float64(bw)/2)/(float64(bw)/2))
				}
				for y := max(0, int(t)); y < l.c.h; y++ {
					if layer == 1 && (i-x)%5 < 2 && y%8 < 4 && y > int(top)+4 && hash2(i/5+x, y/8, seed)%3 == 0 && (lit || r.IntN(4) == 0) {
						l.c.set(i, y, rbWarm, 0.75)
					} else {
						l.c.set(i, y, ramp, 0.5+0.2*float64(layer)-0.3*float64(y)/l.fh)
					}
				}
			}
			x += bw + layer*r.IntN(3)
		}
		horizon += l.fh * 0.08
	}
}

// orbit: a planet's curve filling the lower picture under black space and
// a ringed moon; or a grey moon's craters with a planet in its sky.
func (l *land) orbit(variant int) {
	r := l.r
	l.tod = night
	l.sky(l.fh, true, true)
	c := l.c
	if variant == 0 { // a planet filling one side, lit at its limb
		side := float64(1 - 2*r.IntN(2))
		R := l.fh * (0.9 + 0.3*r.Float64())
		px, py := l.fw/2-side*(l.fw/2+R*0.45), l.fh*(0.4+0.3*r.Float64())
		for y := range c.h {
			for x := range c.w {
				dx, dy := float64(x)-px, float64(y)-py
				d := math.Hypot(dx, dy)
				if d < R {
					band := 0.08 * math.Sin(float64(y)*0.05+float64(x)*0.01)
					lit := clamp01(side * dx / R)
					c.set(x, y, rbMid, clamp01(0.1+0.85*lit+band))
				} else if d < R+l.u*0.015 {
					c.set(x, y, rbAccent, 0.8)
				}
			}
		}
		mx, my, mr := l.fw*(0.15+0.7*r.Float64()), l.fh*(0.15+0.2*r.Float64()), l.u*(0.06+0.05*r.Float64())
		fillEllipseRamp(c, mx, my, mr, mr, rbFar, 0.7)
		for x := int(mx - mr*2.2); x < int(mx+mr*2.2); x++ { // its ring
			k := (float64(x) - mx) / (mr * 2.2)
			y := my + mr*0.35*math.Sqrt(math.Max(0, 1-k*k))
			fillRect(c, float64(x), y, float64(x)+1, y+l.u*0.008, rbLight, 0.8, 0.8)
		}
		return
	}
	horizon := l.fh * (0.72 + 0.1*r.Float64()) // a moon's near horizon, a planet high in its sky
	ex, ey, er := l.fw*(0.2+0.6*r.Float64()), horizon*0.4, l.u*(0.18+0.1*r.Float64())
	fillEllipseRamp(c, ex, ey, er, er, rbWater, 0.7)
	ground := l.ridge(horizon, l.fh*0.04, ridgeRolling)
	l.fill(ground, rbFar, 0.45, 0.2, 0)
	for range 5 + r.IntN(5) {
		y := horizon + (l.fh-horizon)*(0.15+0.8*r.Float64())
		rx := l.fw * (0.03 + 0.08*(y-horizon)/(l.fh-horizon))
		fillEllipseRamp(c, l.fw*r.Float64(), y, rx, rx*0.3, rbDark, 0.6)
	}
}

// underground: a cavern's mouth of dark rock, stalactites and stalagmites,
// glowing crystals, and far off a lit opening or a still lake.
func (l *land) underground(variant int) {
	r := l.r
	c := l.c
	cx, cy := l.fw*(0.35+0.3*r.Float64()), l.fh*(0.45+0.1*r.Float64())
	rx, ry := l.fw*(0.36+0.1*r.Float64()), l.fh*(0.3+0.08*r.Float64())
	teeth := r.Float64() * 6
	tsin, tcos := math.Sincos(teeth)
	// Per column: the stalactites' and stalagmites' length, and half the
	// rock's texture (sin(a+b) from the sines of a and b).
	tooth, sa, ca := make([]float64, c.w), make([]float64, c.w), make([]float64, c.w)
	for x := range c.w {
		tooth[x] = math.Abs(math.Sin(float64(x)*0.06+teeth)) * l.fh * 0.12
		sa[x], ca[x] = math.Sincos(float64(x) * 0.05)
	}
	for y := range c.h {
		fy := float64(y)
		sb, cb := math.Sincos(fy * 0.02)
		for x := range c.w {
			fx := float64(x)
			dx, dy := (fx-cx)/rx, (fy-cy)/ry
			d := dx*dx + dy*dy
			// The mouth's ragged edge: sin(7θ + teeth), θ the direction.
			edge := 1.0
			if d > 0.87 && d < 1.13 { // only near the edge does its wobble matter
				n := math.Sqrt(d)
				// Swapped, the vector's angle is π/2-θ, and cos(7(π/2-θ)) = -sin(7θ).
				c7, s7 := cosMul(dx/n, dy/n, 7), -cosMul(dy/n, dx/n, 7)
				edge += 0.12 * (s7*tcos + c7*tsin)
			}
			inside := d < edge && fy > cy-ry+tooth[x]*(1-dx*dx) && fy < cy+ry*0.85-tooth[x]*0.5*(1-dx*dx)
			if inside {
				c.set(x, y, rbSky, 0.25+0.7*(1-d))
				continue
			}
			c.set(x, y, rbRock, 0.25-0.2*math.Min(1, d/4)+0.05*(sa[x]*cb+ca[x]*sb))
		}
	}
	if variant == 1 {
		l.sunX = cx
		l.water(cy+ry*0.35, cy+ry*0.85, int(cx-rx*0.8), int(cx+rx*0.8))
	} else {
		drawGlow(c, cx, cy, l.u*0.12, rbWarm)
	}
	for range 4 + r.IntN(5) { // crystals
		x, y := l.fw*r.Float64(), l.fh*(0.7+0.28*r.Float64())
		s := l.u * (0.02 + 0.04*r.Float64())
		for k := range 3 {
			ox := (float64(k) - 1) * s * 0.6
			for yy := 0; yy < int(s*2); yy++ {
				half := s * 0.3 * (1 - float64(yy)/(s*2))
				fillRect(c, x+ox-half, y-float64(yy), x+ox+half, y-float64(yy)+1, rbAccent, 0.9-0.3*float64(yy)/(s*2), 0.9)
			}
		}
		drawGlow(c, x, y-s, s*1.5, rbAccent)
	}
}

// river: a river running from the horizon to the viewer between green (or
// snowy) banks with willows, and sometimes a bridge across it.
func (l *land) river(variant int) {
	r := l.r
	horizon := l.fh * (0.42 + 0.08*r.Float64())
	l.sky(horizon, false, false)
	l.fill(l.ridge(horizon+1, l.fh*0.08, ridgeRolling), rbFar, 0.8, 0.6, 0)
	icy := hasAny(l.prompt, "frozen", "ice", "icy")
	bank := rbNear
	if icy {
		bank = rbSnow
	}
	fillRect(l.c, 0, horizon+l.fh*0.02, l.fw, l.fh, bank, 0.75, 0.45)
	cx0 := l.fw * (0.35 + 0.3*r.Float64())
	bend := l.fw * (0.08 + 0.1*r.Float64())
	for y := int(horizon + l.fh*0.02); y < l.c.h; y++ {
		k := (float64(y) - horizon) / (l.fh - horizon)
		cx := cx0 + bend*math.Sin(k*3.5)
		half := l.fw * (0.02 + 0.45*k*k)
		l.water(float64(y), float64(y+1), int(cx-half), int(cx+half)+1)
	}
	for range 3 + r.IntN(4) {
		k := 0.2 + 0.7*r.Float64()
		side := float64(1 - 2*r.IntN(2))
		cx := cx0 + bend*math.Sin(k*3.5)
		x := cx + side*(l.fw*(0.02+0.45*k*k)+l.fw*0.05)
		l.tree(x, horizon+(l.fh-horizon)*k, l.fh*0.25*(0.3+k), false, rbLeaf, 0.35)
	}
	if variant == 1 {
		y := horizon + (l.fh-horizon)*0.35
		fillRect(l.c, 0, y-l.fh*0.05, l.fw, y-l.fh*0.03, rbRock, 0.7, 0.6)
		for x := range l.c.w {
			k := math.Abs(math.Sin(float64(x) / l.fw * math.Pi * 3))
			fillRect(l.c, float64(x), y-l.fh*0.03, float64(x)+1, y-l.fh*0.03+l.fh*0.06*(1-k), rbRock, 0.55, 0.45)
		}
	}
}

// skyIslands: islands floating over a sea of clouds, grass on top and rock
// hanging beneath, an airship between them.
func (l *land) skyIslands() {
	r := l.r
	l.sky(l.fh, false, false)
	for x := range l.c.w { // the sea of clouds
		top := l.fh*0.74 + l.fh*0.04*math.Sin(float64(x)*0.03) + l.fh*0.02*math.Sin(float64(x)*0.11)
		fillRect(l.c, float64(x), top, float64(x)+1, l.fh, rbCloud, 0.95, 0.6)
	}
	for range 3 + r.IntN(3) {
		x, y := l.fw*(0.1+0.8*r.Float64()), l.fh*(0.2+0.45*r.Float64())
		s := l.u * (0.08 + 0.12*r.Float64())
		for yy := 0; yy < int(s*1.4); yy++ {
			half := s * 1.2 * (1 - float64(yy)/(s*1.4))
			fillRect(l.c, x-half, y+float64(yy), x+half, y+float64(yy)+1, rbRock, 0.55-0.3*float64(yy)/(s*1.4), 0.5)
		}
		fillEllipseRamp(l.c, x, y, s*1.25, s*0.2, rbLeaf, 0.7)
		l.tree(x+s*0.4*(r.Float64()-0.5), y, s*0.7, false, rbLeaf, 0.35)
	}
	ax, ay := l.fw*r.Float64(), l.fh*(0.1+0.2*r.Float64())
	fillEllipseRamp(l.c, ax, ay, l.u*0.09, l.u*0.035, rbAccent, 0.7)
	fillRect(l.c, ax-l.u*0.02, ay+l.u*0.04, ax+l.u*0.02, ay+l.u*0.06, rbDark, 0.5, 0.5)
}

// plains: fields in furrows running to a low horizon under a wide sky, a
// lone tree or a windmill.
func (l *land) plains(variant int) {
	r := l.r
	horizon := l.fh * (0.56 + 0.1*r.Float64())
	l.sky(horizon, false, false)
	l.fill(l.ridge(horizon+1, l.fh*0.05, ridgeRolling), rbFar, 0.8, 0.6, 0)
	vx := l.fw * r.Float64()
	top := horizon + l.fh*0.04
	for y := int(top); y < l.c.h; y++ {
		k := (float64(y) - top) / (l.fh - top)
		depth := float64(y) - top + l.fh*0.05
		for x := range l.c.w {
			ramp := rbNear // furrows: stripes running to the vanishing point
			if int(math.Floor((float64(x)-vx)/depth*4+100))%2 == 0 {
				ramp = rbMid
			}
			l.c.set(x, y, ramp, 0.8-0.4*k)
		}
	}
	x := l.fw * (0.15 + 0.7*r.Float64())
	if variant == 0 {
		l.tree(x, top+l.fh*0.03, l.fh*0.28, false, rbLeaf, 0.35)
		return
	}
	base, hgt := top+l.fh*0.05, l.fh*0.3
	for yy := 0; yy < int(hgt); yy++ {
		half := l.u * (0.03 + 0.03*float64(yy)/hgt)
		fillRect(l.c, x-half, base-hgt+float64(yy), x+half, base-hgt+float64(yy)+1, rbDark, 0.45, 0.45)
	}
	for k := range 4 { // the sails
		a := float64(k)*math.Pi/2 + r.Float64()
		sx, sy := math.Cos(a), math.Sin(a)
		for t := 0.0; t < 1; t += 0.01 {
			px, py := x+sx*t*hgt*0.55, base-hgt+sy*t*hgt*0.55
			fillRect(l.c, px-l.u*0.012, py-l.u*0.012, px+l.u*0.012, py+l.u*0.012, rbLight, 0.7, 0.7)
		}
	}
}

// swamp: still dark water with dead trees standing in it, reeds and mist.
func (l *land) swamp() {
	r := l.r
	horizon := l.fh * (0.45 + 0.1*r.Float64())
	l.sky(horizon, false, true)
	l.fill(l.ridge(horizon+1, l.fh*0.06, ridgeRolling), rbFar, 0.6, 0.5, 0)
	l.water(horizon+l.fh*0.04, l.fh, 0, l.c.w)
	for range 4 + r.IntN(4) {
		x, foot := l.fw*r.Float64(), horizon+(l.fh-horizon)*(0.2+0.7*r.Float64())
		hgt := l.fh * (0.25 + 0.3*r.Float64())
		fillRect(l.c, x-l.u*0.012, foot-hgt, x+l.u*0.012, foot, rbDark, 0.4, 0.3)
		for b := range 3 {
			y := foot - hgt*(0.5+0.15*float64(b))
			dir := float64(1 - 2*(b%2))
			for t := 0.0; t < 1; t += 0.05 {
				fillRect(l.c, x+dir*t*hgt*0.25, y-t*hgt*0.12, x+dir*t*hgt*0.25+2, y-t*hgt*0.12+2, rbDark, 0.4, 0.4)
			}
		}
		fillEllipseRamp(l.c, x, foot-hgt, hgt*0.2, hgt*0.08, rbLeaf, 0.3)
	}
	for y := range l.c.h { // mist over the water
		p := 0.35 * math.Exp(-math.Pow((float64(y)-horizon)/(l.fh*0.12), 2))
		for x := range l.c.w {
			if covers(x, y, p) {
				l.c.set(x, y, rbLight, 0.6)
			}
		}
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
