package offline

import (
	"image"
	"math"
	"math/rand/v2"
)

// The subjects a post's picture can show besides a market, a crowd, a
// room, an object and a face: a harbour, a workshop, a meal, a festival,
// an animal, a vehicle and the weather. Each has a layout of its own.

// paintHarbour draws a quay running out into the water on one side, boats
// with masts moored along it and a lighthouse at its end.
func paintHarbour(r *rand.Rand, sc scheme, prompt string, w, h int) *image.Paletted {
	l := newLand(r, sc, biomeSea, prompt, w, h)
	switch r.IntN(3) {
	case 1:
		l.moorings()
		weather(r, l.c.img, prompt, rbLight)
		return l.c.img
	case 2:
		l.breakwater()
		weather(r, l.c.img, prompt, rbLight)
		return l.c.img
	}
	horizon := l.fh * (0.38 + 0.08*r.Float64())
	l.sky(horizon, false, false)
	l.water(horizon, l.fh, 0, w)
	left := r.IntN(2) == 0
	vx := l.fw * (0.55 + 0.2*r.Float64())
	if left {
		vx = l.fw - vx
	}
	for y := int(horizon) + 1; y < h; y++ { // the quay, in perspective
		k := (float64(y) - horizon) / (l.fh - horizon)
		edge := vx + (l.fw*0.1-vx)*k
		if !left {
			edge = vx + (l.fw*0.9-vx)*k
		}
		a, b := 0.0, edge
		if !left {
			a, b = edge, l.fw
		}
		fillRect(l.c, a, float64(y), b, float64(y)+1, rbRock, 0.35+0.4*k, 0.35+0.4*k)
		if y%int(math.Max(4, 40*k)) == 0 && k > 0.2 { // bollards
			fillRect(l.c, edge-l.u*0.012*(1+k), float64(y)-l.u*0.04*k, edge+l.u*0.012*(1+k), float64(y), rbDark, 0.4, 0.4)
		}
	}
	lx := vx
	fillRect(l.c, lx-l.u*0.02, horizon-l.fh*0.22, lx+l.u*0.02, horizon+2, rbLight, 0.85, 0.6)
	drawGlow(l.c, lx, horizon-l.fh*0.23, l.u*0.04, rbWarm)
	n := 3 + r.IntN(3)
	for i := range n { // boats on the open water, far to near
		k := (float64(i) + 0.6 + 0.3*r.Float64()) / float64(n)
		y := horizon + (l.fh-horizon)*k
		edge := vx + (l.fw*0.1-vx)*k // the quay's edge at that depth
		x := edge + (l.fw-edge)*(0.25+0.6*r.Float64())
		if !left {
			edge = vx + (l.fw*0.9-vx)*k
			x = edge * (0.15 + 0.6*r.Float64())
		}
		s := l.u * (0.05 + 0.22*k)
		for yy := 0; yy < int(s*0.35); yy++ {
			half := s * (1 - 0.3*float64(yy)/(s*0.35))
			fillRect(l.c, x-half, y-s*0.35+float64(yy), x+half, y-s*0.35+float64(yy)+1, rbAccent, 0.6, 0.6)
		}
		fillRect(l.c, x-s*0.03, y-s*1.6, x+s*0.03, y-s*0.35, rbDark, 0.4, 0.4)
		for yy := 0; yy < int(s*1.1); yy++ { // a furled or set sail
			fillRect(l.c, x+s*0.05, y-s*1.5+float64(yy), x+s*0.05+s*0.6*float64(yy)/(s*1.1), y-s*1.5+float64(yy)+1, rbLight, 0.75, 0.75)
		}
	}
	weather(r, l.c.img, prompt, rbLight)
	return l.c.img
}

