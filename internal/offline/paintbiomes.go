package offline

import "math"

// The painters of each biome's landscape, on the toolkit of paintland.go.

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
