package web

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/generia/generia/internal/generia"
)

// slotWidth is the width, in CSS pixels, that a sizes attribute gives an
// image on a viewport that wide: the value of the first (min-width) whose
// condition holds, or the last.
func slotWidth(t *testing.T, sizes string, viewport float64) float64 {
	t.Helper()
	for _, part := range strings.Split(sizes, ",") {
		part = strings.TrimSpace(part)
		value := part
		if cond, v, ok := strings.Cut(part, ") "); ok {
			min, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(cond, "(min-width: "), "px"), 64)
			if err != nil {
				t.Fatalf("sizes %q: cannot read %q", sizes, cond)
			}
			if viewport < min {
				continue
			}
			value = v
		}
		switch {
		case strings.HasSuffix(value, "vw"):
			n, _ := strconv.ParseFloat(strings.TrimSuffix(value, "vw"), 64)
			return viewport * n / 100
		case strings.HasSuffix(value, "px"):
			n, _ := strconv.ParseFloat(strings.TrimSuffix(value, "px"), 64)
			return n
		}
		t.Fatalf("sizes %q: cannot read %q", sizes, value)
	}
	t.Fatalf("sizes %q has no value for a %v px viewport", sizes, viewport)
	return 0
}

// The variants a generation makes of a world's first view are the ones
// browsers ask for: on the world's page and the catalog, on a phone as
// Lighthouse emulates it (412 CSS pixels at 1.75), a phone at 3 and a
// desktop at 1, a browser takes the narrowest candidate at least as wide as
// the image's slot in device pixels (or the widest).
func TestFirstViewVariantsAreWhatPagesAsk(t *testing.T) {
	roles := map[string]string{
		"header": generia.MediaWorldHeader, "header-card": generia.MediaWorldHeader, "icon": generia.MediaWorldIcon,
		"avatar-sm": generia.MediaCharacterAvatar, "post": generia.MediaPostImage,
	}
	devices := []struct {
		name          string
		viewport, dpr float64
	}{{"Lighthouse phone", 412, 1.75}, {"phone", 390, 3}, {"desktop", 1350, 1}}
	for role, kind := range roles {
		r := imageRoles[role]
		for _, d := range devices {
			need := slotWidth(t, r.sizes, d.viewport) * d.dpr
			pick := r.widths[len(r.widths)-1]
			for _, w := range r.widths {
				if float64(w) >= need {
					pick = w
					break
				}
			}
			if !slices.Contains(generia.FirstViewWidths[kind], pick) {
				t.Errorf("%s on a %s: the browser asks for w=%d (%v device px), which is not made before: %v", role, d.name, pick, need, generia.FirstViewWidths[kind])
			}
		}
	}
}