// moorings: boats moored close side by side, seen from the quay: hulls
// across the bottom of the picture, a forest of masts and rigging above.
func (l *land) moorings() {
	r := l.r
	horizon := l.fh * (0.5 + 0.1*r.Float64())
	l.sky(horizon, false, false)
	l.water(horizon, l.fh, 0, l.c.w)
	fillRect(l.c, 0, horizon-l.fh*0.06, l.fw, horizon, rbFar, 0.5, 0.4) // the far shore
	for i := range 4 {
		x := l.fw * (float64(i) + 0.3 + 0.4*r.Float64()) / 3.5
		top := l.fh * (0.68 + 0.08*r.Float64())
		long := l.fw * (0.35 + 0.15*r.Float64())
		for y := int(top); y < int(top+l.fh*0.14); y++ {
			k := (float64(y) - top) / (l.fh * 0.14)
			half := long / 2 * (1 - 0.25*k*k)
			fillRect(l.c, x-half, float64(y), x+half, float64(y)+1, rbAccent+(i%2)*(rbDark-rbAccent), 0.7-0.3*k, 0.7-0.3*k)
		}
		fillRect(l.c, x-l.u*0.008, l.fh*(0.04+0.1*r.Float64()), x+l.u*0.008, top, rbDark, 0.35, 0.35) // the mast
		// A stay from the masthead to the bow.
		for t := 0.0; t < 1; t += 0.004 {
			px, py := x+t*long*0.48, l.fh*0.08+t*(top-l.fh*0.08)
			l.c.set(min(l.c.w-1, max(0, int(px))), min(l.c.h-1, max(0, int(py))), rbDark, 0.3)
		}
	}
}

// breakwater: a stone breakwater curving out from the foreground to a tall
// lighthouse, the open water beyond it.
func (l *land) breakwater() {
	r := l.r
	horizon := l.fh * (0.45 + 0.1*r.Float64())
	l.sky(horizon, false, false)
	l.water(horizon, l.fh, 0, l.c.w)
	left := r.IntN(2) == 0
	end := l.fw * (0.6 + 0.15*r.Float64())
	if left {
		end = l.fw - end
	}
	for y := int(horizon + l.fh*0.1); y < l.c.h; y++ {
		k := (float64(y) - horizon - l.fh*0.1) / (l.fh - horizon - l.fh*0.1)
		x := end + (l.fw*0.5-end)*k*1.6
		half := l.fw * (0.03 + 0.12*k)
		fillRect(l.c, x-half, float64(y), x+half, float64(y)+1, rbRock, 0.6, 0.6)
	}
	base := horizon + l.fh*0.1
	tall := l.fh * 0.5
	for y := 0; y < int(tall); y++ {
		half := l.u * (0.035 + 0.03*float64(y)/tall)
		ramp := rbLight
		if (y*6/int(tall))%2 == 1 {
			ramp = rbAccent
		}
		fillRect(l.c, end-half, base-tall+float64(y), end+half, base-tall+float64(y)+1, ramp, 0.8, 0.8)
	}
	fillRect(l.c, end-l.u*0.05, base-tall-l.u*0.06, end+l.u*0.05, base-tall, rbDark, 0.4, 0.4)
	drawGlow(l.c, end, base-tall-l.u*0.03, l.u*0.09, rbWarm)
}

// paintWorkshop draws a workbench across the picture, tools hanging on a
// board above it, a glowing furnace at one side and work on the bench.
func paintWorkshop(r *rand.Rand, sc scheme, prompt string, w, h int) *image.Paletted {
	c, _, benchY := paintWall(r, sc, prompt, w, h, 0.55)
	fw, fh := float64(w), float64(h)
	fillRect(c, 0, benchY+fh*0.06, fw, fh, rsFloor, 0.5, 0.2)
	bx0, bx1 := fw*0.08, fw*0.72 // the tool board
	forgeX := fw * 0.84
	if r.IntN(2) == 0 {
		bx0, bx1, forgeX = fw*0.28, fw*0.92, fw*0.14
	}
	fillRect(c, bx0, fh*0.1, bx1, benchY-fh*0.08, rsWood, 0.55, 0.45)
	for x := bx0 + fw*0.04; x < bx1-fw*0.04; x += fw * (0.06 + 0.04*r.Float64()) {
		top := fh * (0.13 + 0.05*r.Float64())
		long := fh * (0.12 + 0.12*r.Float64())
		fillRect(c, x-fw*0.006, top, x+fw*0.006, top+long, rsDark, 0.5, 0.5)
		switch r.IntN(3) {
		case 0: // a hammer's head
			fillRect(c, x-fw*0.025, top+long-fh*0.02, x+fw*0.025, top+long+fh*0.015, rsDark, 0.35, 0.35)
		case 1: // a saw's blade
			fillRect(c, x-fw*0.02, top+long*0.3, x+fw*0.006, top+long, rsLight, 0.6, 0.4)
		default: // a ring of wire
			fillEllipse(c, x, top+long, fw*0.025, fw*0.025, rsObject, 0.6)
		}
	}
	// The furnace: a brick arch with fire inside.
	fillRect(c, forgeX-fw*0.11, fh*0.2, forgeX+fw*0.11, benchY+fh*0.06, rsDark, 0.5, 0.35)
	fillEllipse(c, forgeX, benchY-fh*0.12, fw*0.07, fh*0.09, rsGlow, 0.9)
	drawGlow(c, forgeX, benchY-fh*0.1, fw*0.12, rsGlow)
	// The bench, its legs and the work on it.
	fillRect(c, 0, benchY, fw, benchY+fh*0.06, rsWood, 0.8, 0.5)
	for _, x := range []float64{fw * 0.05, fw * 0.5, fw * 0.93} {
		fillRect(c, x, benchY+fh*0.06, x+fw*0.03, fh, rsWood, 0.4, 0.25)
	}
	for range 2 + r.IntN(3) {
		x := fw * (0.1 + 0.8*r.Float64())
		s := fw * (0.03 + 0.05*r.Float64())
		fillRect(c, x-s, benchY-s*0.8, x+s, benchY, rsObject+r.IntN(2)*(rsCloth2-rsObject), 0.75, 0.5)
	}
	return c.img
}

// paintFood draws a table seen from above: planks, a cloth, plates and
// bowls with food on them, a cup.
func paintFood(r *rand.Rand, sc scheme, prompt string, w, h int) *image.Paletted {
	tod := timeOfDay(r, prompt)
	c := sceneCanvas(sc, tod, w, h)
	fw, fh := float64(w), float64(h)
	u := math.Min(fw, fh)
	plank := fw * (0.12 + 0.08*r.Float64())
	for y := range h {
		for x := range w {
			p := float64(x) / plank
			v := 0.55 + 0.1*math.Sin(float64(y)*0.03+math.Floor(p)*2.1) + 0.05*math.Sin(float64(y)*0.3+float64(x)*0.02)
			if p-math.Floor(p) < 0.03 {
				v = 0.2
			}
			c.set(x, y, rsWood, v)
		}
	}
	cy := fh * (0.3 + 0.4*r.Float64()) // a cloth runner across
	fillRect(c, 0, cy-fh*0.12, fw, cy+fh*0.12, rsStripeA, 0.7, 0.6)
	n := 3 + r.IntN(3)
	for i := range n {
		a := 2*math.Pi*float64(i)/float64(n) + r.Float64()*0.5
		px, py := fw/2+math.Cos(a)*fw*0.28, fh/2+math.Sin(a)*fh*0.26
		pr := u * (0.12 + 0.06*r.Float64())
		fillEllipse(c, px, py, pr, pr, rsStripeB, 0.9)
		fillEllipse(c, px, py, pr*0.75, pr*0.75, rsStripeB, 0.7)
		for range 3 + r.IntN(4) { // what is on the plate
			fa, fd := r.Float64()*2*math.Pi, pr*0.45*r.Float64()
			fillEllipse(c, px+math.Cos(fa)*fd, py+math.Sin(fa)*fd, pr*(0.15+0.15*r.Float64()), pr*(0.12+0.12*r.Float64()), rsCloth1+r.IntN(3), 0.7)
		}
	}
	fillEllipse(c, fw/2, fh/2, u*0.1, u*0.1, rsObject, 0.7) // a bowl or a cup in the middle
	fillEllipse(c, fw/2, fh/2, u*0.075, u*0.075, rsGlow, 0.5)
	return c.img
}

// paintFestival draws a night of fireworks over roofs, bunting strung
// across and the heads of a crowd in front.
func paintFestival(r *rand.Rand, sc scheme, prompt string, w, h int) *image.Paletted {
	c := sceneCanvas(sc, night, w, h)
	fw, fh := float64(w), float64(h)
	u := math.Min(fw, fh)
	horizon := fh * (0.62 + 0.08*r.Float64())
	fillSky(c, r, 0, 0, w, int(horizon)+1, night)
	for range 3 + r.IntN(3) { // fireworks
		fx, fy := fw*(0.1+0.8*r.Float64()), horizon*(0.15+0.5*r.Float64())
		fr := u * (0.1 + 0.12*r.Float64())
		ramp := []int{rsGlow, rsStripeA, rsLight, rsStripeB}[r.IntN(4)]
		rays := 14 + r.IntN(10)
		for k := range rays {
			a := 2 * math.Pi * float64(k) / float64(rays)
			for t := 0.25; t < 1; t += 0.04 {
				x, y := int(fx+math.Cos(a)*fr*t), int(fy+math.Sin(a)*fr*t+fr*0.15*t*t)
				if x >= 0 && y >= 0 && x < w && y < h {
					c.set(x, y, ramp, 1-0.4*t)
					if x+1 < w {
						c.set(x+1, y, ramp, 1-0.5*t)
					}
				}
			}
		}
	}
	fillSkyline(c, r, horizon, fh*0.14, true)
	fillGround(c, r, int(horizon), false)
	for k := range 2 { // bunting
		y0 := fh * (0.08 + 0.12*float64(k) + 0.05*r.Float64())
		sag := fh * 0.08
		flag := fw / 18
		for i := 0; float64(i)*flag < fw; i++ {
			x := float64(i) * flag
			t := x / fw
			y := y0 + sag*4*t*(1-t)
			ramp := []int{rsStripeA, rsStripeB, rsCloth1, rsCloth3}[(i+k)%4]
			for yy := 0; yy < int(flag*0.9); yy++ {
				half := flag * 0.4 * (1 - float64(yy)/(flag*0.9))
				fillRect(c, x+flag/2-half, y+float64(yy), x+flag/2+half, y+float64(yy)+1, ramp, 0.8, 0.8)
			}
		}
	}
	for row := range 2 { // the crowd's heads and shoulders
		for i := range 12 - 3*row {
			x := fw * (float64(i) + 0.2 + 0.6*r.Float64()) / float64(12-3*row)
			drawFigure(c, x, fh*(1.25+0.15*float64(row)), fh*(0.45+0.2*float64(row)), rsDark)
		}
	}
	return c.img
}

// paintAnimal draws the creature the prompt names, large, standing on the
// ground of its world under the sky.
func paintAnimal(r *rand.Rand, sc scheme, prompt string, w, h int) *image.Paletted {
	biome, _ := biomeOf(prompt)
	if biome == biomeOrbit || biome == biomeUnderground || biome == biomeCity {
		biome = biomePlains
	}
	l := newLand(r, sc, biome, prompt, w, h)
	horizon := l.fh * (0.5 + 0.1*r.Float64())
	l.sky(horizon, false, false)
	l.fill(l.ridge(horizon+1, l.fh*0.06, ridgeRolling), rbFar, 0.8, 0.6, 0)
	l.fill(l.ridge(l.fh*0.78, l.fh*0.04, ridgeRolling), rbNear, 0.75, 0.4, 0)
	shape := animalShape(prompt)
	cx, cy := l.fw*(0.4+0.2*r.Float64()), l.fh*0.6
	s := l.u * (0.36 + 0.08*r.Float64())
	flip := 1.0
	if r.IntN(2) == 0 {
		flip = -1
	}
	x0, y0, x1, y1 := l.c.box(cx-s, cy-s, cx+s, cy+s)
	for y := y0; y < y1; y++ {
		ny := (float64(y) - cy) / s
		for x := x0; x < x1; x++ {
			nx := (float64(x) - cx) / s * flip
			if shape(nx, ny) {
				l.c.set(x, y, rbDark, 0.45+0.3*(-ny)*0.5+0.1*nx)
			}
		}
	}
	fillEllipseRamp(l.c, cx, cy+s*0.72, s*0.7, s*0.06, rbDark, 0.1) // its shadow
	return l.c.img
}

// animalShape is the outline of the animal a prompt names, in units of half
// the figure's size with y down: the emblem's shapes for the creatures they
// draw, else a four-legged beast.
func animalShape(prompt string) func(x, y float64) bool {
	for _, text := range []string{subjectText(prompt), prompt} { // the post's creature before the world's
		for _, s := range symbols {
			if hasAny(text, s.words...) && isCreature(s.words[0]) {
				return s.in
			}
		}
	}
	return func(x, y float64) bool { // a four-legged beast
		body := math.Hypot(x/0.55, (y+0.05)/0.25) < 1
		neck := distToSegment(x, y, 0.4, -0.1, 0.6, -0.4) < 0.09
		head := math.Hypot((x-0.66)/0.18, (y+0.45)/0.11) < 1
		legs := y > 0 && y < 0.62 && (math.Abs(math.Abs(x)-0.38) < 0.05 || math.Abs(math.Abs(x)-0.22) < 0.05)
		tail := distToSegment(x, y, -0.55, -0.1, -0.72, 0.2) < 0.03
		return body || neck || head || legs || tail
	}
}

func isCreature(name string) bool {
	switch name {
	case "owl", "cat", "bird", "fish", "turtle", "camel", "dragon":
		return true
	}
	return false
}

// paintVehicle draws a vehicle side on, large, on a road or rails in front
// of a street: a tram or train long across the picture, a bus, a van or a
// car shorter, a bicycle on two wheels, a cart behind its wheels.
func paintVehicle(r *rand.Rand, sc scheme, prompt string, w, h int) *image.Paletted {
	c, tod, horizon := paintStreet(r, sc, prompt, w, h, 0.42, 0.2, false)
	fw, fh := float64(w), float64(h)
	u := math.Min(fw, fh)
	ground := horizon + (fh-horizon)*0.6
	rail := hasAny(prompt, "tram", "trams", "train", "trains", "locomotive", "railway", "streetcar", "trolley")
	if rail {
		fillRect(c, 0, ground, fw, ground+fh*0.015, rsLight, 0.6, 0.6)
		for x := 0.0; x < fw; x += fw / 14 {
			fillRect(c, x, ground+fh*0.015, x+fw*0.025, ground+fh*0.03, rsWood, 0.4, 0.4)
		}
	}
	if hasAny(prompt, "bicycle", "bicycles", "bike", "bikes") {
		for _, x := range []float64{fw * 0.3, fw * 0.7} {
			for a := 0.0; a < 2*math.Pi; a += 0.01 {
				px, py := x+math.Cos(a)*u*0.17, ground-u*0.17+math.Sin(a)*u*0.17
				fillRect(c, px-1.5, py-1.5, px+1.5, py+1.5, rsDark, 0.3, 0.3)
			}
		}
		for t := 0.0; t < 1; t += 0.005 { // the frame
			for _, seg := range [][4]float64{{0.3, 0, 0.48, -0.3}, {0.48, -0.3, 0.7, 0}, {0.48, -0.3, 0.62, -0.34}, {0.3, 0, 0.62, -0.34}, {0.62, -0.34, 0.7, 0}} {
				px := fw * (seg[0] + (seg[2]-seg[0])*t)
				py := ground - u*0.17 + u*(seg[1]+(seg[3]-seg[1])*t)
				fillRect(c, px-2, py-2, px+2, py+2, rsCloth3, 0.7, 0.7)
			}
		}
		return c.img
	}
	length, height := fw*0.62, fh*0.22
	switch {
	case rail:
		length, height = fw*1.3, fh*0.26
	case hasAny(prompt, "bus", "buses", "coach", "tram"):
		length, height = fw*0.85, fh*0.26
	case hasAny(prompt, "cart", "carts", "wagon", "wagons", "carriage"):
		length, height = fw*0.45, fh*0.16
	}
	x0 := fw*0.5 - length/2 + (r.Float64()-0.5)*fw*0.1
	top := ground - height - u*0.06
	fillRect(c, x0, top, x0+length, ground-u*0.05, rsCloth3, 0.8, 0.45)
	fillRect(c, x0, top+height*0.45, x0+length, top+height*0.5, rsStripeB, 0.8, 0.8)
	win := height * 0.3
	for x := x0 + win*0.4; x+win < x0+length-win*0.3; x += win * 1.3 {
		ramp := rsSky
		if tod == night || tod == dusk {
			ramp = rsGlow
		}
		fillRect(c, x, top+height*0.1, x+win, top+height*0.4, ramp, 0.8, 0.6)
	}
	for _, k := range []float64{0.15, 0.85} {
		x := x0 + length*k
		fillEllipse(c, x, ground-u*0.05, u*0.07, u*0.07, rsDark, 0.3)
		fillEllipse(c, x, ground-u*0.05, u*0.03, u*0.03, rsLight, 0.6)
	}
	if tod == night || tod == dusk || hasAny(prompt, "headlight", "headlights") {
		drawGlow(c, x0+length, ground-height*0.4, u*0.06, rsGlow)
	}
	return c.img
}

// paintWeather draws the weather as the subject: a storm's dark cloud with
// lightning and rain over low roofs, fog hiding a row of shapes, or a
// rainbow over hills after rain.
func paintWeather(r *rand.Rand, sc scheme, prompt string, w, h int) *image.Paletted {
	l := newLand(r, sc, biomePlains, prompt, w, h)
	c := l.c
	own := postsOwnWords(prompt)
	switch {
	case hasAny(own, "fog", "foggy", "mist", "misty", "haze"):
		fillRect(c, 0, 0, l.fw, l.fh, rbCloud, 0.9, 0.7)
		for k := range 3 { // shapes fading into the fog, near ones darker
			ramp := []int{rbCloud, rbFar, rbDark}[k]
			ground := l.fh * (0.62 + 0.12*float64(k))
			for range 4 + 2*k {
				x := l.fw * r.Float64()
				l.tree(x, ground, l.fh*(0.15+0.12*float64(k)), r.IntN(2) == 0, ramp, 0.35)
			}
			fillRect(c, 0, ground, l.fw, l.fh, ramp, 0.5-0.15*float64(k), 0.3)
		}
		weather(r, c.img, "fog", rbLight)
	case hasAny(prompt, "rainbow", "rainbows"):
		horizon := l.fh * 0.62
		l.sky(horizon, false, false)
		cx, cy, R := l.fw*(0.3+0.4*r.Float64()), horizon, l.u*(0.45+0.15*r.Float64())
		bands := []int{rbAccent, rbWarm, rbLeaf, rbWater}
		for y := 0; y < int(horizon); y++ {
			for x := range c.w {
				d := (math.Hypot(float64(x)-cx, float64(y)-cy) - R) / (l.u * 0.025)
				if d >= 0 && d < float64(len(bands)) {
					c.set(x, y, bands[int(d)], 0.85)
				}
			}
		}
		l.fill(l.ridge(horizon, l.fh*0.08, ridgeRolling), rbMid, 0.7, 0.5, 0)
		l.fill(l.ridge(l.fh*0.85, l.fh*0.06, ridgeRolling), rbNear, 0.6, 0.35, 0)
	default: // a storm
		l.tod = night
		horizon := l.fh * (0.72 + 0.08*r.Float64())
		fillRect(c, 0, 0, l.fw, horizon, rbSky, 0.2, 0.55)
		for range 14 { // the cloud's underside, low and heavy
			fillEllipseRamp(c, l.fw*r.Float64(), l.fh*(0.05+0.25*r.Float64()), l.fw*(0.15+0.15*r.Float64()), l.fh*(0.08+0.06*r.Float64()), rbDark, 0.35)
		}
		x, y := l.fw*(0.25+0.5*r.Float64()), l.fh*0.3
		for y < horizon { // lightning
			nx, ny := x+(r.Float64()-0.5)*l.fw*0.12, y+l.fh*(0.04+0.05*r.Float64())
			for t := 0.0; t < 1; t += 0.02 {
				px, py := x+(nx-x)*t, y+(ny-y)*t
				fillRect(c, px-1.5, py, px+1.5, py+1, rbLight, 1, 1)
			}
			x, y = nx, ny
		}
		drawGlow(c, x, y, l.u*0.06, rbLight)
		fillSkylineIn(l, horizon)
		weather(r, c.img, "rain", rbLight)
	}
	return c.img
}

// fillSkylineIn paints low roofs along a horizon and the ground in front.
func fillSkylineIn(l *land, horizon float64) {
	for x := 0; x < l.c.w; {
		bw := max(3, int(l.fw*(0.05+0.08*l.r.Float64())))
		top := horizon - l.fh*(0.04+0.08*l.r.Float64())
		fillRect(l.c, float64(x), top, float64(x+bw), horizon, rbDark, 0.4, 0.35)
		x += bw
	}
	fillRect(l.c, 0, horizon, l.fw, l.fh, rbNear, 0.35, 0.15)
}
